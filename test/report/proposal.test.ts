/**
 * The client proposal: several scans combined into one document (combineDocuments), one migration project per
 * server from its end-of-life findings (with the defences that hold until it is done), the law section only
 * where customer data is exposed, and the CLI (`bin/mamori.js report a.json b.json …`) with the cover options,
 * the logo checks and the PDF through real Chromium. Needs `npm run build`.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { ReportDocument } from '../../src/core/model.js';
import { combineDocuments, hostName, lawFindings, migrationProjects } from '../../src/core/document/proposal.js';
import { makeTexts, plan } from '../../src/core/document/view.js';
import { buildHtml, buildProposalHtml } from '../../src/report/html.js';
import { chromiumPath } from '../../src/report/pdf.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mamori-proposal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const read = (path: string): ReportDocument => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as ReportDocument;
/** The CentOS 6 shop: PHP 5.3.3, Apache 2.2.15, CentOS 6.10 and EC-CUBE 2.11.5 past their end, customer data exposed. */
const shop = () => read('report/centos6-shop.json');
/** The outside scan of an old site (golden), moved to the shop's host name: the same server seen from outside. */
function shopSite(): ReportDocument {
  const d = read('golden/site-old.ja.json');
  const text = JSON.stringify(d).split('127.54.91.7:28443').join('shop.example.jp').split('127.54.91.7').join('shop.example.jp');
  return JSON.parse(text) as ReportDocument;
}
const other = () => read('golden/host-ubuntu2204.ja.json');

function writeJson(name: string, doc: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(doc));
  return p;
}

test('host names: ssh targets, URLs and bare names agree; paths and captured fixtures have none', () => {
  assert.equal(hostName('admin@shop.example.jp:22'), 'shop.example.jp');
  assert.equal(hostName('https://Shop.Example.JP/cart/?a=1'), 'shop.example.jp');
  assert.equal(hostName('shop.example.jp'), 'shop.example.jp');
  assert.equal(hostName('root@[2001:db8::1]:2222'), '2001:db8::1');
  assert.equal(hostName('/var/www/html'), undefined);
  assert.equal(hostName('fixture:centos6'), undefined);
});

test('combineDocuments: the host and the site of one server form one group; another host stays apart', () => {
  const c = combineDocuments([shop(), other(), shopSite()]);
  assert.equal(c.documents.length, 3);
  assert.equal(c.servers.length, 2);
  const g = c.servers.find((s) => s.server === 'shop.example.jp')!;
  assert.deepEqual(g.documents.map((d) => d.target.kind), ['host', 'site']);
  assert.ok(c.from <= c.to);
});

test('the migration project: EOL CentOS + PHP + Apache + EC-CUBE of one server are one item with ordered steps, decisions and defences', () => {
  const c = combineDocuments([shop(), shopSite()]);
  for (const lang of ['ja', 'en'] as const) {
    const projects = migrationProjects(c, lang);
    assert.equal(projects.length, 1, 'one server, one project');
    const p = projects[0]!;
    assert.equal(p.server, 'shop.example.jp');
    assert.deepEqual(
      p.parts.map((x) => `${x.kind}:${x.name} ${x.version ?? ''}`.trim()),
      ['os:CentOS 6.10', 'webserver:Apache httpd 2.2.15', 'php:PHP 5.3.3', 'app:EC-CUBE 2.11.5', 'app:WordPress 4.9.8', 'library:jQuery 1.4.2'],
    );
    // The site scan saw the same PHP, Apache and CentOS: no second PHP part.
    assert.equal(p.parts.filter((x) => x.kind === 'php').length, 1);
    const os = p.parts.find((x) => x.kind === 'os')!;
    assert.equal(os.ended, '2020-11-30');
    assert.ok(os.daysPast! > 2000);
    // In order: stock-taking, new server, web server, PHP, the cart, data, test, DNS/TLS switch, retirement.
    const idx = (re: RegExp) => p.steps.findIndex((s) => re.test(s));
    const order = lang === 'ja'
      ? [/棚卸し/, /新しいサーバー/, /Apache httpd 2\.2\.15 に代えて/, /PHP 5\.3\.3 に代えて/, /EC-CUBE 2\.11\.5 をサポート中/, /データを移します/, /試験/, /DNS/, /旧サーバーの廃止/]
      : [/Take stock/, /new server/, /instead of Apache httpd 2\.2\.15/, /instead of PHP 5\.3\.3/, /Upgrade EC-CUBE 2\.11\.5/, /Move the data/, /Test on the new/, /DNS/, /Retire/];
    const at = order.map(idx);
    assert.ok(at.every((i) => i >= 0), `${lang}: every step present: ${JSON.stringify(p.steps)}`);
    assert.deepEqual([...at].sort((a, b) => a - b), at, `${lang}: steps in order`);
    assert.ok(p.decisions.some((d) => (lang === 'ja' ? /予算/ : /budget/).test(d)));
    assert.ok(p.decisions.some((d) => /EC-CUBE/.test(d)), 'whether to keep the cart');
    assert.ok(p.decisions.some((d) => (lang === 'ja' ? /顧客データ/ : /customer data/).test(d)), 'customer data is exposed: which to keep');
    // The defences until then: the reviewed php-cgi defence for the exploited CVE-2012-1823, with a review date.
    const cgi = p.defences.find((d) => /php-cgi/.test(d.action));
    assert.ok(cgi, `${lang}: php-cgi defence in ${JSON.stringify(p.defences.map((d) => d.action))}`);
    assert.match(cgi.reviewBy ?? '', /^\d{4}-\d\d-\d\d$/);
    // KEV CVEs show their CVSS.
    const kev = p.kev.find((r) => r.id === 'CVE-2012-1823')!;
    assert.equal(kev.cvss, 9.8);
    // The site scan's known-exploited finding carries its CVE (and CVSS) as evidence.cve.
    assert.equal(p.kev.find((r) => r.id === 'CVE-2019-11043')?.cvss, 9.8);
    // The project resolves the parts and the CVEs of what it replaces (PHP's and Apache's).
    assert.ok(p.resolves.filter((f) => f.category === 'vulnerability').length >= 80);
  }
});

