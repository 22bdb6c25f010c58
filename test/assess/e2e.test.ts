/**
 * End to end: real inventories (captured CentOS 6, AlmaLinux 9, Rocky 9, Ubuntu 20.04 and Debian 11
 * servers, and this machine's dpkg database) against real data (../shared/data imported into a temp
 * knowledge DB), with oracles read independently from the upstream files.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { assess, knowledgeQueries, matchVersion, mergeSlices } from '../../src/core/assess/index.js';
import { emptyInventory, type Finding, type Inventory, type OsInfo, type ReportDocument } from '../../src/core/model.js';
import { isAffected } from '../../src/core/versioning/index.js';
import { openKnowledge } from '../../src/knowledge/index.js';
import { makeT, type CommandContext } from '../../src/cli/context.js';
import type { Collected } from '../../src/scan/index.js';
import { strWidth } from '../../src/report/table.js';
import { buildDb, fakeCtx as sharedFakeCtx, finishScan, fixture, hasSharedData, sharedData, SKIP_NO_DATA, sliceFor } from './helpers.js';

const NOW = new Date('2026-11-23T00:00:00Z');
let db: ReturnType<typeof buildDb> | undefined;

before(() => {
  if (hasSharedData) db = buildDb();
});
after(() => db?.cleanup());

function run(inv: Inventory, target: Collected['target'] = { kind: 'host', name: 'h' }, findings: Finding[] = [], lang: 'en' | 'ja' = 'en') {
  return assess({ target, inventory: inv, findings, knowledge: sliceFor(db!.dbPath, inv), now: NOW, lang });
}
const site = (components: Inventory['components']): Inventory => ({ packages: [], pendingUpdates: [], components });

test('PHP 5.3.3: CVE-2012-1823 (KEV) and every CVE PHP lists as fixed after 5.3.3 on its line', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const out = run(site([{ name: 'php', version: '5.3.3', detectedBy: 'header:X-Powered-By', location: 'https://shop.example.jp/' }]), { kind: 'site', name: 'https://shop.example.jp/' });
  const agg = out.findings.find((f) => f.component?.name === 'php' && (f.cves?.length ?? 0) > 10)!;
  assert.ok(agg, 'one finding carries the full CVE list');
  const changelog = JSON.parse(readFileSync(join(sharedData, 'php-releases/changelog5-cves-by-version.json'), 'utf8')) as Record<string, { cves: string[] }>;
  const after533 = Object.entries(changelog)
    .filter(([v]) => /^5\.3\.(\d+)$/.test(v) && Number(v.split('.')[2]) > 3)
    .flatMap(([, r]) => r.cves);
  assert.ok(after533.length > 20);
  const missing = after533.filter((c) => !agg.cves!.includes(c));
  assert.deepEqual(missing, [], 'CVEs fixed on 5.3 after 5.3.3');
  for (const later of ['CVE-2019-11043', 'CVE-2024-4577']) assert.ok(agg.cves!.includes(later), `${later}: fixed only on later lines`);
  const kev = out.findings.find((f) => f.cves?.length === 1 && f.cves[0] === 'CVE-2012-1823')!;
  assert.equal((kev.evidence as { kev: boolean }).kev, true);
  assert.ok(kev.rank! <= 4, 'known exploited first');
  const ev = (agg.evidence as { cves: { id: string; cvss?: number; feed: string; record: string; range?: string }[] }).cves.find((c) => c.id === 'CVE-2012-1823')!;
  assert.ok(ev.feed && ev.record && ev.range, 'the match keeps feed, record and range');
  const eol = out.findings.find((f) => f.category === 'end-of-life' && f.component?.name === 'php')!;
  assert.equal((eol.evidence as { securitySupportEnd: string }).securitySupportEnd, '2014-08-14');
});

test('Apache httpd 2.2.15: every CVE the httpd project lists for 2.2.15', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const dir = join(sharedData, 'upstream-advisories/httpd/json');
  const expected: string[] = [];
  for (const f of readdirSync(dir)) {
    const j = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { CVE_data_meta?: { ID: string }; affects?: { vendor: { vendor_data: { product: { product_data: { version: { version_data: { version_affected: string; version_value: string }[] } }[] } }[] } } };
    const vd = j.affects?.vendor.vendor_data.flatMap((v) => v.product.product_data.flatMap((p) => p.version.version_data)) ?? [];
    if (vd.some((v) => v.version_affected === '=' && v.version_value === '2.2.15') && j.CVE_data_meta) expected.push(j.CVE_data_meta.ID);
  }
  assert.ok(expected.includes('CVE-2011-3192'));
  const out = run(site([{ name: 'apache-httpd', version: '2.2.15', detectedBy: 'command:/usr/local/apache2/bin/httpd -v', location: '/usr/local/apache2' }]));
  const agg = out.findings.find((f) => f.component?.name === 'apache-httpd' && f.category === 'vulnerability' && (f.cves?.length ?? 0) > 1)!;
  assert.deepEqual(expected.filter((c) => !agg.cves!.includes(c)), []);
  // From a banner with (CentOS): lower confidence, back-port note.
  const banner = run(site([{ name: 'apache-httpd', version: '2.2.15', detectedBy: 'banner:Server', distroBuild: true, location: 'https://x/' }]), { kind: 'site', name: 'https://x/' });
  const b = banner.findings.find((f) => f.category === 'vulnerability' && (f.cves?.length ?? 0) > 1)!;
  assert.ok((b.confidence ?? 100) <= 40);
  assert.match(String((b.evidence as { note: string }).note), /back-ported/);
});

test('nginx: versions judged from nginx’s own advisories', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const xml = readFileSync(join(sharedData, 'upstream-advisories/nginx/security_advisories.xml'), 'utf8');
  const num = (v: string) => v.split('.').map(Number);
  const cmp = (a: string, b: string) => {
    const x = num(a);
    const y = num(b);
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  };
  const oracle = (v: string) =>
    [...xml.matchAll(/cve="([\d-]+)"\s+good="([^"]*)"\s+vulnerable="([^"]+)"/g)]
      .filter(([, , , vul]) => !vul!.includes('Windows') && vul !== 'all')
      .filter(([, , good, vul]) => {
        const inVul = vul!.split(/,\s*/).some((r) => {
          const [lo, hi] = r.split('-');
          return cmp(v, lo!) >= 0 && cmp(v, hi ?? lo!) <= 0;
        });
        // "good: 1.23.2+, 1.22.1+": a fix on the version's own branch.
        const fixedOnBranch = good!.split(/,\s*/).some((g) => {
          const base = g.replace(/\+$/, '');
          return base.split('.').slice(0, 2).join('.') === v.split('.').slice(0, 2).join('.') && cmp(v, base) >= 0;
        });
        return inVul && !fixedOnBranch;
      })
      .map(([, cve]) => `CVE-${cve}`);
  for (const v of ['1.4.0', '1.18.0', '1.22.1']) {
    const out = run(site([{ name: 'nginx', version: v, detectedBy: 'banner:Server', location: 'https://x/' }]));
    const found = new Set(out.findings.filter((f) => f.component?.name === 'nginx' && f.category === 'vulnerability').flatMap((f) => f.cves ?? []));
    const exp = oracle(v);
    assert.ok(exp.length > 0);
    assert.deepEqual(exp.filter((c) => !found.has(c)), [], `nginx ${v}`);
  }
  const v122 = run(site([{ name: 'nginx', version: '1.22.1', detectedBy: 'banner:Server' }]));
  assert.ok(!v122.findings.some((f) => f.cves?.includes('CVE-2013-2028')), 'the 1.3.9–1.4.0 chunked bug does not touch 1.22.1');
});

