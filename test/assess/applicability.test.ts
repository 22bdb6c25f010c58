/**
 * Advice that fits the server: CVEs with applicability conditions (data/applicability.ts) on realistic
 * inventories — a CentOS 6 host with Apache and mod_php (PHP built from source), a Debian host with nginx and
 * php-fpm, a site scan that saw only banners — against the real data (../shared/data in a temp knowledge DB).
 * Never a critical "exploited in the wild" on the wrong platform; not applicable → out of the counts, listed
 * with the reason; unknown → kept with the condition named and lower confidence.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assess } from '../../src/core/assess/index.js';
import { applicabilityOf, serverFacts } from '../../src/core/assess/applicability.js';
import { APPLICABILITY } from '../../src/core/assess/data/applicability.js';
import type { VulnerabilityEvidence } from '../../src/core/evidence.js';
import { emptyInventory, type Finding, type Inventory } from '../../src/core/model.js';
import { messages } from '../../src/core/messages/index.js';
import { apacheModule, nginxFeatures, parseNginxText } from '../../src/collect/host/webconf.js';
import { buildDb, hasSharedData, SKIP_NO_DATA, sliceFor } from './helpers.js';

const NOW = new Date('2026-11-23T00:00:00Z');
let db: ReturnType<typeof buildDb> | undefined;
before(() => {
  if (hasSharedData) db = buildDb();
});
after(() => db?.cleanup());

/** CentOS 6, Apache 2.2.34 and PHP 5.3.10 built from source under /usr/local, PHP as mod_php, mod_proxy not loaded. */
function centos6ModPhp(): Inventory {
  return {
    ...emptyInventory(),
    os: { family: 'centos', name: 'CentOS', version: '6.10', detectedBy: '/etc/redhat-release' },
    components: [
      { name: 'php', version: '5.3.10', detectedBy: 'command:/usr/local/bin/php -v', location: '/usr/local/bin/php' },
      { name: 'apache-httpd', version: '2.2.34', detectedBy: 'command:/usr/local/apache2/bin/httpd -v', location: '/usr/local/apache2/bin/httpd' },
    ],
    php: [
      { binary: '/usr/local/bin/php', sapi: 'cli', version: '5.3.10' },
      { binary: 'mod_php', sapi: 'apache2handler', version: '5.3.10', iniFile: '/usr/local/lib/php.ini' },
    ],
    webServers: [
      {
        server: 'apache-httpd',
        files: ['/usr/local/apache2/conf/httpd.conf'],
        features: ['mod_alias', 'mod_dir', 'mod_mime', 'mod_php', 'mod_rewrite', 'mod_ssl'],
        sites: [{ names: ['shop.example.jp'], listen: ['80'], root: '/usr/local/apache2/htdocs', aliases: [], file: '/usr/local/apache2/conf/httpd.conf' }],
      },
    ],
  };
}

/** Debian 10, nginx, PHP 7.3.10 built from source and run by php-fpm; `splitPathInfo`: the nginx config CVE-2019-11043 needs. */
function debianNginxFpm(splitPathInfo: boolean): Inventory {
  return {
    ...emptyInventory(),
    os: { family: 'debian', name: 'Debian GNU/Linux', version: '10', codename: 'buster', detectedBy: '/etc/os-release' },
    components: [{ name: 'php', version: '7.3.10', detectedBy: 'command:/opt/php/sbin/php-fpm -v', location: '/opt/php/sbin/php-fpm' }],
    php: [{ binary: '/opt/php/sbin/php-fpm', sapi: 'fpm-fcgi', version: '7.3.10' }],
    webServers: [
      {
        server: 'nginx',
        files: ['/etc/nginx/nginx.conf', '/etc/nginx/sites-enabled/shop'],
        features: splitPathInfo ? ['fastcgi_pass', 'fastcgi_split_path_info'] : ['fastcgi_pass'],
        sites: [{ names: ['shop.example.jp'], listen: ['80'], root: '/var/www/shop', aliases: [], file: '/etc/nginx/sites-enabled/shop' }],
      },
    ],
  };
}

/** A site scan that saw `Server: Apache/2.2.15 (CentOS)` and `X-Powered-By: PHP/5.3.3` only. */
function bannerOnly(): Inventory {
  return {
    ...emptyInventory(),
    os: { family: 'centos', name: 'CentOS', version: '6', detectedBy: 'header:Server (inferred from versions)' },
    components: [
      { name: 'apache-httpd', version: '2.2.15', detectedBy: 'header:Server', location: 'https://shop.example.jp/', confidence: 90, distroBuild: true },
      { name: 'php', version: '5.3.3', detectedBy: 'header:X-Powered-By', location: 'https://shop.example.jp/', confidence: 90, distroBuild: true },
    ],
  };
}

const evidence = (f: Finding) => f.evidence as VulnerabilityEvidence;
const phpAggregate = (fs: Finding[]) => fs.find((f) => f.category === 'vulnerability' && f.component?.name === 'php' && Array.isArray(evidence(f).cves));
const kevFinding = (fs: Finding[], cve: string) => fs.find((f) => f.category === 'vulnerability' && f.cves?.length === 1 && f.cves[0] === cve && evidence(f).kev);

