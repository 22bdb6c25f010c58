/**
 * `scan site` against real nginx (+ php-fpm): the old site with the planted risks of docs/field/peers.md §2
 * (all found), and the modern site (nothing above info reported). Requests are counted from nginx's log.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { messages } from '../../src/core/messages/index.js';
import { defaultHttpOptions } from '../../src/probe/http.js';
import { loadClassifier } from '../../src/probe/pii.js';
import { scanSite, type SiteScanResult } from '../../src/probe/site.js';
import type { Finding } from '../../src/core/model.js';
import { startNginx, which, type NginxFixture } from './servers.js';

const nginxMissing = !which('nginx') ? 'nginx not installed: apt-get install nginx-light' : !which('openssl') ? 'openssl CLI not installed' : false;

async function scan(url: string, o: { httpsPort?: number; ca?: string } = {}): Promise<SiteScanResult> {
  const cl = await loadClassifier();
  return scanSite({
    url,
    http: { ...defaultHttpOptions('mamori-test (security assessment)'), ratePerSec: 500, timeoutMs: 5000 },
    maxPages: 50,
    httpsPort: o.httpsPort,
    ca: o.ca ? [readFileSync(o.ca, 'utf8')] : [],
    now: new Date(),
    t: (c, p) => messages.t('en', c, p),
    classifier: cl.ok ? cl.value : undefined,
  });
}

const bySource = (r: SiteScanResult, source: string) => r.findings.filter((f) => f.source === source);
const at = (fs: Finding[], path: string) => fs.find((f) => (f.location ?? '').endsWith(path));

describe('scan site on nginx', { skip: nginxMissing }, () => {
  let fx: NginxFixture;
  let old: SiteScanResult;
  let oldRequests = 0;
  let oldLog: string[] = [];
  let modern: SiteScanResult;

  before(async () => {
    fx = await startNginx();
    const before = readFileSync(fx.accessLog, 'utf8').split('\n').filter(Boolean).length;
    old = await scan(`http://127.0.0.1:${fx.oldHttp}/`, { httpsPort: fx.oldHttps });
    oldLog = readFileSync(fx.accessLog, 'utf8').split('\n').filter(Boolean).slice(before);
    oldRequests = oldLog.length;
    modern = await scan(`http://127.0.0.1:${fx.modernHttp}/`, { ca: fx.pki.caCert });
  });
  after(async () => {
    await fx?.stop();
  });

  it('finds exposed customer files and judges their content (risk 1)', () => {
    const pii = old.findings.filter((f) => f.category === 'personal-data-exposure');
    const dump = at(pii, '/backup/backup.sql');
    const csv = at(pii, '/data/customers.csv');
    assert.ok(dump, 'backup.sql with customer rows is personal-data-exposure');
    assert.ok(csv, 'customers.csv is personal-data-exposure');
    const sjis = at(pii, '/csv/%E4%BC%9A%E5%93%A1.csv');
    assert.ok(sjis, 'a Shift_JIS export with a Japanese name (会員.csv) is found and read');
    assert.equal((sjis.evidence as { personalData: { encoding: string } }).personalData.encoding, 'shift_jis');
    const ev = dump.evidence as { rows: number; tables: string[]; personalData: { records: number; samples: string[] } };
    assert.equal(ev.rows, 5);
    assert.ok(ev.tables.includes('dtb_customer'));
    assert.ok(ev.personalData.records >= 5);
    // Masked samples only: no full phone number or e-mail address of the fixture leaks into the report.
    const json = JSON.stringify(old);
    assert.doesNotMatch(json, /090-4821-7713|kenichi\.sato@mail-test\.jp/);
    assert.ok(['high', 'critical'].includes(dump.severity));
    const products = old.findings.find((f) => f.location?.endsWith('/csv/products.csv'));
    assert.equal(products?.category, 'sensitive-file-exposure', 'a product catalogue is no personal data');
    assert.equal(products?.severity, 'low');
    const zip = at(bySource(old, 'exposure.archive'), '/backup.zip');
    assert.ok(zip, 'backup.zip (magic bytes)');
    assert.deepEqual((zip.evidence as { dataMembers: string[] }).dataMembers, ['db/customers.sql'], 'members named from the central directory');
    assert.ok(at(bySource(old, 'exposure.log'), '/logs/access.log'), 'access.log');
    assert.ok(at(bySource(old, 'exposure.git'), '/.git/HEAD'), '.git/HEAD');
    assert.ok(at(bySource(old, 'exposure.env'), '/.env'), '.env');
    assert.ok(at(bySource(old, 'exposure.config-backup'), '/wp-config.php.bak'), 'wp-config.php.bak');
    assert.ok(at(bySource(old, 'exposure.installer-eccube'), '/install/'), 'EC-CUBE installer');
    assert.ok(at(bySource(old, 'exposure.phpinfo'), '/phpinfo.php'), 'phpinfo (real PHP via php-fpm)');
    assert.ok(at(bySource(old, 'exposure.mailform-log'), '/cgi-bin/data/log.cgi'), 'mail-form log');
    assert.ok(at(bySource(old, 'exposure.mailform-config'), '/cgi-bin/init.cgi'), 'mail-form config');
    assert.ok(at(bySource(old, 'exposure.cgi-source'), '/cgi-bin/postmail.cgi'), 'CGI served as source');
    const listings = bySource(old, 'exposure.listing').map((f) => new URL(f.location!).pathname).sort();
    assert.deepEqual(listings, ['/backup/', '/cgi-bin/', '/csv/', '/data/', '/logs/']);
    assert.ok(listings.every((p) => old.findings.find((f) => f.location?.endsWith(p))?.category === 'information-disclosure'));
  });

  it('finds plaintext forms, the missing redirect and HSTS, the session cookie (risk 2)', () => {
    const action = bySource(old, 'transport.form-http-action');
    assert.ok(action.some((f) => (f.evidence as { action: string }).action === 'http://shop.example.jp/entry/kakunin.php'), 'registration form posts to http://');
    assert.ok((action[0]!.evidence as { fields: string[] }).fields.includes('password'));
    const onHttp = bySource(old, 'transport.form-on-http-page').map((f) => new URL(f.location!).pathname);
    assert.ok(onHttp.includes('/entry/index.html') || onHttp.includes('/entry/'), 'registration page served over http');
    assert.ok(onHttp.includes('/campaign/entry.html'), 'a page known only from sitemap.xml (listed in robots.txt) is crawled');
    assert.equal(bySource(old, 'transport.no-redirect').length, 1);
    assert.equal(bySource(old, 'header.hsts').length, 1);
    assert.equal(bySource(old, 'transport.mixed-content').length, 1);
    const cookie = bySource(old, 'cookie.session-flags');
    assert.ok(cookie.some((f) => (f.evidence as { cookie: string }).cookie === 'PHPSESSID'));
    assert.equal(old.observatory?.grade, 'F');
  });

  it('names the obsolete protocols and weak suites, and grades TLS like testssl (risk 2)', () => {
    const offered = old.tls!.protocols.filter((p) => p.offered).map((p) => p.protocol);
    assert.deepEqual(offered, ['TLSv1', 'TLSv1.1', 'TLSv1.2']);
    assert.equal(bySource(old, 'tls.tls10').length, 1);
    assert.equal(bySource(old, 'tls.tls11').length, 1);
    assert.equal(bySource(old, 'tls.sslv3').length, 0);
    const weak = bySource(old, 'tls.weak-cipher').map((f) => (f.evidence as { family: string }).family);
    assert.ok(weak.includes('anon'), 'anonymous suites (AECDH) accepted');
    const grade = bySource(old, 'tls.grade')[0]!;
    assert.equal((grade.evidence as { gradeIfTrusted: string }).gradeIfTrusted, 'F', 'anonymous suites cap the grade at F');
    assert.equal((grade.evidence as { grade: string }).grade, 'T', 'untrusted chain shows as T, as SSL Labs does');
    // No --ca for the old site: the chain does not verify against the system store.
    assert.equal(bySource(old, 'cert.untrusted').length, 1);
  });

  it('fingerprints components with versions (risks 3 and 4)', () => {
    const c = (n: string) => old.inventory.components.find((x) => x.name === n);
    assert.equal(c('wordpress')?.version, '4.9.8');
    assert.equal(c('jquery')?.version, '1.4.2');
    assert.equal(c('nginx')?.version, '1.22.1');
    assert.ok(c('ec-cube'), 'EC-CUBE');
    assert.equal(c('kent-postmail')?.version, '5.2');
    assert.match(c('php')?.version ?? '', /^8\.2\./, 'phpinfo (the real PHP) outranks the planted header');
    assert.equal(c('php')?.detectedBy, 'file:/phpinfo.php');
    const plugin = old.inventory.packages.find((p) => p.name === 'contact-form-7');
    assert.equal(plugin?.ecosystem, 'wordpress-plugin');
    assert.equal(plugin?.version, '4.9');
    const banners = bySource(old, 'info.version-banner').map((f) => (f.evidence as { value: string }).value);
    assert.ok(banners.includes('nginx/1.22.1') && banners.includes('PHP/5.3.3'));
  });

  it('gives stable ids: category prefix and no volatile parts', () => {
    for (const f of old.findings) assert.match(f.id, /^[A-Z]+-[0-9a-f]{12}$/);
    assert.equal(new Set(old.findings.map((f) => f.id)).size, old.findings.length);
    assert.ok(old.findings.every((f) => f.remediation.action.length > 0 && f.source));
  });

  it('stays within the request budget (counted in the nginx access log)', () => {
    assert.ok(oldRequests > 50 && oldRequests <= 500, `requests: ${oldRequests}`);
    assert.ok(old.stats.requests <= 500);
    // Read-only and identifiable: GET/HEAD only, every request with mamori's User-Agent.
    assert.deepEqual(oldLog.filter((l) => !/"(?:GET|HEAD) /.test(l)), []);
    assert.deepEqual(oldLog.filter((l) => !l.includes('mamori-test (security assessment)')), []);
  });

  it('reports nothing above info on the modern site', () => {
    const noisy = modern.findings.filter((f) => f.severity !== 'info');
    assert.deepEqual(noisy.map((f) => f.title), []);
    assert.equal(modern.observatory?.grade, 'A+');
    assert.equal((bySource(modern, 'tls.grade')[0]!.evidence as { grade: string }).grade, 'A+');
    assert.deepEqual(modern.tls!.protocols.filter((p) => p.offered).map((p) => p.protocol), ['TLSv1.2', 'TLSv1.3']);
    assert.equal(modern.tls!.cert?.trusted, true, 'chain verified with the test CA given as --ca');
    assert.equal(modern.gaps.filter((g) => g.code !== 'site.gap.httpUnknown').length, 0, JSON.stringify(modern.gaps));
  });
});