test('the plan has one migration item instead of one per end-of-life program', () => {
  const doc = shop();
  const items = plan(doc, makeTexts(doc, 'ja'));
  const migration = items.filter((i) => i.migration);
  assert.equal(migration.length, 1);
  assert.equal(migration[0]!.priority, 3);
  assert.match(migration[0]!.action, /移行プロジェクト: .*CentOS 6\.10.*PHP 5\.3\.3|移行プロジェクト: .*PHP 5\.3\.3.*CentOS 6\.10/);
  const eol = doc.findings.filter((f) => f.category === 'end-of-life' || f.category === 'outdated-application');
  for (const f of eol) assert.ok(migration[0]!.findings.includes(f), `${f.title} is part of the project`);
  // No other priority-3 item addresses only end-of-life findings.
  assert.equal(items.filter((i) => i.priority === 3 && !i.migration && i.findings.every((f) => eol.includes(f))).length, 0);
});

test('the law section appears only where customer data is exposed, with the articles and their sources', () => {
  assert.ok(lawFindings([shop()]).length >= 2);
  const ja = buildHtml(shop(), 'ja');
  for (const s of ['第23条', '第24条', '第25条', '第26条', '施行規則 第8条', '30 日以内', '60 日以内', 'https://laws.e-gov.go.jp/law/415AC0000000057', 'https://www.ppc.go.jp/personalinfo/legal/guidelines_tsusoku/', '見直し期限 2027-06-30']) {
    assert.ok(ja.includes(s), `ja: ${s}`);
  }
  const en = buildHtml(shop(), 'en');
  for (const s of ['Article 23', 'Article 26', 'Personal Information Protection Commission', 'within 30 days', 'https://laws.e-gov.go.jp/law/415AC0000000057']) assert.ok(en.includes(s), `en: ${s}`);
  // A server with no exposed personal data: no law section.
  const clean = other();
  assert.equal(lawFindings([clean]).length, 0);
  assert.ok(!buildHtml(clean, 'ja').includes('個人情報保護法'));
  assert.ok(!buildHtml(clean, 'en').includes('sec-law'));
});

