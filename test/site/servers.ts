/**
 * Real fixture servers for the site tests and the benchmark: Debian's nginx (and php-fpm for real PHP pages)
 * on free 127.0.0.1 ports, with a CA and certificates made by the openssl CLI in a temp dir. Everything is
 * written under the temp dir and stopped by `stop()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { strToU8, zipSync } from 'fflate';

export const fixtureRoot = fileURLToPath(new URL('../fixtures/site/', import.meta.url));

export function which(bin: string): string | undefined {
  for (const d of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/bin', '/usr/local/sbin']) if (existsSync(join(d, bin))) return join(d, bin);
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const okay = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (okay) return;
    if (Date.now() > until) throw new Error(`port ${port} did not open`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

export interface Pki {
  caCert: string;
  cert: string;
  key: string;
}

/** A CA and a leaf certificate for 127.0.0.1 / localhost, made by the openssl CLI. */
export function makePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '365', '-subj', '/CN=mamori test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '200', '-sha256', '-extfile', 'ext.cnf'], dir);
  return { caCert: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

export interface NginxFixture {
  dir: string;
  pki: Pki;
  /** Old site: http (no redirect) and https with TLS 1.0–1.2 and every cipher. */
  oldHttp: number;
  oldHttps: number;
  /** Modern site: http redirects to https; TLS 1.2/1.3 only, headers set. */
  modernHttp: number;
  modernHttps: number;
  accessLog: string;
  php: boolean;
  stop(): Promise<void>;
}

function stopChild(p: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGQUIT'): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      p.kill('SIGKILL');
    }, 3000);
    p.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    p.kill(signal);
  });
}

/** Copy a fixture docroot, restoring names git cannot hold (`_git` → `.git`, `_env` → `.env`). */
export function copyDocroot(name: string, to: string): string {
  cpSync(join(fixtureRoot, name), to, { recursive: true });
  if (existsSync(join(to, '_git'))) renameSync(join(to, '_git'), join(to, '.git'));
  if (existsSync(join(to, '_env'))) renameSync(join(to, '_env'), join(to, '.env'));
  return to;
}

export async function startNginx(opts: { withPhp?: boolean } = {}): Promise<NginxFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-'));
  // nginx workers run as nobody: the docroots must be readable by them.
  chmodSync(dir, 0o755);
  const pki = makePki(join(dir, 'pki'));
  const oldRoot = copyDocroot('old', join(dir, 'old'));
  const cleanRoot = copyDocroot('clean', join(dir, 'clean'));
  // An old-style export: Shift_JIS, Japanese file name (probed URL-encoded), CRLF line ends.
  const sjis = ['会員番号,氏名,郵便番号,住所,電話番号', '2001,山本 直樹,〒150-0002,東京都渋谷区渋谷2-21-1,03-5468-1123', '2002,中村 さくら,〒604-8005,京都府京都市中京区河原町通三条上る,075-231-4567', '2003,小林 拓也,〒980-0021,宮城県仙台市青葉区中央1-3-1,022-262-7788'].join('\r\n');
  writeFileSync(join(oldRoot, 'csv', '会員.csv'), iconv.encode(sjis, 'cp932'));
  // A site backup left in the document root, with a dump inside.
  writeFileSync(join(oldRoot, 'backup.zip'), zipSync({ 'db/customers.sql': strToU8(readFileSync(join(oldRoot, 'backup', 'backup.sql'), 'utf8')), 'www/index.html': strToU8('<html></html>') }));
  for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, 'tmp', t), { recursive: true });
  const [oldHttp, oldHttps, modernHttp, modernHttps] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const sock = join(dir, 'php-fpm.sock');
  let fpm: ChildProcess | undefined;
  const fpmBin = which('php-fpm8.2') ?? which('php-fpm');
  const php = Boolean(opts.withPhp !== false && fpmBin);
  if (php && fpmBin) {
    writeFileSync(
      join(dir, 'php-fpm.conf'),
      `[global]\npid = ${dir}/php-fpm.pid\nerror_log = ${dir}/php-fpm.log\ndaemonize = no\n[www]\nlisten = ${sock}\nlisten.mode = 0666\npm = static\npm.max_children = 2\nphp_admin_value[session.save_path] = ${dir}/tmp\nphp_admin_value[expose_php] = On\n`,
    );
    fpm = spawn(fpmBin, ['-F', '-R', '-y', join(dir, 'php-fpm.conf')], { stdio: 'ignore' });
  }
  const phpLoc = php ? `location ~ \\.php$ { fastcgi_pass unix:${sock}; include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name; }` : '';
  const accessLog = join(dir, 'access.log');
  const conf = `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${accessLog};
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server {
    listen 127.0.0.1:${oldHttp};
    listen 127.0.0.1:${oldHttps} ssl;
    ssl_certificate ${pki.cert};
    ssl_certificate_key ${pki.key};
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers ALL:@SECLEVEL=0;
    server_tokens on;
    root ${oldRoot};
    index index.html index.php;
    autoindex on;
    add_header X-Powered-By "PHP/5.3.3";
    ${phpLoc}
  }
  server {
    listen 127.0.0.1:${modernHttp};
    server_tokens off;
    return 301 https://127.0.0.1:${modernHttps}$request_uri;
  }
  server {
    listen 127.0.0.1:${modernHttps} ssl;
    http2 off;
    ssl_certificate ${pki.cert};
    ssl_certificate_key ${pki.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    server_tokens off;
    root ${cleanRoot};
    index index.html;
    autoindex off;
    add_header Strict-Transport-Security "max-age=63072000" always;
    add_header Content-Security-Policy "default-src 'self'; frame-ancestors 'self'" always;
    add_header X-Content-Type-Options nosniff always;
    add_header X-Frame-Options SAMEORIGIN always;
    add_header Referrer-Policy strict-origin-when-cross-origin always;
    location ~ /\\. { deny all; }
  }
}
`.replace('    http2 off;\n', '');
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const nginx = spawn(which('nginx') ?? 'nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errText = '';
  nginx.stderr?.on('data', (d: Buffer) => (errText += d.toString()));
  const stop = async () => {
    await stopChild(nginx);
    await stopChild(fpm);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all([oldHttp, oldHttps, modernHttp, modernHttps].map((p) => waitForPort(p)));
    if (php) {
      const until = Date.now() + 10_000;
      while (!existsSync(sock) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
    await stop();
    throw new Error(`${(err as Error).message}\n${errText}\n${log}`);
  }
  return { dir, pki, oldHttp, oldHttps, modernHttp, modernHttps, accessLog, php, stop };
}
