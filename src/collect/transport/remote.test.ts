import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ALLOWLIST, argv, type CommandId } from './allowlist.js';
import { commandWords, isAllowlistedRemote, newDelimiter, OutputSplitter, parseInvocation, renderInvocation, renderScript } from './remote.js';

const D = '0123456789abcdef0123456789abcdef';
const anyArg = fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !s.includes('\0'));

test('every allowlisted command, alone or batched, with or without sudo, renders to an invocation the checker accepts', () => {
  const params = { path: "/var/www/it's \\ here!", bytes: '1024', depth: '8', bin: '/usr/bin/php8.2', names: 'php8.2-cli nginx', webbin: '/usr/local/apache2/bin/httpd' };
  const all = (Object.keys(ALLOWLIST) as CommandId[]).flatMap((id) => [false, true].map((sudo) => ({ args: argv(id, params), sudo })));
  for (const c of all) assert.ok(isAllowlistedRemote(renderInvocation([c], D)), c.args.join(' '));
  assert.ok(isAllowlistedRemote(renderInvocation(all, newDelimiter())));
});

test('the outer string holds only what every login shell reads literally inside single quotes (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.array(anyArg, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }), (cmds) => {
      const s = renderScript(cmds, D);
      assert.ok(s.startsWith("exec /bin/sh -c '") && s.endsWith("'"));
      const script = s.slice("exec /bin/sh -c '".length, -1);
      assert.doesNotMatch(script, /['!\n]|[^\x20-\x7e]|\\(?![0-7])/);
      assert.ok(!s.includes(D), 'the delimiter never appears whole in the command line (ps, php -i print it)');
      assert.deepEqual(parseInvocation(s)?.commands, cmds.map((c) => c.map((w) => Buffer.from(w, 'utf8').toString('utf8'))));
    }),
  );
});

test('the checker refuses anything but allowlisted commands rendered by mamori', () => {
  const ok = renderInvocation([{ args: argv('readFile', { path: '/etc/hosts', bytes: '10' }), sudo: false }], D);
  assert.ok(isAllowlistedRemote(ok));
  const body = ok.slice(0, -1);
  const bad = [
    'rm -rf /',
    `${body};reboot'`,
    `${body} && id'`,
    ok.replace('head', 'tail'),
    ok.replace('env LC_ALL=C', 'env LC_ALL=de_DE'),
    ok.replace("'D=", "'X=1;D="),
    ok.replace(';E=', ';E=1;E='),
    ok.replace('</dev/null', '>/etc/hosts'),
    ok.replace(/'$/, "' ; id"),
    `${ok};id`,
    ok.replace('/etc/hosts', '"/etc/hosts$(id)"'),
    ok.replace('/etc/hosts', '"/etc/`id`"'),
    ok.replace('printf', 'id;printf'),
    renderInvocation([{ args: ['apt-get', 'update'], sudo: false }], D),
    renderInvocation([{ args: argv('id'), sudo: false }, { args: ['yum', 'makecache'], sudo: true }], D),
    renderScript([['sh', '-c', 'id']], D),
    renderScript([[...commandWords({ args: argv('id'), sudo: false }), ';', 'reboot']], D),
  ];
  for (const b of bad) assert.equal(isAllowlistedRemote(b), false, b);
});

test('an invocation with an undefined variable or a hand-written definition is refused', () => {
  const ok = renderInvocation([{ args: argv('readFile', { path: "/a'b", bytes: '10' }), sudo: false }], D);
  assert.ok(ok.includes('${_q047}'));
  assert.equal(isAllowlistedRemote(ok.replace('_q047=$(printf "\\047");', '')), false);
  assert.equal(isAllowlistedRemote(ok.replace('printf "\\047"', 'printf "\\073"')), false);
  assert.equal(isAllowlistedRemote(ok.replace('_q047=$(printf "\\047");', '_q047=$(id);')), false);
});

/** What a remote /bin/sh writes for these answers, markers included. */
function streams(answers: { out: Buffer; err: string; code: number }[], junk = '') {
  const out: Buffer[] = [Buffer.from(`${junk}${D}:-\n`)];
  const err: Buffer[] = [Buffer.from(`${junk}${D}\n`)];
  for (const a of answers) {
    out.push(a.out, Buffer.from(`${D}:${a.code}\n`));
    err.push(Buffer.from(a.err), Buffer.from(`${D}\n`));
  }
  return { out: Buffer.concat(out), err: Buffer.concat(err) };
}

test('output splitting: binary output without a final newline, any chunking, startup-file noise dropped (property)', () => {
  const answer = fc.record({ out: fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a)), err: fc.string({ maxLength: 20 }), code: fc.integer({ min: 0, max: 255 }) });
  fc.assert(
    fc.property(fc.array(answer, { minLength: 1, maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }), fc.string({ maxLength: 10 }), (answers, cuts, junk) => {
      const { out, err } = streams(answers, junk);
      const sp = new OutputSplitter(D);
      const got: { stdout: Buffer; stderr: Buffer; code: number }[] = [];
      let o = 0;
      let e = 0;
      for (let i = 0; o < out.length || e < err.length; i++) {
        const n = cuts[i % cuts.length]!;
        got.push(...sp.stdout(out.subarray(o, o + n)));
        o += n;
        got.push(...sp.stderr(err.subarray(e, e + n)));
        e += n;
      }
      assert.deepEqual(
        got.map((g) => ({ out: Buffer.from(g.stdout), err: g.stderr.toString(), code: g.code })),
        answers.map((a) => ({ out: Buffer.from(a.out), err: Buffer.from(a.err).toString(), code: a.code })),
      );
    }),
  );
});

test('an invocation ended early: answers complete on stdout are kept, the running command is told apart', () => {
  const { out, err } = streams([
    { out: Buffer.from('one'), err: 'warn 1', code: 0 },
    { out: Buffer.from('two'), err: 'warn 2', code: 3 },
  ]);
  const sp = new OutputSplitter(D);
  // All of stdout and the running command's first bytes, but stderr only up to the first command's errors.
  const firstErr = err.indexOf('warn 2');
  assert.deepEqual(sp.stdout(Buffer.concat([out, Buffer.from('partial')])), []);
  assert.deepEqual(sp.stderr(err.subarray(0, firstErr)), [{ stdout: Buffer.from('one'), stderr: Buffer.from('warn 1'), code: 0 }]);
  assert.deepEqual(sp.drain(), [{ stdout: Buffer.from('two'), stderr: Buffer.alloc(0), code: 3 }]);
  assert.equal(sp.partial().stdout.toString(), 'partial');
});