test('the combined HTML: cover, overview, one project, the law once, each scan\'s details with unique ids; appendix only on request', () => {
  const c = combineDocuments([shop(), shopSite(), other()]);
  const html = buildProposalHtml(c, 'ja', { client: '株式会社サンプル商店', vendor: 'ウェブ制作株式会社', addressee: '代表取締役 山田太郎 様', date: '2026-12-01T00:00:00Z' });
  assert.match(html, /株式会社サンプル商店 御中/);
  assert.match(html, /代表取締役 山田太郎 様/);
  // Two servers with end-of-life software, two projects; the Ubuntu host keeps its OS (no new server, no DNS switch).
  assert.equal(html.match(/class="mig"/g)?.length, 2);
  const ubuntu = migrationProjects(c, 'en').find((p) => p.server !== 'shop.example.jp')!;
  assert.deepEqual(ubuntu.parts.map((x) => x.kind), ['php']);
  assert.ok(!ubuntu.steps.some((s) => /new server|DNS/.test(s)));
  assert.equal(html.match(/id="sec-law"/g)?.length, 1);
  const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!);
  assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids.filter((x, i) => ids.indexOf(x) !== i).join(', ')}`);
  for (const m of html.matchAll(/href="#([^"]+)"/g)) assert.ok(ids.includes(m[1]!), `link to a missing id: ${m[1]}`);
  assert.ok(!/-sec-appendix"/.test(html));
  assert.match(buildProposalHtml(c, 'ja', { appendix: true }), /id="d1-sec-appendix"/);
  // Nothing loaded from elsewhere.
  assert.ok(!/<(script|link|iframe)\b/i.test(html));
  assert.ok(!/src="(?!data:)/.test(html));
});

// ---------------------------------------------------------------- the CLI

/** A real 2×1 PNG (signature, IHDR, IDAT, IEND) without an image library. */
function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.from([0, 0x1c, 0x3d, 0x6e, 0x8b, 0x1a, 0x1a]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

test('CLI: report a.json b.json --format html with the cover options writes one proposal', async () => {
  const a = writeJson('host.json', shop());
  const b = writeJson('site.json', shopSite());
  const logo = join(dir, 'logo.png');
  writeFileSync(logo, png());
  const out = join(dir, 'proposal.html');
  const r = await runCli(['report', a, b, '--format', 'html', '--lang', 'ja', '--output', out, '--client', 'サンプル商店', '--vendor', 'Example Web Inc.', '--logo', logo, '--addressee', 'ご担当 佐藤様']);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<html lang="ja">/);
  assert.match(html, /サンプル商店 御中/);
  assert.match(html, /ご担当 佐藤様/);
  assert.match(html, /Example Web Inc\./);
  assert.ok(html.includes(`src="data:image/png;base64,${png().toString('base64')}"`));
  assert.equal(html.match(/class="mig"/g)?.length, 1);
  assert.match(html, /詳細: shop\.example\.jp/);
  assert.match(html, /詳細: http:\/\/shop\.example\.jp\//);
  // The single-scan report is unchanged in kind: its own cover, its appendix.
  const single = join(dir, 'single.html');
  assert.equal((await runCli(['report', a, '--format', 'html', '--output', single])).code, 0);
  assert.match(readFileSync(single, 'utf8'), /id="sec-appendix"/);
});

test('CLI: a file that is not a mamori report, a bad logo, or a combined non-HTML format: exit 2 with a hint', async () => {
  const a = writeJson('host2.json', shop());
  const notReport = writeJson('package.json', { name: 'x', version: '1.0.0' });
  const r = await runCli(['report', a, notReport, '--format', 'html', '--output', join(dir, 'x.html')]);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.includes(notReport), r.stderr);
  assert.match(r.stderr, /not a mamori scan report/);
  assert.match(r.stderr, /mamori scan host .*--format json/);
  assert.ok(!existsSync(join(dir, 'x.html')));

  const txt = join(dir, 'logo.txt');
  writeFileSync(txt, 'not an image');
  const t = await runCli(['report', a, '--logo', txt, '--format', 'html', '--output', join(dir, 'y.html')]);
  assert.equal(t.code, 2);
  assert.match(t.stderr, /logo\.txt is not a PNG, JPEG or SVG/);
  const svg = join(dir, 'logo.svg');
  writeFileSync(svg, '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>');
  const s = await runCli(['report', a, '--logo', svg, '--format', 'html', '--output', join(dir, 'y.html')]);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /SVG with scripts/);
  const big = join(dir, 'big.png');
  writeFileSync(big, Buffer.concat([png(), Buffer.alloc(600 * 1024)]));
  const bg = await runCli(['report', a, '--logo', big, '--format', 'html', '--output', join(dir, 'y.html')]);
  assert.equal(bg.code, 2);
  assert.match(bg.stderr, /at most 524288 bytes/);
  const csv = await runCli(['report', a, a, '--format', 'csv']);
  assert.equal(csv.code, 2);
  assert.match(csv.stderr, /only be combined into html or pdf/);
});

test('CLI: the combined PDF through real Chromium', async (t) => {
  if (!existsSync(chromiumPath())) return t.skip(`chromium not installed at ${chromiumPath()}`);
  const a = writeJson('host3.json', shop());
  const b = writeJson('site3.json', shopSite());
  const out = join(dir, 'proposal.pdf');
  const r = await runCli(['report', a, b, '--format', 'pdf', '--output', out, '--client', 'サンプル商店', '--lang', 'ja'], { timeoutMs: 240_000 });
  assert.equal(r.code, 0, r.stderr);
  const pdf = readFileSync(out);
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(pdf.length > 50_000, `a multi-page PDF (${pdf.length} bytes)`);
});
