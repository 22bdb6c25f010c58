/**
 * What each gap the scanners emit leaves unchecked, on the golden documents (test/fixtures/fleet) with the gap
 * added as its emitter builds it: as narrow as the gap's meaning allows, so that a gap present on every scan of a
 * host does not keep findings it says nothing about open forever; conservative where the gap could hide them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding, Gap, ReportDocument } from '../../src/core/model.js';
import { messages } from '../../src/core/messages/index.js';
import { addGap, deadlineGap, type Ctx } from '../../src/probe/site/context.js';
import { coverageFinding, coverageOf, type CoverageFinding } from '../../src/fleet/coverage.js';
import {
  budgetGap, commandGap, configGap, docrootCapGap, golden, htaccessGap, lockGarbageGap, noUpdateinfoGap, nonUtf8Gap, piiReadGap, processListGap, upstreamCompareGap, userDirsGap, variant, versionFileGap,
} from './partial-docs.js';

const HOST = golden('host-ubuntu2204');
const CENTOS = golden('host-centos6');
const SITE = golden('site-old');
const AT = '2026-11-24T00:00:00.000Z';

const coverage = (doc: ReportDocument, gaps: readonly Gap[], patch?: (d: ReportDocument) => void) => coverageOf(variant(doc, AT, [], gaps, patch));
const checked = (c: ReturnType<typeof coverageOf>, f: Finding | CoverageFinding) => c.covers('id' in f ? coverageFinding(f as Finding) : f);
const one = (doc: ReportDocument, pred: (f: Finding) => boolean): Finding => {
  const f = doc.findings.find(pred);
  assert.ok(f, 'fixture finding');
  return f;
};
/** A finding of the golden document moved to another component / location (same source and category). */
const moved = (f: Finding, change: Partial<CoverageFinding>): CoverageFinding => ({ ...coverageFinding(f), ...change });

/** Findings a host scan of a document root produces (src/collect/host/docroots.ts, src/core/assess/library.ts, applications). */
const pii = (location: string): CoverageFinding => ({ category: 'personal-data-exposure', source: 'host:docroot', component: null, location });
const sensitive = (location: string): CoverageFinding => ({ category: 'sensitive-file-exposure', source: 'host:docroot', component: null, location });
const library = (location: string): CoverageFinding => ({ category: 'vulnerability', source: 'library:composer', component: 'guzzlehttp/guzzle', location });
const wordpress = (location: string): CoverageFinding => ({ category: 'vulnerability', source: 'upstream:wordfence', component: 'wordpress', location });

const NGINX_CVES = one(CENTOS, (f) => f.source === 'upstream:nginx');
const NGINX_EOL = one(CENTOS, (f) => f.source?.startsWith('lifecycle:') === true && f.component?.name === 'nginx');
const CENTOS_DISTRO = one(CENTOS, (f) => f.source === 'distro:rhel:6' && f.component?.name === 'openssl');
const PHP_CVES = one(HOST, (f) => f.source?.startsWith('upstream:') === true && f.title.includes('published vulnerabilities'));
const PHP_EOL = one(HOST, (f) => f.source?.startsWith('lifecycle:') === true && f.component?.name === 'php');
const PHP_INI = one(HOST, (f) => f.source === 'host:php-ini');
const PENDING = one(HOST, (f) => f.source === 'host:dpkg-pending');
const DISTRO = one(HOST, (f) => f.source?.startsWith('distro:') === true);

