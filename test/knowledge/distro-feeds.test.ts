/**
 * The distribution feeds through `mamori db update` and `db status`, each from a loopback server in its real
 * upstream form: the Red Hat Security Data API (CVE list pages, then one record per CVE; real records of
 * ../shared/data/redhat/api), Alpine secdb (`v3.NN/main.json`), and Amazon Linux repositories
 * (mirror.list → repodata/repomd.xml → updateinfo.xml.gz). Then `db import` of the same records as files.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/cli.js';
import { ALPINE_RELEASES, FEED_SOURCES } from '../../src/knowledge/update/sources.js';
import { spawnSync } from 'node:child_process';
import { rhsa20161421Xml } from '../../src/knowledge/feeds/redhat-oval/xml-fixture.js';
import { mirrorPath, sharedData, SKIP_SHARED, startMirror, type Mirror } from './helpers.js';

const hasBzip2 = spawnSync('bzip2', ['--help']).status === 0;
/** bzip2 by the real tool (Debian package bzip2), as Red Hat compresses its OVAL streams. */
const bzip2 = (text: string): Buffer => {
  const r = spawnSync('bzip2', ['-c'], { input: text, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout;
};

const tmp = mkdtempSync(join(tmpdir(), 'mamori-distro-feeds-'));
const env = { MAMORI_HOME: join(tmp, 'home'), MAMORI_RETRY_BASE_MS: '5' };
const urlsOf = (feed: string) => FEED_SOURCES.find((s) => s.feed === feed)!.urls;
const API = 'https://access.redhat.com/hydra/rest/securitydata';
let mirror: Mirror;
const listQueries: string[] = [];
let cveCount = 0;

/** Alpine secdb main.json in its published schema; 3.20 re-assembled from the real per-package record. */
function secdb(release: string, repo: string): string {
  const packages: unknown[] = [];
  if (release === '3.20' && repo === 'main') {
    const rec = JSON.parse(readFileSync(join(sharedData, 'other/vuln-list-alpine/alpine/3.20/main/apache2.json'), 'utf8')) as { name: string; secfixes: unknown };
    packages.push({ pkg: { name: rec.name, secfixes: rec.secfixes } });
  }
  // Generated in the published schema (no real 3.19 file here): openssl's 3.19 entries.
  if (release === '3.19' && repo === 'main') packages.push({ pkg: { name: 'openssl', secfixes: { '3.1.4-r1': ['CVE-2023-5678'], '3.1.4-r4': ['CVE-2023-6237'], '3.1.4-r5': ['CVE-2024-0727'] } } });
  return JSON.stringify({ apkurl: '{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk', archs: ['x86_64'], reponame: repo, urlprefix: 'https://dl-cdn.alpinelinux.org/alpine', distroversion: `v${release}`, packages });
}

/** updateinfo.xml in the repositories' schema, from the real ALAS2023 record. */
function updateinfo(): string {
  const a = JSON.parse(readFileSync(join(sharedData, 'other/vuln-list-amazon/amazon/2023/ALAS2023-2023-001.json'), 'utf8')) as {
    id: string;
    title: string;
    severity: string;
    issued: { date: string };
    cveids: string[];
    packages: { name: string; epoch: string; version: string; release: string; arch: string; filename: string }[];
  };
  const refs = a.cveids.map((c) => `<reference href="https://www.cve.org/CVERecord?id=${c}" id="${c}" title="" type="cve" />`).join('');
  const pkgs = a.packages.map((p) => `<package arch="${p.arch}" epoch="${p.epoch}" name="${p.name}" release="${p.release}" version="${p.version}"><filename>${p.filename}</filename></package>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<updates>\n<update author="linux-security@amazon.com" from="linux-security@amazon.com" status="final" type="security" version="2.0"><id>${a.id}</id><title>${a.title}</title><issued date="${a.issued.date}" /><severity>${a.severity}</severity><references>${refs}</references><pkglist><collection short="amazon-linux-2023"><name>Amazon Linux 2023</name>\n${pkgs}\n</collection></pkglist></update>\n</updates>\n`;
}

before(async () => {
  if (SKIP_SHARED) return;
  const files = new Map<string, Buffer>();
  const records: { cve: string; body: Buffer }[] = [];
  for (const y of readdirSync(join(sharedData, 'redhat/api'))) for (const f of readdirSync(join(sharedData, 'redhat/api', y))) records.push({ cve: f.replace(/\.json$/, ''), body: readFileSync(join(sharedData, 'redhat/api', y, f)) });
  cveCount = records.length;
  for (const r of records) files.set(`${API}/cve/${r.cve}.json`, r.body);
  for (const v of ALPINE_RELEASES) for (const repo of ['main', 'community']) files.set(`https://secdb.alpinelinux.org/v${v}/${repo}.json`, Buffer.from(secdb(v, repo)));
  const [al2023, al2] = urlsOf('amazon-alas');
  files.set(al2023!, Buffer.from('https://cdn.amazonlinux.com/al2023/core/guids/0123abcd/x86_64/\n'));
  files.set(al2!, Buffer.from('https://cdn.amazonlinux.com/2/core/2.0/x86_64/0123abcd/\n'));
  const repomd = (href: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo"><data type="primary"><location href="repodata/primary.xml.gz"/></data><data type="updateinfo"><checksum type="sha256">0</checksum><location href="${href}"/></data></repomd>\n`);
  files.set('https://cdn.amazonlinux.com/al2023/core/guids/0123abcd/x86_64/repodata/repomd.xml', repomd('repodata/updateinfo.xml.gz'));
  files.set('https://cdn.amazonlinux.com/al2023/core/guids/0123abcd/x86_64/repodata/updateinfo.xml.gz', gzipSync(updateinfo()));
  files.set('https://cdn.amazonlinux.com/2/core/2.0/x86_64/0123abcd/repodata/repomd.xml', repomd('repodata/0a1b-updateinfo.xml.gz'));
  files.set('https://cdn.amazonlinux.com/2/core/2.0/x86_64/0123abcd/repodata/0a1b-updateinfo.xml.gz', gzipSync('<?xml version="1.0" encoding="UTF-8"?>\n<updates>\n</updates>\n'));
  if (hasBzip2) {
    const oval = rhsa20161421Xml(readFileSync(join(sharedData, 'redhat/oval-vuln-list-json/oval/6/rhel-6/definitions/2016/RHSA-2016:1421.json'), 'utf8'));
    const empty = '<?xml version="1.0" encoding="utf-8"?>\n<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5"><!-- oval:com.redhat.rhsa: --><definitions></definitions></oval_definitions>\n';
    for (const [i, u] of urlsOf('redhat-oval').entries()) files.set(u, bzip2(i === 0 ? oval : empty));
  }
  mirror = await startMirror(files);
  // The CVE list: pages of summaries (newest first) until an empty page, as the API answers.
  mirror.behave.set(mirrorPath(`${API}/cve.json`), (req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    listQueries.push(`after=${q.get('after')} page=${q.get('page')}`);
    const per = Number(q.get('per_page'));
    const page = Number(q.get('page'));
    // Public after `after`: every record on the first run, none made public since on the next.
    const all = q.get('after') === '2005-01-01' ? records : [];
    const slice = all.slice((page - 1) * per, page * per).map((r) => ({ CVE: r.cve, severity: 'important', resource_url: `${API}/cve/${r.cve}.json` }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(slice));
    return true;
  });
});
after(async () => {
  await mirror?.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface Status {
  feeds: { name: string; records: number; updatedAt: string | null; source: string | null; ageDays: number | null; error: string | null }[];
}

test('db update fetches Red Hat’s per-CVE records, Alpine secdb and Amazon updateinfo from their upstream layout; db status lists them', { skip: SKIP_SHARED }, async () => {
  const r = await runCli(['db', 'update', '--mirror', mirror.url, '--feed', 'redhat-api', '--feed', 'alpine-secdb', '--feed', 'amazon-alas'], { env });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const s = JSON.parse((await runCli(['db', 'status', '--format', 'json'], { env })).stdout) as Status;
  for (const f of ['redhat-api', 'alpine-secdb', 'amazon-alas']) {
    const st = s.feeds.find((x) => x.name === f)!;
    assert.ok(st.records > 0, `${f} has records`);
    assert.equal(st.source, `mirror:${mirror.url}`);
    assert.ok(st.updatedAt && st.ageDays !== null && st.ageDays < 1, `${f}: updated now`);
    assert.equal(st.error, null);
  }
  // Every feed mamori knows is listed, the ones not fetched with no records.
  for (const f of ['redhat-oval', 'oracle-elsa', 'osv-ubuntu', 'debian-tracker']) assert.ok(s.feeds.some((x) => x.name === f), `${f} listed`);
  const cveRequests = mirror.requests.filter((q) => q.path.startsWith('/access.redhat.com/hydra/rest/securitydata/cve/'));
  assert.equal(cveRequests.length, cveCount, 'one request per CVE record');
  assert.deepEqual(listQueries, ['after=2005-01-01 page=1', 'after=2005-01-01 page=2']);
  assert.ok(mirror.requests.some((q) => q.path === '/cdn.amazonlinux.com/al2023/core/guids/0123abcd/x86_64/repodata/updateinfo.xml.gz' && q.status === 200), 'updateinfo found through mirror.list and repomd.xml');
  const text = await runCli(['db', 'status'], { env });
  assert.match(text.stdout, /redhat-api\s+\d+/);
  assert.match(text.stdout, /alpine-secdb\s+\d+/);
  // The next run asks for CVEs made public since, and re-fetches the ones Red Hat changed since (VEX changes.csv):
  // an old CVE that gained a fix is not missed.
  listQueries.length = 0;
  const later = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, '+00:00');
  const changes = `"2021/cve-2021-3156.json","${later}"\n"2024/cve-2024-6387.json","${later}"\n"2014/cve-2014-0160.json","2020-01-01T00:00:00+00:00"\n`;
  mirror.behave.set(mirrorPath(urlsOf('redhat-api')[1]!), (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/csv' }).end(changes);
    return true;
  });
  const before2 = mirror.requests.length;
  const again = await runCli(['db', 'update', '--mirror', mirror.url, '--feed', 'redhat-api'], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(listQueries[0] ?? '', /^after=\d{4}-\d\d-\d\d page=1$/);
  assert.notEqual(listQueries[0], 'after=2005-01-01 page=1');
  const refetched = mirror.requests.slice(before2).filter((q) => q.path.includes('/securitydata/cve/')).map((q) => q.path.split('/').pop()).sort();
  assert.deepEqual(refetched, ['CVE-2021-3156.json', 'CVE-2024-6387.json']);
});

test('db import reads the same records as files: Red Hat API, OVAL, Oracle ELSA, Alpine, Amazon', { skip: SKIP_SHARED }, async () => {
  const home = join(tmp, 'import-home');
  for (const dir of ['redhat', 'other']) {
    const r = await runCli(['db', 'import', join(sharedData, dir)], { env: { ...env, MAMORI_HOME: home } });
    assert.equal(r.code, 0, r.stderr + r.stdout);
  }
  const s = JSON.parse((await runCli(['db', 'status', '--format', 'json'], { env: { ...env, MAMORI_HOME: home } })).stdout) as Status;
  const n = (f: string) => s.feeds.find((x) => x.name === f)?.records ?? 0;
  assert.ok(n('redhat-api') > 150, `redhat-api ${n('redhat-api')}`);
  assert.ok(n('redhat-oval') > 10);
  assert.ok(n('oracle-elsa') > 5);
  assert.ok(n('alpine-secdb') > 1000);
  assert.ok(n('amazon-alas') > 5);
});

test('db update --feed redhat-oval reads Red Hat’s bzip2-compressed OVAL XML streams', { skip: SKIP_SHARED || (!hasBzip2 && 'bzip2 not installed (Debian package bzip2)') }, async () => {
  const r = await runCli(['db', 'update', '--mirror', mirror.url, '--feed', 'redhat-oval'], { env });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const s = JSON.parse((await runCli(['db', 'status', '--format', 'json'], { env })).stdout) as Status;
  const st = s.feeds.find((x) => x.name === 'redhat-oval')!;
  assert.equal(st.records, 5, 'RHSA-2016:1421: httpd, httpd-devel, httpd-manual, httpd-tools, mod_ssl on rhel:6');
  assert.equal(st.error, null);
});