test('Debian 11: distro packages by source against DSA fixed versions; the Debian PHP never upstream', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const fx = fixture('debian11-php.json');
  const out = run(fx.inventory, fx.target);
  const php = out.findings.find((f) => f.category === 'missing-security-update' && f.component?.name === 'php7.4')!;
  assert.ok((php.evidence as { advisories: string[] }).advisories.includes('DSA-5363-1'));
  assert.equal(php.remediation.command, 'apt-get update && apt-get install --only-upgrade php7.4-cli php7.4-common php7.4-fpm');
  const ssl = out.findings.find((f) => f.category === 'missing-security-update' && f.component?.name === 'openssl')!;
  assert.ok(ssl.cves!.includes('CVE-2023-0286'));
  assert.ok(!out.findings.some((f) => f.source?.startsWith('upstream:')), 'no upstream ranges on distro builds');
});

test('AlmaLinux 9: ALSA advisories by package with dnf --advisory; nginx.org package matched upstream', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const fx = fixture('alma9-web.json');
  const out = run(fx.inventory, fx.target);
  const php = out.findings.find((f) => f.category === 'missing-security-update' && f.component?.name === 'php')!;
  assert.match(php.remediation.command!, /^dnf upgrade( --advisory ALSA-\d{4}:\d+)+$/);
  assert.ok(php.remediation.command!.includes('ALSA-2023:0965'));
  const ng = out.findings.find((f) => f.component?.name === 'nginx' && f.category === 'vulnerability')!;
  assert.equal(ng.component?.version, '1.22.1');
  assert.ok(!out.findings.some((f) => f.source?.startsWith('upstream:') && f.component?.name === 'php'));
  assert.ok(out.lifecycle.some((e) => e.component === 'wordpress' && e.phase !== 'unknown'));
});

