/**
 * The defences' nginx snippets, as data, in a real nginx with php-fpm: nginx accepts them (`nginx -t`), and each
 * one's outside check passes with it, and fails without it where the site is exposed (Shellshock: the `() {`
 * User-Agent is refused; PHP-CGI: `?-s` is refused). httpoxy cannot be shown exposed here: Debian's PHP 8.2
 * carries the fix of CVE-2016-5385 and never turns the Proxy header into HTTP_PROXY, so its check passes both ways.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFENCE_SNIPPETS } from '../../src/core/assess/data/defences.js';
import { checkDefence } from '../../src/remediate/defence-check.js';
import { freePort, waitForPort, which } from '../site/servers.js';
import { runCli } from '../helpers/cli.js';

const nginxBin = which('nginx');
const fpmBin = which('php-fpm8.2') ?? which('php-fpm');
const missing = !nginxBin || !fpmBin ? 'nginx and php-fpm needed (scripts/system-deps.txt)' : undefined;
const KEYS = ['httpoxy', 'shellshock', 'phpCgi'] as const;

let dir: string;
let fpm: ChildProcess | undefined;
let nginx: ChildProcess | undefined;
const ports = { without: 0, with: 0 };

const nginxSnippet = (key: string) => DEFENCE_SNIPPETS[key]!.snippets.find((s) => s.server === 'nginx')!.text;

before(async () => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), 'mamori-defence-'));
  chmodSync(dir, 0o755);
  const www = join(dir, 'www');
  mkdirSync(join(www, 'cgi-bin'), { recursive: true });
  writeFileSync(join(www, 'index.php'), '<?php echo "proxy=" . ($_SERVER["HTTP_PROXY"] ?? "") . "\\n"; ?>\n<h1>shop</h1>\n');
  writeFileSync(join(www, 'cgi-bin', 'index.html'), 'cgi\n');
  for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, 'tmp', t), { recursive: true });
  const sock = join(dir, 'fpm.sock');
  writeFileSync(join(dir, 'php-fpm.conf'), `[global]\npid = ${dir}/php-fpm.pid\nerror_log = ${dir}/php-fpm.log\ndaemonize = no\n[www]\nlisten = ${sock}\nlisten.mode = 0666\npm = static\npm.max_children = 2\nclear_env = no\n`);
  fpm = spawn(fpmBin!, ['-F', '-R', '-y', join(dir, 'php-fpm.conf')], { stdio: 'ignore' });
  ports.without = await freePort();
  ports.with = await freePort();
  const php = (extra: string) => `location ~ \\.php$ { fastcgi_pass unix:${sock}; include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name; ${extra} }`;
  const server = (port: number, defended: boolean) =>
    `server { listen 127.0.0.1:${port}; root ${www}; index index.php index.html;\n${defended ? `${nginxSnippet('phpCgi')}\n${nginxSnippet('shellshock')}\n` : ''}${php(defended ? nginxSnippet('httpoxy').split('\n').filter((l) => l.startsWith('fastcgi_param')).join('\n') : '')}\n}`;
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents { worker_connections 64; }\nhttp {\n access_log off;\n client_body_temp_path ${dir}/tmp/body; proxy_temp_path ${dir}/tmp/proxy; fastcgi_temp_path ${dir}/tmp/fastcgi; uwsgi_temp_path ${dir}/tmp/uwsgi; scgi_temp_path ${dir}/tmp/scgi;\n${server(ports.without, false)}\n${server(ports.with, true)}\n}\n`,
  );
  const t = spawnSync(nginxBin!, ['-t', '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
  assert.equal(t.status, 0, `nginx -t accepts the snippets: ${t.stderr}`);
  nginx = spawn(nginxBin!, ['-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  await waitForPort(ports.without);
  await waitForPort(ports.with);
  for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
});

after(async () => {
  for (const p of [nginx, fpm]) {
    if (!p || p.exitCode !== null) continue;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGQUIT');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('each nginx snippet makes its outside check pass, and the site without it fails the check where it is exposed', { skip: missing ?? false, timeout: 60_000 }, async () => {
  const ua = 'mamori-test';
  const without = Object.fromEntries(await Promise.all(KEYS.map(async (k) => [k, await checkDefence(`http://127.0.0.1:${ports.without}/`, DEFENCE_SNIPPETS[k]!, { userAgent: ua })] as const)));
  const withD = Object.fromEntries(await Promise.all(KEYS.map(async (k) => [k, await checkDefence(`http://127.0.0.1:${ports.with}/`, DEFENCE_SNIPPETS[k]!, { userAgent: ua })] as const)));
  // httpoxy: PHP 8.2 is not exposed either way (see above); the snippet is accepted by nginx and breaks nothing.
  assert.equal(without.httpoxy!.works, true, without.httpoxy!.detail);
  assert.deepEqual([withD.httpoxy!.works, withD.httpoxy!.status], [true, 200], withD.httpoxy!.detail);
  // Shellshock: the harmless `() { :; }; :` User-Agent reaches /cgi-bin/ unless refused.
  assert.deepEqual([without.shellshock!.works, without.shellshock!.status], [false, 200]);
  assert.deepEqual([withD.shellshock!.works, withD.shellshock!.status], [true, 400]);
  // PHP-CGI: php-fpm is not php-cgi, so `?-s` does no harm even without the rule (the check says so); with it, 403.
  assert.equal(without.phpCgi!.works, true, 'no PHP source shown');
  assert.deepEqual([withD.phpCgi!.works, withD.phpCgi!.status], [true, 403]);
});

test('mamori patch check: the same checks from the CLI; exit 1 when a defence does not work, 2 on a bad name', { skip: missing ?? false, timeout: 60_000 }, async () => {
  const ok = await runCli(['patch', 'check', `http://127.0.0.1:${ports.with}/`, '--defence', 'shellshock', '--defence', 'phpCgi']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^ok {4}shellshock: http:\/\/127\.0\.0\.1:\d+\/cgi-bin\/ answered 400$/m);
  assert.match(ok.stdout, /^ok {4}phpCgi: http:\/\/127\.0\.0\.1:\d+\/index\.php\?-s answered 403$/m);
  const bad = await runCli(['patch', 'check', `http://127.0.0.1:${ports.without}/`, '--defence', 'shellshock', '--format', 'json']);
  assert.equal(bad.code, 1, bad.stderr);
  assert.deepEqual((JSON.parse(bad.stdout) as { key: string; works: boolean; status: number }[]).map((r) => [r.key, r.works, r.status]), [['shellshock', false, 200]]);
  const wrong = await runCli(['patch', 'check', `http://127.0.0.1:${ports.with}/`, '--defence', 'heartbleed']);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--defence/);
});
