/**
 * sshd hands every command to the target user's login shell. The quoting mamori sends must mean the same to
 * /bin/sh, fish and tcsh: arbitrary strings round-trip through each real shell run as sshd runs it
 * (`$SHELL -c STRING`), and over the real sshd as real users whose login shells are fish and tcsh (with startup
 * files that print greetings), a document root whose path holds quotes, backslashes, `!`, `$` and Japanese is
 * walked and read exactly as locally.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { collectDocroots, DEFAULT_DOCROOT_LIMITS } from '../../src/collect/host/docroots.js';
import { LocalTransport } from '../../src/collect/transport/local.js';
import { isAllowlistedRemote, newDelimiter, OutputSplitter, renderScript } from '../../src/collect/transport/remote.js';
import { SshTransport } from '../../src/collect/transport/ssh.js';
import type { Gap } from '../../src/core/model.js';
import { runCli } from '../helpers/cli.js';
import { customersCsv, WP_VERSION_PHP } from './docroot-tree.js';
import { sshdMissing, startSshd, type Sshd } from './sshd.js';

const SHELLS = { sh: '/bin/sh', fish: '/usr/bin/fish', tcsh: '/usr/bin/tcsh' } as const;
const missingShell = (s: string) => (existsSync(s) ? undefined : `${s} not installed (Debian packages fish, tcsh)`);
const canAddUsers = existsSync('/usr/sbin/useradd') && process.getuid?.() === 0;

const anyArg = fc.string({ unit: 'binary', maxLength: 24 }).filter((s) => !s.includes('\0'));
const home = mkdtempSync(join(tmpdir(), 'mamori-'));
after(() => rmSync(home, { recursive: true, force: true }));

for (const [name, shell] of Object.entries(SHELLS)) {
  test(`any arguments reach the command unchanged through ${name} -c (property, real shell)`, { skip: missingShell(shell) ?? false, timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.array(anyArg, { minLength: 1, maxLength: 6 }), (args) => {
        const delimiter = newDelimiter();
        const cmd = renderScript(
          args.map((a) => ['printf', '%s', a]),
          delimiter,
        );
        // What sshd does: the login shell gets the string as one argument after -c.
        const r = spawnSync(shell, ['-c', cmd], { env: { PATH: '/usr/bin:/bin', HOME: home }, maxBuffer: 1 << 20 });
        const split = new OutputSplitter(delimiter);
        const outs = [...split.stdout(r.stdout), ...split.stderr(r.stderr)];
        assert.deepEqual(
          outs.map((o) => o.stdout.toString('hex')),
          args.map((a) => Buffer.from(a, 'utf8').toString('hex')),
          `${name}: ${r.stderr.toString()}`,
        );
        assert.ok(outs.every((o) => o.code === 0));
      }),
      { numRuns: 40 },
    );
  });
}

let sshd: Sshd | undefined;
const users: string[] = [];
let root: string;
const HOSTILE = `site's \\\\ "docs" $HOME !1 \`x\` \\ 日本語`;

const skipSsh = sshdMissing() ?? missingShell(SHELLS.fish) ?? missingShell(SHELLS.tcsh) ?? (canAddUsers ? undefined : 'needs root and useradd to create users with fish and tcsh login shells');

before(async () => {
  if (skipSsh) return;
  sshd = await startSshd();
  root = mkdtempSync(join(tmpdir(), 'mamori-'));
  chmodSync(root, 0o755);
  const docroot = join(root, HOSTILE);
  mkdirSync(join(docroot, 'wp-includes'), { recursive: true });
  writeFileSync(join(docroot, 'wp-includes/version.php'), WP_VERSION_PHP('4.9.8'));
  mkdirSync(join(docroot, "it's!"), { recursive: true });
  writeFileSync(join(docroot, "it's!/members \\.csv"), customersCsv(5));
  execFileSync('chmod', ['-R', 'a+rX', root]);
  // Startup files that talk, as on many real servers: what they print must not end up in any answer.
  const home = join(sshd.dir, 'home');
  mkdirSync(join(home, '.config/fish'), { recursive: true });
  writeFileSync(join(home, '.config/fish/config.fish'), 'echo "Welcome to fish, $USER"\necho "fish: note on stderr" >&2\n');
  writeFileSync(join(home, '.tcshrc'), 'echo "Welcome to tcsh"\necho "tcsh: note on stderr" > /dev/stderr\n');
  execFileSync('chmod', ['-R', 'a+rwX', join(home, '.config'), join(home, '.tcshrc')]);
  for (const shell of [SHELLS.fish, SHELLS.tcsh]) {
    // Password '*': no password login, but not a locked account (sshd refuses locked ones without PAM).
    const user = `mamori-${shell.split('/').pop()}-${randomBytes(3).toString('hex')}`;
    // Other jobs on this machine may hold /etc/passwd's lock for a moment: try again (useradd exits 10).
    for (let attempt = 0; ; attempt++) {
      const r = spawnSync('useradd', ['--no-create-home', '--password', '*', '--home-dir', join(sshd.dir, 'home'), '--shell', shell, user], { encoding: 'utf8' });
      if (r.status === 0) break;
      if (attempt >= 20) throw new Error(`useradd ${user}: ${r.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    users.push(user);
  }
});

after(async () => {
  await sshd?.stop();
  for (const u of users)
    for (let attempt = 0; attempt < 20 && spawnSync('userdel', [u]).status === 10; attempt++) await new Promise((resolve) => setTimeout(resolve, 250));
  if (root) rmSync(root, { recursive: true, force: true });
});

for (const [i, shell] of [SHELLS.fish, SHELLS.tcsh].entries()) {
  test(`over sshd as a user whose login shell is ${shell}: a hostile document root path is walked and read as locally`, { skip: skipSsh ?? false, timeout: 180_000 }, async () => {
    const s = sshd!;
    const user = users[i]!;
    const ssh = await SshTransport.connect({ user, host: '127.0.0.1', port: s.port }, { identity: s.userKey, knownHosts: s.knownHosts, acceptNewHostKey: false, sudo: false, timeoutMs: 60_000 });
    const local = new LocalTransport({ timeoutMs: 60_000, sudo: false });
    const docroot = join(root, HOSTILE);
    try {
      const scan = async (t: LocalTransport | SshTransport) => {
        const gaps: Gap[] = [];
        const r = await collectDocroots(t, [{ path: docroot, from: 'test' }], [], undefined, DEFAULT_DOCROOT_LIMITS, gaps);
        return { docroots: r.docroots, components: r.components, gaps };
      };
      const [remote, here] = [await scan(ssh), await scan(local)];
      assert.deepEqual(remote, here);
      assert.ok(remote.components.some((c) => c.name === 'wordpress' && c.version === '4.9.8'), 'WordPress found under the hostile path');
      const csv = join(docroot, "it's!/members \\.csv");
      const read = await ssh.readFile(csv, 1 << 20);
      assert.ok(read.ok, JSON.stringify(read));
      assert.equal(read.data.toString('utf8'), customersCsv(5));
      const listed = await ssh.listDir(join(docroot, "it's!"));
      assert.deepEqual(listed, [{ name: 'members \\.csv', type: 'f' }]);
      // Arbitrary file names (property): each is created here and read back over SSH through the login shell.
      const dir = mkdtempSync(join(root, 'names-'));
      chmodSync(dir, 0o755);
      const names = anyArg.filter((n) => n.length > 0 && !n.includes('/') && !n.includes('\n') && n !== '.' && n !== '..' && Buffer.byteLength(n) < 200);
      await fc.assert(
        fc.asyncProperty(names, async (n) => {
          const p = join(dir, n);
          writeFileSync(p, `content of ${n}`);
          chmodSync(p, 0o644);
          const r = await ssh.readFile(p, 4096);
          assert.ok(r.ok, `${JSON.stringify(n)}: ${JSON.stringify(r)}`);
          assert.equal(r.data.toString('hex'), Buffer.from(`content of ${n}`).toString('hex'));
        }),
        { numRuns: 30 },
      );
    } finally {
      await ssh.close();
    }
    const received = s.commands();
    assert.ok(received.length > 0);
    assert.deepEqual(
      received.filter((c) => !isAllowlistedRemote(c)),
      [],
      'every command is on the allowlist',
    );
  });
}

for (const [i, shell] of [SHELLS.fish, SHELLS.tcsh].entries()) {
  test(`the CLI as users run it: scan host --ssh as a ${shell} user finds the application under the hostile path`, { skip: skipSsh ?? false, timeout: 180_000 }, async () => {
    const s = sshd!;
    const r = await runCli(['scan', 'host', '--ssh', `${users[i]}@127.0.0.1:${s.port}`, '--identity', s.userKey, '--known-hosts', s.knownHosts, '--docroot', join(root, HOSTILE), '--format', 'json'], { env: { SSH_AUTH_SOCK: '' } });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { inventory: { components: { name: string; version?: string; location?: string }[]; packages: unknown[] } };
    assert.ok(doc.inventory.packages.length > 0, 'packages listed through the login shell');
    assert.ok(doc.inventory.components.some((c) => c.name === 'wordpress' && c.version === '4.9.8' && c.location?.startsWith(join(root, HOSTILE))), JSON.stringify(doc.inventory.components));
  });
}