test('CentOS 6, nginx configuration unreadable on every scan: the nginx CVEs and end of life (from nginx -V) and package advisories are checked; its configuration findings and the roots it would declare are not', () => {
  // The gap as the real collector wrote it into the golden document (a missing include: fastcgi_params).
  const real = CENTOS.gaps.find((g) => g.code === 'host.gap.config');
  assert.ok(real && real.subject?.params?.server === 'nginx');
  const c = coverageOf(CENTOS);
  assert.deepEqual(CENTOS.findings.filter((f) => !c.covers(coverageFinding(f))).map((f) => f.id), [], 'every finding of the document is checked');
  for (const f of [NGINX_CVES, NGINX_EOL, CENTOS_DISTRO]) assert.equal(checked(c, f), true, f.id);
  // nginx from the distribution's package database: its advisories do not read the configuration.
  assert.equal(checked(c, moved(CENTOS_DISTRO, { component: 'nginx', location: 'nginx' })), true);
  assert.equal(checked(c, moved(NGINX_CVES, { location: 'package:nginx' })), true);
  // A finding from nginx's configuration (headers, TLS protocols in the config): not checked.
  assert.equal(checked(c, { category: 'security-header', source: 'host:nginx-conf', component: 'nginx', location: '/etc/nginx/conf.d/shop.conf' }), false);
  assert.equal(checked(c, { category: 'weak-tls', source: 'host:nginx-conf', component: 'nginx', location: '/etc/nginx/nginx.conf' }), false);
  // Apache's configuration was read: a gap of nginx's says nothing about it.
  assert.equal(checked(c, { category: 'security-header', source: 'host:apache-conf', component: 'apache-httpd', location: '/etc/httpd/conf/httpd.conf' }), true);
  // Document roots: those walked were checked; a file elsewhere may sit under a root the unread include declares.
  const walked = coverage(CENTOS, [configGap('nginx', '/etc/nginx/conf.d/shop.conf: denied (EACCES)')], (d) => (d.inventory.docroots = [{ path: '/var/www/html', from: 'nginx:/etc/nginx/nginx.conf' }]));
  assert.equal(checked(walked, pii('/var/www/html/backup/customers.csv')), true);
  assert.equal(checked(walked, library('/var/www/html/composer.lock')), true);
  assert.equal(checked(walked, pii('/srv/shop/htdocs/customers.csv')), false);
  assert.equal(checked(walked, wordpress('/srv/shop/htdocs')), false);
  assert.equal(checked(walked, NGINX_CVES), true);
  // A history row from before migration 0005 (no source, no location) is not held open by the permanent config gap.
  const legacy = coverage(CENTOS, [], (d) => (d.gaps = d.gaps.filter((g) => g.code !== 'host.gap.docroot')));
  assert.ok(legacy.blinds.some((b) => b.why === 'host.gap.config'));
  assert.equal(checked(legacy, { category: 'personal-data-exposure' }), true);
  assert.equal(checked(legacy, { category: 'vulnerability', component: 'nginx' }), true);
});

test('a failed version command leaves that component unchecked, not the others', () => {
  const c = coverage(HOST, [commandGap('phpV')]);
  for (const f of [PHP_CVES, PHP_EOL, PHP_INI]) assert.equal(checked(c, f), false, f.id);
  for (const f of [PENDING, DISTRO]) assert.equal(checked(c, f), true, f.id);
  const apache = coverage(HOST, [commandGap('apache2V')]);
  for (const f of [PHP_CVES, PHP_EOL, PHP_INI]) assert.equal(checked(apache, f), true, `${f.id}: apache2 -V says nothing of PHP`);
  const nginx = coverage(CENTOS, [commandGap('nginxV')]);
  assert.equal(checked(nginx, NGINX_CVES), false);
  assert.equal(checked(nginx, NGINX_EOL), false);
  assert.equal(checked(nginx, one(CENTOS, (f) => f.component?.name === 'php')), true);
  // `mysqld --version` failed: MySQL's findings, and MariaDB's (it ships a mysqld too).
  const db = coverage(HOST, [commandGap('mysqldV')]);
  assert.equal(checked(db, { category: 'end-of-life', source: 'lifecycle:endoflife', component: 'mariadb', location: 'command:mysqld --version' }), false);
  assert.equal(checked(db, { category: 'end-of-life', source: 'lifecycle:endoflife', component: 'mysql', location: 'command:mysqld --version' }), false);
  assert.equal(checked(db, PHP_CVES), true);
  // A command the rule does not know: every server component is unchecked (conservative), packages are checked.
  const other = coverage(HOST, [commandGap('someNewV')]);
  assert.equal(checked(other, PHP_CVES), false);
  assert.equal(checked(other, PENDING), true);
});