test('every applicability entry names its source and a product the matchers judge', () => {
  for (const [cve, rules] of Object.entries(APPLICABILITY)) {
    assert.match(cve, /^CVE-\d{4}-\d{4,}$/);
    for (const r of rules) {
      assert.match(r.source, /^https:\/\//, `${cve}: source`);
      assert.ok(['php', 'apache-httpd', 'nginx'].includes(r.product), `${cve}: product ${r.product}`);
      assert.ok(r.requires.length > 0, `${cve}: at least one requirement`);
    }
  }
  // The ones the issue names.
  for (const cve of ['CVE-2024-4577', 'CVE-2012-1823', 'CVE-2019-11043', 'CVE-2024-8926', 'CVE-2021-40438', 'CVE-2021-44790', 'CVE-2023-44487', 'CVE-2021-23017', 'CVE-2022-41741', 'CVE-2024-24989']) assert.ok(APPLICABILITY[cve], cve);
});

test('conditions against facts: Linux, mod_php, nginx config read → not applicable with the reason; banners only → unknown', () => {
  const host = serverFacts(centos6ModPhp(), 'host');
  const a = applicabilityOf(host, 'php', 'CVE-2024-4577');
  assert.equal(a.status, 'not-applicable');
  assert.equal(a.status === 'not-applicable' && messages.render('en', a.reason), 'needs Windows; this server runs CentOS');
  const cgi = applicabilityOf(host, 'php', 'CVE-2012-1823');
  assert.equal(cgi.status === 'not-applicable' && messages.render('en', cgi.reason), 'needs PHP running as CGI (php-cgi); PHP here runs as mod_php');
  assert.equal(applicabilityOf(host, 'php', 'CVE-2019-11043').status, 'not-applicable');
  assert.equal(applicabilityOf(host, 'apache-httpd', 'CVE-2021-40438').status, 'not-applicable', 'mod_proxy is not loaded');
  assert.equal(applicabilityOf(host, 'apache-httpd', 'CVE-2024-47252').status, 'applies', 'mod_ssl is loaded');
  assert.equal(applicabilityOf(host, 'php', 'CVE-2019-11041').status, 'applies', 'no conditions: applies');

  const site = serverFacts(bannerOnly(), 'site');
  assert.equal(applicabilityOf(site, 'php', 'CVE-2024-4577').status, 'not-applicable', 'the banner says CentOS');
  const u = applicabilityOf(site, 'php', 'CVE-2012-1823');
  assert.equal(u.status, 'unknown');
  assert.equal(u.status === 'unknown' && messages.render('ja', u.condition), 'PHP を CGI (php-cgi) で動かしている場合のみ');
  assert.equal(applicabilityOf(site, 'apache-httpd', 'CVE-2021-40438').status, 'unknown', 'modules are not visible from outside');

  const fpm = serverFacts(debianNginxFpm(true), 'host');
  assert.equal(applicabilityOf(fpm, 'php', 'CVE-2019-11043').status, 'applies');
  assert.equal(applicabilityOf(serverFacts(debianNginxFpm(false), 'host'), 'php', 'CVE-2019-11043').status, 'not-applicable');
  // A configuration with an unreadable include: absence proves nothing.
  const partial = debianNginxFpm(false);
  partial.webServers![0]!.partial = true;
  assert.equal(applicabilityOf(serverFacts(partial, 'host'), 'php', 'CVE-2019-11043').status, 'unknown');
});

test('collector: LoadModule lines and nginx directives become features', () => {
  assert.equal(apacheModule(['proxy_module', 'modules/mod_proxy.so']), 'mod_proxy');
  assert.equal(apacheModule(['php5_module', 'modules/libphp5.so']), 'mod_php');
  assert.equal(apacheModule(['http2_module', '/usr/lib/apache2/modules/mod_http2.so']), 'mod_http2');
  const tree = parseNginxText(
    'http { resolver 8.8.8.8; server { listen 443 ssl http2; listen 443 quic; location ~ \\.php$ { fastcgi_split_path_info ^(.+\\.php)(/.+)$; fastcgi_pass unix:/run/php/php-fpm.sock; } location /v { mp4; } } }',
    '/etc/nginx/nginx.conf',
  );
  assert.deepEqual(nginxFeatures(tree), ['fastcgi_pass', 'fastcgi_split_path_info', 'http2', 'mp4', 'quic', 'resolver']);
});

test('CentOS 6 Apache + mod_php: no "exploited in the wild" for CVE-2024-4577, CVE-2012-1823 or CVE-2019-11043; listed as not applicable', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const inv = centos6ModPhp();
  const out = assess({ target: { kind: 'host', name: 'shop01' }, inventory: inv, findings: [], knowledge: sliceFor(db.dbPath, inv), now: NOW, lang: 'en' });
  for (const cve of ['CVE-2024-4577', 'CVE-2012-1823', 'CVE-2019-11043']) {
    assert.equal(kevFinding(out.findings, cve), undefined, `${cve} must not be reported as exploited here`);
    assert.ok(!out.findings.some((f) => f.cves?.includes(cve)), `${cve} is in no finding's CVE list`);
  }
  const agg = phpAggregate(out.findings);
  assert.ok(agg, 'the PHP 5.3.10 CVEs are still reported');
  const na = evidence(agg).notApplicable ?? [];
  assert.deepEqual(
    ['CVE-2012-1823', 'CVE-2019-11043', 'CVE-2024-4577'].map((id) => na.find((n) => n.id === id)?.reason),
    ['needs PHP running as CGI (php-cgi); PHP here runs as mod_php', 'needs nginx; the web server here is Apache httpd', 'needs Windows; this server runs CentOS'],
  );
  // The count in the title is the applicable CVEs only.
  assert.equal(agg.message?.params?.count, evidence(agg).cves!.length);
  // A dead line: no "update to 5.3.29" (itself unsupported); the line is dead, with what even 5.3.29 keeps.
  const steps = agg.remediation.steps ?? [];
  assert.ok(!steps.some((s) => s.actionMessage?.code === 'assess.action.upstreamUpdate'), 'never "update within the dead line"');
  const dead = steps.find((s) => s.actionMessage?.code === 'assess.step.deadLine');
  assert.ok(dead, `the dead line is said: ${steps.map((s) => s.action).join(' | ')}`);
  assert.equal(dead.actionMessage!.params!.latest, '5.3.29');
  assert.ok(Number(dead.actionMessage!.params!.count) > 0, 'even 5.3.29 keeps known CVEs');
  assert.match(String(dead.actionMessage!.params!.successor), /^8\.\d+$/);
  // Apache's mod_proxy CVEs are out; the OS is dead too, so no distribution update leads anything.
  const httpd = out.findings.find((f) => f.component?.name === 'apache-httpd' && f.category === 'vulnerability' && Array.isArray(evidence(f).cves));
  if (httpd) assert.ok(!httpd.cves!.includes('CVE-2021-40438'));
});