test('CentOS 6 shop: OS end of life, judged by Red Hat 6 data, the old cart ranks high beside customer data', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const fx = fixture('centos6-shop.json');
  const out = run(fx.inventory, fx.target, fx.findings);
  const os = out.findings.find((f) => f.category === 'end-of-life' && f.component?.name === 'CentOS')!;
  assert.equal((os.evidence as { securitySupportEnd: string }).securitySupportEnd, '2020-11-30');
  assert.ok(!out.gaps.some((g) => g.code?.startsWith('assess.gap.noDistroData')), 'Red Hat’s records cover rhel:6');
  const phpWnf = out.findings.find((f) => f.source === 'distro:rhel:6' && f.component?.name === 'php')!;
  assert.ok(phpWnf.cves!.includes('CVE-2016-7124'), 'will not fix on RHEL 6');
  assert.ok(!out.findings.some((f) => f.source?.startsWith('upstream:')), 'CentOS PHP 5.3.3 is judged by the distro, not upstream ranges');
  const php = out.lifecycle.find((e) => e.component === 'php')!;
  assert.equal(php.phase, 'eol', 'follows CentOS 6');
  const cart = out.findings.find((f) => f.component?.name === 'ec-cube')!;
  assert.equal(cart.severity, 'critical', 'raised: customer data on the same server');
  assert.ok(out.findings.some((f) => f.component?.name === 'kent-postmail' && f.category === 'outdated-application'));
  assert.equal(out.findings[0]!.severity, 'critical');
  for (const f of out.findings) assert.ok(f.damage?.customers && f.damage.organisation, f.id);
});

test('Rocky 9: judged by RHEL 9 data; Remi PHP upstream; pending updates the data does not explain still reported with their advisories', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const fx = fixture('rocky9-web.json');
  const out = run(fx.inventory, fx.target);
  assert.ok(!out.gaps.some((g) => g.code?.startsWith('assess.gap.noDistroData')), 'Red Hat’s records cover rhel:9');
  const php = out.findings.find((f) => f.component?.name === 'php' && f.category === 'vulnerability' && (f.cves?.length ?? 0) > 1)!;
  assert.equal(php.component?.version, '7.4.30');
  const httpd = out.findings.find((f) => f.category === 'missing-security-update' && f.component?.name === 'httpd')!;
  assert.equal(httpd.remediation.command, 'dnf upgrade --advisory RLSA-2023:6746');
  assert.ok(out.findings.some((f) => f.category === 'end-of-life' && f.component?.name === 'php'), 'PHP 7.4 is past end of life');
});

test('Ubuntu 20.04: pending security updates with apt commands, non-security ignored, ESM as a bridge', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const fx = fixture('ubuntu2004-web.json');
  const out = run(fx.inventory, fx.target, [], 'ja');
  const upd = out.findings.filter((f) => f.category === 'missing-security-update');
  assert.deepEqual(upd.map((f) => f.component?.name).sort(), ['apache2', 'openssl', 'php7.4'], 'apache2 2.4.41-4ubuntu3.14 lacks USN-6885-1');
  assert.ok(!upd.some((f) => f.location?.includes('tzdata')));
  const os = out.findings.find((f) => f.category === 'end-of-life' && f.component?.name === 'Ubuntu')!;
  assert.ok(os.remediation.steps!.some((s) => /延長サポート/.test(s.action)), 'ESM until 2030 offered as a bridge');
  assert.match(os.title, /サポート終了/);
});

function hostOs(): OsInfo | undefined {
  if (!existsSync('/etc/os-release')) return undefined;
  const kv = Object.fromEntries(
    readFileSync('/etc/os-release', 'utf8')
      .split('\n')
      .map((l) => /^(\w+)=(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, '')]),
  );
  const family = kv.ID === 'debian' || kv.ID === 'ubuntu' ? kv.ID : 'unknown';
  return { family, name: kv.NAME ?? 'unknown', version: kv.VERSION_ID ?? '', detectedBy: '/etc/os-release' };
}

