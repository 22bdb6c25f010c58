import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ExecResult, ReadResult, Transport, WalkEntry } from '../transport/types.js';
import { readApacheConfig, readNginxConfig } from './webconf.js';

/** Files in memory; each read answers after the delay given for it (includes load at once, in any order). */
class MemoryTransport implements Transport {
  readonly kind = 'local' as const;
  readonly name = 'memory';
  reads = 0;
  constructor(
    private readonly files: Record<string, string>,
    private readonly delay: (path: string) => number = () => 0,
  ) {}
  async run(): Promise<ExecResult> {
    return { code: 127, stdout: Buffer.alloc(0), stderr: 'not here', failure: 'missing' };
  }
  async readFile(path: string): Promise<ReadResult> {
    this.reads++;
    await new Promise((r) => setTimeout(r, this.delay(path)));
    const text = this.files[path];
    return text === undefined ? { ok: false, failure: 'missing', detail: 'ENOENT' } : { ok: true, data: Buffer.from(text), truncated: false };
  }
  async walk(): Promise<{ entries: WalkEntry[]; truncated: boolean }> {
    return { entries: [], truncated: false };
  }
  async listDir(path: string): Promise<{ name: string; type: WalkEntry['type'] }[] | undefined> {
    const names = Object.keys(this.files)
      .filter((f) => f.startsWith(`${path}/`) && !f.slice(path.length + 1).includes('/'))
      .map((f) => ({ name: f.slice(path.length + 1), type: 'f' as const }));
    return names.length ? names : undefined;
  }
  async close(): Promise<void> {}
}

const NGINX: Record<string, string> = {
  '/etc/nginx/nginx.conf': 'include /etc/nginx/modules/*.conf;\nhttp {\n  include mime.types;\n  include /etc/nginx/sites/*;\n  include /etc/nginx/missing.conf;\n}\n',
  '/etc/nginx/modules/a.conf': 'load_module a.so;\n',
  '/etc/nginx/modules/b.conf': 'load_module b.so;\ninclude /etc/nginx/modules/deep/*.conf;\n',
  '/etc/nginx/modules/deep/c.conf': 'load_module c.so;\n',
  '/etc/nginx/mime.types': 'types { text/html html; }\n',
  '/etc/nginx/sites/one': 'server { server_name one.example; root /var/www/one; }\n',
  '/etc/nginx/sites/two': 'server { server_name two.example; root /var/www/two; location /x { deny all; } }\n',
};

const APACHE: Record<string, string> = {
  '/etc/httpd/conf/httpd.conf': 'ServerRoot "/etc/httpd"\nInclude conf.modules.d/*.conf\nDocumentRoot "/var/www/html"\nIncludeOptional conf.d/*.conf\n',
  '/etc/httpd/conf.modules.d/00-base.conf': 'LoadModule a_module modules/a.so\n',
  '/etc/httpd/conf.modules.d/10-php.conf': 'LoadModule php_module modules/php.so\n',
  '/etc/httpd/conf.d/shop.conf': '<VirtualHost *:80>\nServerName shop.example\nDocumentRoot /var/www/shop\n</VirtualHost>\n',
  '/etc/httpd/conf.d/ssl.conf': '<VirtualHost *:443>\nServerName shop.example\nDocumentRoot /var/www/shop\nSSLProtocol all -SSLv3\n</VirtualHost>\n',
};

test('configuration includes load at once yet come out in configuration order, whatever order the reads finish in (property)', async () => {
  const expectedNginx = await readNginxConfig(new MemoryTransport(NGINX), '/etc/nginx/nginx.conf');
  assert.deepEqual(expectedNginx.files, ['/etc/nginx/nginx.conf', '/etc/nginx/modules/a.conf', '/etc/nginx/modules/b.conf', '/etc/nginx/modules/deep/c.conf', '/etc/nginx/mime.types', '/etc/nginx/sites/one', '/etc/nginx/sites/two']);
  assert.deepEqual(
    expectedNginx.sites.map((s) => s.root),
    ['/var/www/one', '/var/www/two'],
  );
  assert.equal(expectedNginx.problems.length, 1);
  const expectedApache = await readApacheConfig(new MemoryTransport(APACHE), '/etc/httpd', 'conf/httpd.conf');
  assert.deepEqual(expectedApache.files, ['/etc/httpd/conf/httpd.conf', '/etc/httpd/conf.modules.d/00-base.conf', '/etc/httpd/conf.modules.d/10-php.conf', '/etc/httpd/conf.d/shop.conf', '/etc/httpd/conf.d/ssl.conf']);
  await fc.assert(
    fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 12, maxLength: 12 }), async (delays) => {
      const delay = (p: string) => delays[[...p].reduce((a, c) => a + c.charCodeAt(0), 0) % delays.length]!;
      assert.deepEqual(await readNginxConfig(new MemoryTransport(NGINX, delay), '/etc/nginx/nginx.conf'), expectedNginx);
      assert.deepEqual(await readApacheConfig(new MemoryTransport(APACHE, delay), '/etc/httpd', 'conf/httpd.conf'), expectedApache);
    }),
    { numRuns: 25 },
  );
});

test('an include bomb stops at the file limit even though includes load at once', async () => {
  const files: Record<string, string> = { '/etc/nginx/nginx.conf': 'include /etc/nginx/many/*.conf;\n' };
  for (let i = 0; i < 1000; i++) files[`/etc/nginx/many/${String(i).padStart(4, '0')}.conf`] = 'include /etc/nginx/many/*.conf;\n';
  const t = new MemoryTransport(files);
  const cfg = await readNginxConfig(t, '/etc/nginx/nginx.conf');
  assert.ok(t.reads <= 300, `${t.reads} reads`);
  assert.ok(cfg.problems.some((p) => /include limit reached/.test(p)));
});