test('Debian nginx + php-fpm with fastcgi_split_path_info: CVE-2019-11043 is exploited in the wild here; without it, not applicable', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const run = (inv: Inventory) => assess({ target: { kind: 'host', name: 'web05' }, inventory: inv, findings: [], knowledge: sliceFor(db!.dbPath, inv), now: NOW, lang: 'en' });
  const vulnerable = run(debianNginxFpm(true));
  const k = kevFinding(vulnerable.findings, 'CVE-2019-11043');
  assert.ok(k, 'reported as exploited');
  assert.equal(k.message?.code, 'assess.title.kev');
  assert.ok(['high', 'critical'].includes(k.severity));
  assert.equal(kevFinding(vulnerable.findings, 'CVE-2024-4577'), undefined, 'Linux: CVE-2024-4577 does not apply');
  const safe = run(debianNginxFpm(false));
  assert.equal(kevFinding(safe.findings, 'CVE-2019-11043'), undefined);
  assert.ok(evidence(phpAggregate(safe.findings)!).notApplicable?.some((n) => n.id === 'CVE-2019-11043' && /fastcgi_split_path_info/.test(n.reason)));
});

test('site scan with only banners: CVE-2012-1823 kept with the condition named, at most high, lower confidence; CVE-2024-4577 not applicable', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const inv = bannerOnly();
  const out = assess({ target: { kind: 'site', name: 'https://shop.example.jp/' }, inventory: inv, findings: [], knowledge: sliceFor(db.dbPath, inv), now: NOW, lang: 'ja' });
  assert.equal(kevFinding(out.findings, 'CVE-2024-4577'), undefined);
  assert.equal(kevFinding(out.findings, 'CVE-2019-11043'), undefined, 'the web server is Apache');
  const cgi = kevFinding(out.findings, 'CVE-2012-1823');
  assert.ok(cgi, 'kept: mamori cannot see the SAPI from outside');
  assert.equal(cgi.message?.code, 'assess.title.kevIf.sapi');
  assert.match(cgi.title, /PHP を CGI \(php-cgi\) で動かしている場合のみ該当します/);
  assert.notEqual(cgi.severity, 'critical');
  assert.ok((cgi.confidence ?? 100) <= 50);
  // Nothing on this server is "critical exploited in the wild" for a platform it does not run.
  assert.ok(!out.findings.some((f) => f.severity === 'critical' && evidence(f).kev && f.cves?.some((c) => ['CVE-2024-4577', 'CVE-2019-11043'].includes(c))));
  // A dead OS: the distribution build's first step is not "apply the distribution's updates".
  const agg = phpAggregate(out.findings)!;
  assert.equal(agg.remediation.actionMessage?.code, 'assess.step.distroBuildEolOs');
  assert.ok(!(agg.remediation.steps ?? []).some((s) => s.actionMessage?.code === 'assess.action.distroBuildConfirm'));
});