test('this machine: its real dpkg inventory assessed end to end', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  let raw: string;
  try {
    raw = execFileSync('dpkg-query', ['-W', '-f=${binary:Package}\\t${Version}\\t${source:Package}\\t${source:Version}\\t${db:Status-Abbrev}\\n'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (err) {
    return t.skip(`dpkg-query not usable here: ${(err as Error).message}`);
  }
  const packages = raw
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((c) => c.length >= 5 && c[4]!.startsWith('ii'))
    .map(([name, version, source, sourceVersion]) => ({ name: name!.replace(/:.*$/, ''), version: version!, source: source!, sourceVersion: sourceVersion!, ecosystem: 'dpkg' as const }));
  assert.ok(packages.length > 100);
  const inv: Inventory = { os: hostOs(), packages, components: [], pendingUpdates: [] };
  const out = run(inv);
  const os = out.lifecycle.find((e) => e.component === inv.os?.name);
  assert.ok(os && os.phase !== 'unknown', JSON.stringify(out.lifecycle));
  // The 2023 Debian tracker snapshot predates bookworm: that must be a visible gap, not silence.
  const platform = `debian:${inv.os?.version}`;
  const hasData = sliceFor(db.dbPath, inv).advisories.some((a) => a.scope.platform === platform);
  if (!hasData) assert.ok(out.gaps.some((g) => g.code === 'assess.gap.noDistroData'));
  for (const f of out.findings) assert.ok(f.rank && f.damage && f.remediation.action);
});

test('the cached matcher agrees with versioning’s isAffected on every advisory of the real data', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const store = openKnowledge(db.dbPath)!;
  const sl = mergeSlices([
    store.slice({ products: ['php', 'apache-httpd', 'nginx', 'openssl'], libraries: [], lifecycleProducts: [] }),
    store.slice({ products: [], libraries: [], lifecycleProducts: [], distro: { platform: 'almalinux:9', packages: ['php', 'httpd', 'openssl', 'nginx', 'openssl-libs'] } }),
    store.slice({ products: [], libraries: [], lifecycleProducts: [], distro: { platform: 'debian:11', packages: ['php7.4', 'openssl', 'nginx', 'apache2', 'curl'] } }),
  ]);
  store.close();
  const probes: Record<string, string[]> = { php: ['5.3.3', '7.4.30', '8.3.8'], 'apache-httpd': ['2.2.15', '2.4.41'], nginx: ['1.18.0', '1.4.0'], openssl: ['1.0.1e', '3.0.7'] };
  let n = 0;
  for (const a of sl.advisories) {
    const versions = a.scope.kind === 'upstream' ? probes[a.scope.package] ?? ['1.0'] : [a.fixedVersion ?? '0', '0.1-1', '8.0.13-1.el9'];
    for (const v of versions) {
      const mine = matchVersion(a.scope.versionScheme, v, a.ranges, a.versions);
      const theirs = isAffected(a.scope.versionScheme, v, a.ranges, a.versions);
      const expected = !theirs.ok ? 'unknown' : theirs.value ? 'affected' : 'not-affected';
      assert.equal(mine.status, expected, `${a.id} ${a.scope.package} ${v}`);
      n++;
    }
  }
  assert.ok(n > 1000, `compared ${n}`);
});

const fakeCtx = (options: CommandContext['options'], lang: 'en' | 'ja' = 'en', columns?: number) => sharedFakeCtx(db!.dbPath, options, lang, columns);

test('assembleReport + emitReport: JSON of the contract with --ignore-file, --baseline and --fail-on; the table fits in Japanese', async (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const fx = fixture('centos6-shop.json');
  const collected: Collected = { ...fx, scannedAt: NOW };
  const first = fakeCtx({ format: 'json', 'fail-on': 'high' });
  assert.equal(await finishScan(collected, first.ctx), 1);
  const doc1 = JSON.parse(first.out()) as ReportDocument;
  assert.ok(doc1.lifecycle!.length > 0 && doc1.knowledge.feeds.length > 0);
  assert.deepEqual(doc1.findings.map((f) => f.rank), doc1.findings.map((_, i) => i + 1));
  const cart = doc1.findings.find((f) => f.component?.name === 'ec-cube')!;
  const os = doc1.findings.find((f) => f.category === 'end-of-life' && f.component?.name === 'CentOS')!;
  const ignore = join(db.dir, 'ignore.yaml');
  writeFileSync(ignore, `- id: ${cart.id}\n  reason: replacement shop goes live in January\n  expires: 2027-01-31\n  status: accepted\n- id: ${os.id}\n  reason: was accepted until the migration\n  expires: 2026-10-01\n`);
  const base = join(db.dir, 'previous.json');
  const prev = { ...doc1, findings: [...doc1.findings.slice(1), { id: 'VULN-000000000000', category: 'vulnerability', title: 'gone since', severity: 'high', remediation: { priority: 1, action: 'x' } }] };
  writeFileSync(base, JSON.stringify(prev));
  const second = fakeCtx({ format: 'json', 'ignore-file': ignore, baseline: base });
  assert.equal(await finishScan(collected, second.ctx), 0);
  const doc2 = JSON.parse(second.out()) as ReportDocument;
  assert.ok(!doc2.findings.some((f) => f.id === cart.id), 'suppressed');
  assert.ok(doc2.findings.some((f) => f.id === os.id), 'expired entry no longer hides');
  assert.ok(doc2.gaps.some((g) => g.code === 'assess.gap.ignoreExpired'));
  assert.deepEqual(doc2.suppressed!.map((s) => s.status).sort(), ['accepted', 'expired']);
  assert.deepEqual(doc2.resolved!.map((r) => r.id), ['VULN-000000000000']);
  assert.equal(doc2.findings.find((f) => f.id === doc1.findings[0]!.id)?.baseline, cart.id === doc1.findings[0]!.id ? undefined : 'new');
  assert.ok(doc2.findings.filter((f) => f.baseline === 'unchanged').length > 0);

  const table = fakeCtx({ format: 'table' }, 'ja', 60);
  await finishScan(collected, table.ctx);
  const text = table.out();
  assert.match(text, /■ 緊急/);
  assert.ok(!text.includes('\x1b['), 'NO_COLOR respected');
  const wide = text.split('\n').filter((l) => strWidth(l) > 60);
  assert.deepEqual(wide, [], 'every line fits 60 columns');

  writeFileSync(ignore, '- cve: not-a-cve\n  reason: x\n');
  await assert.rejects(finishScan(collected, fakeCtx({ format: 'json', 'ignore-file': ignore }).ctx), /assess\.err\.ignoreFile/);
});

test('no DB: gap with the path and the command to run; the scan’s findings still reported', async () => {
  const fx = fixture('centos6-shop.json');
  const chunks: string[] = [];
  const stdout = Object.assign(new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c.toString()), cb()) }), { isTTY: false });
  const ctx: CommandContext = {
    commandName: 'mamori scan host',
    positionals: [],
    options: { format: 'json' },
    lang: 'en',
    io: { stdout, stderr: stdout, stdin: process.stdin },
    env: {},
    dbPath: '/nonexistent/mamori/db.sqlite',
    t: makeT('en'),
    warn: () => undefined,
    progress: () => undefined,
    quiet: true,
    color: false,
  };
  assert.equal(await finishScan({ ...fx, scannedAt: NOW }, ctx), 0);
  const doc = JSON.parse(chunks.join('')) as ReportDocument;
  assert.ok(doc.gaps.some((g) => g.code === 'assess.gap.noDb' && g.why.includes('/nonexistent/mamori/db.sqlite') && g.why.includes('mamori db update')));
  assert.ok(doc.findings.some((f) => f.category === 'personal-data-exposure'));
  assert.ok(doc.findings.some((f) => f.category === 'outdated-application'), 'application data needs no DB');
});