test('the process list unavailable (ps missing on every scan): installations in PATH are checked, those only processes show are not', () => {
  const c = coverage(HOST, [processListGap()]);
  for (const f of HOST.findings) assert.equal(checked(c, f), true, f.id);
  assert.equal(checked(c, moved(PHP_CVES, { location: '/opt/remi/php74/root/usr/sbin/php-fpm' })), false);
  assert.equal(checked(c, moved(NGINX_CVES, { location: '/usr/local/openresty/nginx/sbin/nginx' })), false);
  assert.equal(checked(coverage(CENTOS, [processListGap()]), NGINX_CVES), true, 'nginx -V from PATH');
});

test('document roots: a capped walk leaves that root unchecked, the user directories leave the roots not walked', () => {
  const cap = coverage(HOST, [docrootCapGap('/var/www/shop')]);
  assert.equal(checked(cap, pii('/var/www/shop/data/orders.csv')), false);
  assert.equal(checked(cap, sensitive('/var/www/shop/.env')), false);
  assert.equal(checked(cap, pii('/var/www/blog/export.csv')), true, 'another root was walked whole');
  assert.equal(checked(cap, PHP_CVES), true);
  const users = coverage(HOST, [userDirsGap()], (d) => (d.inventory.docroots = [{ path: '/srv/www/shop', from: 'apache-httpd:/etc/apache2/sites-enabled/000-default.conf' }]));
  assert.equal(checked(users, pii('/home/alice/public_html/members.csv')), false);
  assert.equal(checked(users, pii('/srv/www/shop/members.csv')), true);
  assert.equal(checked(users, PHP_INI), true);
});

test('one file of a document root: unreadable for the classifier, a name not in UTF-8, an .htaccess', () => {
  const read = coverage(HOST, [piiReadGap('/srv/www/shop/backup/orders.csv')]);
  assert.equal(checked(read, pii('/srv/www/shop/backup/orders.csv')), false);
  assert.equal(checked(read, pii('/srv/www/shop/backup/other.csv')), true);
  assert.equal(checked(read, library('/srv/www/shop/composer.lock')), true, 'the walk listed the root');
  const name = coverage(HOST, [nonUtf8Gap('/srv/www/shop/\\x8a\\x97.csv')]);
  assert.equal(checked(name, pii('/srv/www/shop/\\x8a\\x97.csv')), false);
  assert.equal(checked(name, pii('/srv/www/shop/members.csv')), true);
  for (const f of HOST.findings) assert.equal(checked(name, f), true, `${f.id}: a known code, not "unknown → all"`);
  // .htaccess only decides whether a file is served (the finding's severity), not whether there is a finding.
  const ht = coverage(HOST, [htaccessGap('/srv/www/shop/private/.htaccess')]);
  assert.equal(checked(ht, pii('/srv/www/shop/private/members.csv')), true);
});

test('web applications: an unreadable version file leaves that application unchecked; a lock file that does not parse, its libraries', () => {
  const vf = coverage(HOST, [versionFileGap('/srv/www/shop/wp-includes/version.php', 'wordpress')]);
  assert.equal(checked(vf, wordpress('/srv/www/shop')), false);
  assert.equal(checked(vf, { category: 'end-of-life', source: 'lifecycle:endoflife', component: 'wordpress', location: '/srv/www/shop' }), false);
  assert.equal(checked(vf, PHP_CVES), true);
  assert.equal(checked(vf, pii('/srv/www/shop/members.csv')), true);
  const lock = coverage(HOST, [lockGarbageGap('/srv/www/shop/composer.lock')]);
  assert.equal(checked(lock, library('/srv/www/shop/composer.lock')), false);
  assert.equal(checked(lock, library('/var/www/app/composer.lock')), true);
  for (const f of HOST.findings) assert.equal(checked(lock, f), true, `${f.id}: not the web servers`);
});

test('assessment: advisories of one product that cannot be compared leave that product\'s CVEs unchecked, not the others\' nor its end of life', () => {
  const c = coverage(HOST, [upstreamCompareGap('php', '8.1.26')]);
  assert.equal(checked(c, PHP_CVES), false);
  assert.equal(checked(c, PHP_EOL), true);
  assert.equal(checked(c, DISTRO), true);
  assert.equal(checked(c, moved(PHP_CVES, { component: 'apache-httpd', location: 'command:apache2 -V' })), true);
});