test('a files scan with nothing to match does not read the knowledge DB: no feeds, no feed gaps; a host scan still does', async (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const shop = fixture('centos6-shop.json');
  // What `mamori scan files` collects: an empty inventory and the personal-data findings of the tree.
  const files: Collected = { target: { kind: 'files', name: '/var/www/html' }, inventory: emptyInventory(), findings: shop.findings.filter((f) => f.category === 'personal-data-exposure'), gaps: [], scannedAt: NOW };
  assert.ok(files.findings.length > 0);
  const host = fakeCtx({ format: 'json' });
  await finishScan({ ...shop, scannedAt: NOW }, host.ctx);
  assert.ok((JSON.parse(host.out()) as ReportDocument).knowledge.feeds.length > 0, 'the DB has feeds');
  const f = fakeCtx({ format: 'json' });
  assert.equal(await finishScan(files, f.ctx), 0);
  const doc = JSON.parse(f.out()) as ReportDocument;
  assert.deepEqual(doc.knowledge.feeds, []);
  assert.deepEqual(doc.gaps, []);
  assert.deepEqual(doc.lifecycle, []);
  assert.deepEqual(doc.findings.map((x) => x.category), files.findings.map(() => 'personal-data-exposure'));

  // A damaged DB is never opened for such a scan, and still reported for one that needs it.
  const junk = join(db.dir, 'damaged.sqlite');
  writeFileSync(junk, 'this is not an SQLite database, it only has its name\n'.repeat(200));
  const fj = fakeCtx({ format: 'json' });
  await finishScan(files, { ...fj.ctx, dbPath: junk });
  assert.deepEqual((JSON.parse(fj.out()) as ReportDocument).gaps, []);
  const hj = fakeCtx({ format: 'json' });
  await finishScan({ ...shop, scannedAt: NOW }, { ...hj.ctx, dbPath: junk });
  const hostGaps = (JSON.parse(hj.out()) as ReportDocument).gaps.map((g) => g.code);
  assert.ok(hostGaps.includes('assess.gap.dbDamaged') && !hostGaps.includes('assess.gap.noDb'), hostGaps.join(', '));
});

void knowledgeQueries;

test('libraries from a composer.lock against FriendsOfPHP', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const inv: Inventory = {
    packages: [
      { name: 'phpmailer/phpmailer', version: '5.2.16', ecosystem: 'composer', location: '/var/www/html/composer.lock' },
      { name: 'dompdf/dompdf', version: 'v0.6.1', ecosystem: 'composer', location: '/var/www/html/composer.lock' },
      { name: 'monolog/monolog', version: '3.9.0', ecosystem: 'composer', location: '/var/www/html/composer.lock' },
    ],
    components: [],
    pendingUpdates: [],
  };
  const out = run(inv, { kind: 'files', name: '/var/www/html' });
  const mailer = out.findings.find((f) => f.component?.name === 'phpmailer/phpmailer')!;
  assert.ok(mailer.cves!.includes('CVE-2016-10033'), 'the PHPMailer RCE of 5.2.17');
  assert.equal(mailer.location, '/var/www/html/composer.lock');
  assert.match(mailer.remediation.command ?? '', /^composer update phpmailer\/phpmailer/);
  const dompdf = out.findings.find((f) => f.component?.name === 'dompdf/dompdf')!;
  assert.ok(dompdf.cves!.includes('CVE-2014-5011') && !dompdf.cves!.includes('CVE-2014-2383'), 'fixed in 0.6.1 is not listed');
  assert.ok(!out.findings.some((f) => f.component?.name === 'monolog/monolog'));
});

test('PHP 5.3.3: exactly the CVEs php-version-audit says affect it (fixed after it on 5.3, or only on later lines)', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const rules = JSON.parse(readFileSync(join(sharedData, 'php-version-audit/rules-v1.json'), 'utf8')) as { releases: Record<string, { patchedCves: string[] }> };
  const fixes = new Map<string, string[]>();
  for (const [v, r] of Object.entries(rules.releases)) for (const c of r.patchedCves) fixes.set(c, [...(fixes.get(c) ?? []), v]);
  const n = (v: string) => v.split('.').map(Number) as [number, number, number];
  const lt = (a: string, b: string) => {
    const [x, y] = [n(a), n(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
    return false;
  };
  const line = (v: string) => v.split('.').slice(0, 2).join('.');
  const expected = [...fixes]
    .filter(([, vs]) => {
      const on53 = vs.filter((v) => line(v) === '5.3');
      if (on53.length) return on53.some((v) => lt('5.3.3', v));
      const lowest = vs.reduce((m, v) => (lt(v, m) ? v : m));
      return lt('5.3.99', lowest);
    })
    .map(([c]) => c)
    .sort();
  const out = run(site([{ name: 'php', version: '5.3.3', detectedBy: 'header:X-Powered-By', location: 'https://shop.example.jp/' }]));
  const agg = out.findings.find((f) => f.component?.name === 'php' && (f.cves?.length ?? 0) > 10)!;
  const got = new Set(agg.cves);
  const missing = expected.filter((c) => !got.has(c));
  assert.deepEqual(missing, [], `${missing.length} of ${expected.length} expected CVEs missing`);
  const extra = agg.cves!.filter((c) => fixes.has(c) && !expected.includes(c));
  assert.deepEqual(extra, [], 'no CVE fixed at or before 5.3.3');
});