test('no security class for pending updates: the collector\'s pending-update findings are unchecked, the distribution\'s advisories are not', () => {
  const c = coverage(HOST, [noUpdateinfoGap()]);
  assert.equal(checked(c, moved(PENDING, { source: 'host:yum-pending' })), false);
  assert.equal(checked(c, DISTRO), true);
  assert.equal(checked(c, one(HOST, (f) => f.source === 'host:kernel')), true);
  // CentOS 6 carries this gap on every scan: none of its findings is held by it.
  const centos = coverage(CENTOS, [noUpdateinfoGap()]);
  for (const f of CENTOS.findings) assert.equal(checked(centos, f), true, f.id);
});

test('the classifier unavailable: the files it would have told sensitive or personal are unchecked', () => {
  const c = coverage(HOST, [{ what: 'x', why: 'y', code: 'host.gap.piiUnavailable' }]);
  assert.equal(checked(c, sensitive('/srv/www/shop/.env')), false);
  assert.equal(checked(c, pii('/srv/www/shop/members.csv')), false);
  assert.equal(checked(c, PHP_CVES), true);
});

/** A site gap as src/probe/site emits it (its own addGap / deadlineGap). */
function siteGap(emit: (c: Ctx) => void): Gap {
  const c = { gaps: [], o: { t: (code: string, params?: Record<string, string | number>) => messages.t('en', code, params), maxTimeMs: 60_000 } } as unknown as Ctx;
  emit(c);
  assert.equal(c.gaps.length, 1);
  return c.gaps[0]!;
}

test('site: the crawl, the form recheck, the TLS steps and one file\'s classification narrow what is unchecked', () => {
  const byCheck = (check: string) => one(SITE, (f) => f.source === check);
  const FORM = byCheck('transport.form-on-http-page');
  const COOKIE = byCheck('cookie.session-flags');
  const CSP = byCheck('header.csp');
  const ENV = byCheck('exposure.env');
  const crawl = coverage(SITE, [siteGap((c) => deadlineGap(c, 'site.gap.deadlineCrawl', { left: 12 }))]);
  assert.equal(checked(crawl, FORM), false);
  assert.equal(checked(crawl, COOKIE), false);
  assert.equal(checked(crawl, CSP), true, 'the first page was read');
  assert.equal(checked(crawl, ENV), true, 'the exposure probes have their own gap');
  const recheck = coverage(SITE, [siteGap((c) => addGap(c, 'site.gap.recheck', 'https://127.54.91.7/entry/', 'http.timeout'))]);
  assert.equal(checked(recheck, FORM), false);
  assert.equal(checked(recheck, COOKIE), true);
  // (the golden site is on a non-standard port: its https was never tried, a gap of its own; here it was)
  const cert = coverage(SITE, [siteGap((c) => deadlineGap(c, 'site.gap.deadlineTlsCert', { endpoint: '127.54.91.7:443' }))], (d) => (d.gaps = d.gaps.filter((g) => g.code !== 'site.gap.httpsUnknown')));
  assert.equal(checked(cert, { category: 'certificate', source: 'cert.expired', location: 'https://127.54.91.7/' }), false);
  assert.equal(checked(cert, { category: 'weak-tls', source: 'tls.weak-cipher', location: 'https://127.54.91.7/' }), true);
  const PII = SITE.findings.filter((f) => f.source === 'exposure.personal-data');
  assert.equal(PII.length, 2);
  const one_ = coverage(SITE, [siteGap((c) => addGap(c, 'site.gap.piiError', { code: 'site.gap.piiErrorWhat', params: { url: PII[0]!.location! } }, 'worker crashed'))]);
  assert.equal(checked(one_, PII[0]!), false);
  assert.equal(checked(one_, PII[1]!), true);
  // A spent budget: the probes, the version files and the pages after the first.
  const budget = coverage(SITE, [budgetGap(12, 400)]);
  for (const f of [ENV, FORM, COOKIE, one(SITE, (f) => f.source === 'upstream:httpd')]) assert.equal(checked(budget, f), false, f.id);
  assert.equal(checked(budget, CSP), true);
  assert.equal(checked(budget, byCheck('transport.no-https')), true);
});
