/** The HTML report as a document: sections in the field's terms, self-contained, escaped, masked, degrading gracefully. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { Finding, ReportDocument } from '../../src/core/model.js';
import { buildHtml } from '../../src/report/html.js';
import { cveRows, firstThree, makeTexts, overallLevel, plan, sections } from '../../src/core/document/view.js';

const fixture = (name: string): ReportDocument => JSON.parse(readFileSync(new URL(`../fixtures/report/${name}.json`, import.meta.url), 'utf8')) as ReportDocument;

/** Every src/href/url() in the page, for the self-containment check. */
function references(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/\b(?:src|href|xlink:href|action|poster|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  for (const m of html.matchAll(/url\(\s*([^)]*)\)/gi)) out.push(m[1]!);
  for (const m of html.matchAll(/@import\s+([^;]+)/gi)) out.push(m[1]!);
  return out;
}

test('the Japanese report of the CentOS 6 shop has the executive summary and one section per risk in the field’s terms', () => {
  const html = buildHtml(fixture('centos6-shop'), 'ja');
  assert.match(html, /<html lang="ja">/);
  for (const heading of [
    'セキュリティ診断報告書',
    '診断結果の概要',
    '総合リスク評価',
    'お客様・サイト利用者への最も大きな影響',
    '貴社への最も大きな影響',
    '最初に実施していただきたい 3 つの対応',
    '個人情報の公開領域への格納',
    '平文通信',
    'サポートが終了した PHP・OS',
    'サポート終了プログラム',
    '未適用のセキュリティ更新',
    '既知の脆弱性 (CVE)',
    '対応計画',
    '付録: コンポーネント別の既知の脆弱性 (CVE) 一覧',
    '診断できなかった項目',
  ]) {
    assert.ok(html.includes(heading), `missing heading ${heading}`);
  }
  // Overall level: critical, and the personal data comes first among the sections.
  assert.match(html, /lv-critical/);
  assert.ok(html.indexOf('id="sec-personal-data-exposure"') < html.indexOf('id="sec-plaintext-transport"'));
  assert.ok(html.indexOf('id="sec-plaintext-transport"') < html.indexOf('id="sec-eol-php-os"'));
  // Timeline (SVG with today marked) and the severity chart.
  assert.match(html, /<svg class="chart timeline-chart"/);
  assert.match(html, /<svg class="chart severity-chart"/);
  assert.match(html, /class="today"/);
  // The plan has its commands and the review date of the temporary defence.
  assert.ok(html.includes('mv /var/www/html/data/customers_20190401.csv /root/private/'));
  assert.ok(html.includes('見直し期限: 2026-12-04'));
});

test('the appendix lists every CVE per component version, with CVSS, KEV and the fixed version', () => {
  const doc = fixture('centos6-shop');
  const html = buildHtml(doc, 'en');
  const appendix = html.slice(html.indexOf('id="sec-appendix"'), html.indexOf('id="sec-inventory"'));
  const all = new Set(doc.findings.flatMap((f) => f.cves ?? []));
  assert.equal(all.size, 45 + 35);
  for (const cve of all) assert.ok(appendix.includes(`>${cve}<`), `${cve} missing from the appendix`);
  const row = /<tr><td class="id">CVE-2012-1823<\/td><td class="n">9\.8[^<]*<span[^>]*>v3\.1<\/span><\/td><td><span class="kev">KEV<\/span><\/td><td>5\.3\.12<\/td>/;
  assert.match(appendix, row);
  // KEV first within PHP 5.3.3.
  const php = appendix.slice(appendix.indexOf('PHP 5.3.3'));
  assert.ok(php.indexOf('CVE-2012-1823') < php.indexOf('CVE-2010-2950'));
});

test('the HTML is self-contained: nothing is loaded from elsewhere and no script runs', () => {
  for (const name of ['centos6-shop', 'site-small']) {
    for (const lang of ['ja', 'en'] as const) {
      const html = buildHtml(fixture(name), lang);
      const refs = references(html);
      const offDocument = refs.filter((r) => !r.startsWith('#'));
      assert.deepEqual(offDocument, [], `${name}/${lang} references ${offDocument.join(', ')}`);
      assert.doesNotMatch(html, /<script|<link|<iframe|<img|<object|<embed/i);
    }
  }
});

test('text from the scan is escaped: a <script> in a finding title or URL stays text', () => {
  const html = buildHtml(fixture('site-small'), 'ja');
  assert.ok(!html.includes('<script>alert("x")</script>'));
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
  assert.ok(html.includes('?a=1&amp;b=&lt;b&gt;'));
});

test('property: whatever a scan puts in titles, locations, evidence, target and gaps, no markup gets through', () => {
  const base = fixture('site-small');
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.string(), (a, b, c) => {
      const marker = `<x-inject a="${a}">${b}</x-inject>`;
      const doc: ReportDocument = {
        ...base,
        target: { kind: 'site', name: `${marker}${c}` },
        findings: base.findings.map((f) => ({ ...f, title: marker + f.title, location: marker, evidence: { [marker]: marker, list: [marker, { k: marker }] } })),
        gaps: [{ what: marker, why: marker }],
      };
      const html = buildHtml(doc, 'en');
      return !/<x-inject/i.test(html);
    }),
    { numRuns: 60 },
  );
});

test('evidence shows personal data masked and never unmasks; a full address that slipped through is masked again', () => {
  const base = fixture('centos6-shop');
  const html = buildHtml(base, 'ja');
  assert.ok(html.includes('ta***@example.jp'));
  assert.ok(html.includes('090-****-6809'));
  assert.ok(html.includes('個人情報は伏せ字で表示し'));
  const leaked: ReportDocument = {
    ...base,
    findings: [{ ...base.findings[0]!, evidence: { samples: ['taro.yamada@example.co.jp', '090-1234-5678', '03-1234-5678'] } }],
  };
  const out = buildHtml(leaked, 'ja');
  assert.ok(!out.includes('taro.yamada'), 'full e-mail local part must not appear');
  assert.ok(!out.includes('1234-5678'));
  assert.ok(out.includes('ta***@example.co.jp'));
});

test('a document without damage, lifecycle, OS, evidence or findings still renders, from the catalog', () => {
  const site = fixture('site-small');
  assert.equal(site.lifecycle, undefined);
  const html = buildHtml(site, 'ja');
  // No damage in the document: the category text of the catalog is used.
  assert.ok(html.includes('フォームに入力した情報が、公衆無線 LAN などの通信経路上で盗み見られたり'));
  assert.doesNotMatch(html, /timeline-chart/);
  const empty: ReportDocument = { ...site, findings: [], gaps: [], summary: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, inventory: { packages: [], components: [], pendingUpdates: [] } };
  const e = buildHtml(empty, 'en');
  assert.match(e, /No findings/);
  assert.match(e, /No problems were found in what could be checked/);
  assert.match(e, /No CVE was matched/);
  // A broken date and unknown lifecycle phases do not crash either.
  const odd = buildHtml({ ...site, scannedAt: 'not a date', lifecycle: [{ component: 'php', phase: 'unknown' }, { component: 'nginx', phase: 'eol' }] }, 'en');
  assert.match(odd, /timeline-chart/);
});

test('the support timeline says each phase in words and patterns, not by colour alone (black-and-white print, screen readers)', () => {
  const site = fixture('site-small');
  const lifecycle: ReportDocument['lifecycle'] = [
    { component: 'centos', version: '7.9.2009', cycle: '7', phase: 'eol', releaseDate: '2014-07-07', activeSupportEnd: '2020-08-06', securitySupportEnd: '2024-06-30', daysLeft: -875, source: 'endoflife.date' },
    { component: 'php', version: '8.2.28', cycle: '8.2', phase: 'security', releaseDate: '2022-12-08', activeSupportEnd: '2024-12-31', securitySupportEnd: '2026-12-31', daysLeft: 40, source: 'endoflife.date' },
    { component: 'nginx', version: '1.26.3', cycle: '1.26', phase: 'active', releaseDate: '2024-04-23', securitySupportEnd: '2027-04-23', daysLeft: 518, source: 'endoflife.date' },
    { component: 'mysql', version: '5.1.73', phase: 'unknown', reason: 'ナレッジ DB に mysql のライフサイクル情報がありません' },
  ];
  const svgOf = (html: string) => html.slice(html.indexOf('<svg class="chart timeline-chart"'), html.indexOf('</svg>', html.indexOf('<svg class="chart timeline-chart"')) + 6);
  const expected = {
    ja: { eol: 'サポート終了', security: 'セキュリティ修正のみ', active: 'サポート中', unknown: '不明' },
    en: { eol: 'End of life', security: 'Security fixes only', active: 'Supported', unknown: 'Unknown' },
  } as const;
  for (const lang of ['ja', 'en'] as const) {
    const svg = svgOf(buildHtml({ ...site, lifecycle }, lang));
    assert.ok(svg.length > 100, 'timeline rendered');
    // The current phase is written on each row, in the report's language.
    for (const [phase, label] of Object.entries(expected[lang])) {
      assert.ok(svg.includes(`class="phase ph-${phase}">${label}</text>`), `${lang}: row label ${label} for ${phase}`);
    }
    const other = expected[lang === 'ja' ? 'en' : 'ja'];
    for (const label of [other.eol, other.security, other.active]) assert.ok(!svg.includes(label), `${lang}: ${label} from the other language`);
    // Patterns beside the colours: end of life hatched, security-only dotted, in the segments and the legend.
    assert.match(svg, /<pattern id="mamori-phase-eol"[^>]*patternTransform="rotate\(45\)"/);
    assert.match(svg, /<rect [^>]*fill="url\(#mamori-phase-eol\)" class="seg eol"><title>/);
    assert.match(svg, /<rect [^>]*fill="url\(#mamori-phase-security\)" class="seg security"><title>/);
    assert.match(svg, /fill="url\(#mamori-phase-eol\)" class="swatch"/);
    // Every segment has a title; the chart's label reads every row.
    const segs = [...svg.matchAll(/<rect [^>]*class="seg [a-z]+"(\/?)>/g)];
    assert.ok(segs.length >= 7);
    assert.deepEqual(segs.filter((m) => m[1] === '/'), [], 'a segment without a title');
    const aria = /aria-label="([^"]*)"/.exec(svg)![1]!;
    assert.ok(aria.includes(`CentOS 7: ${expected[lang].eol} (`), aria);
    assert.ok(aria.includes(`PHP 8.2: ${expected[lang].security} (`), aria);
    assert.ok(aria.includes(`nginx 1.26: ${expected[lang].active} (`), aria);
    assert.ok(aria.includes(`MySQL 5.1.73: ${expected[lang].unknown}`), aria);
  }
  const ja = svgOf(buildHtml({ ...site, lifecycle }, 'ja'));
  assert.ok(ja.includes('<title>CentOS 7: サポート終了: 2024-06-30 以降</title>'));
  assert.ok(ja.includes('<title>PHP 8.2: セキュリティ修正のみ: 2024-12-31 〜 2026-12-31</title>'));
  assert.ok(ja.includes('2024-06-30 終了'));
});

test('the English report is in English, the Japanese one in Japanese', () => {
  const doc = fixture('centos6-shop');
  const en = buildHtml(doc, 'en');
  assert.match(en, /Security Assessment Report/);
  assert.match(en, /Personal data stored in the public web area/);
  assert.match(en, /Plaintext communication/);
  assert.match(en, /End-of-life PHP and operating system/);
  assert.match(en, /Security updates not applied/);
  assert.match(en, /November 2026/);
  const ja = buildHtml(doc, 'ja');
  assert.match(ja, /2026年11月20日/);
  assert.match(ja, /\(JST\)/);
});

test('view: level, the plan in priority order and the three first things follow the assessment', () => {
  const doc = fixture('centos6-shop');
  assert.equal(overallLevel(doc), 'critical');
  assert.equal(overallLevel({ ...doc, findings: [] }), 'none');
  const x = makeTexts(doc, 'ja');
  const items = plan(doc, x);
  const priorities = items.map((i) => i.priority);
  assert.deepEqual(priorities, [...priorities].sort());
  const first = firstThree(items);
  assert.equal(first.length, 3);
  assert.ok(first.every((i) => i.worst === 'critical'));
  assert.ok(first[0]!.action.includes('ドキュメントルートの外へ移動'));
  // Sections: PHP and CentOS EOL together, Apache with the other programs.
  const secs = sections(doc);
  const phpOs = secs.find((s) => s.key === 'eol-php-os')!;
  assert.deepEqual(phpOs.findings.map((f) => f.component?.name).sort(), ['centos', 'php']);
  const other = secs.find((s) => s.key === 'eol-other')!;
  assert.ok(other.findings.some((f) => f.component?.name === 'apache-httpd'));
  assert.ok(other.findings.some((f) => f.category === 'outdated-application'));
});

test('cveRows reads the assessment’s per-CVE evidence lists (evidence.cves) as well as single-CVE findings', () => {
  const f: Finding = {
    id: 'VULN-1',
    category: 'vulnerability',
    severity: 'critical',
    title: 'PHP 5.3.3',
    component: { name: 'php', version: '5.3.3' },
    cves: ['CVE-2012-1823', 'CVE-2012-2311', 'CVE-2014-0001'],
    evidence: {
      cves: [
        { id: 'CVE-2012-1823', severity: 'critical', cvss: 9.8, cvssVersion: '3.1', kev: { dateAdded: '2022-03-25' }, fixedIn: '5.3.12', feed: 'php-releases' },
        { id: 'CVE-2012-2311', severity: 'high', cvss: 7.5, cvssVersion: '2.0', fixedIn: '5.3.13', feed: 'php-releases' },
      ],
    },
    remediation: { priority: 3, action: 'migrate' },
  };
  const rows = cveRows({ ...fixture('site-small'), findings: [f] });
  assert.equal(rows.length, 3);
  const kev = rows.find((r) => r.id === 'CVE-2012-1823')!;
  assert.equal(kev.kev, true);
  assert.equal(kev.cvss, 9.8);
  assert.equal(kev.fixedIn, '5.3.12');
  assert.equal(rows.find((r) => r.id === 'CVE-2012-2311')!.severity, 'high');
  assert.equal(rows.find((r) => r.id === 'CVE-2014-0001')!.cvss, undefined);
});

test('the real assessment output: pending updates become one card and one plan item with one command', () => {
  const doc = fixture('debian12-host');
  const x = makeTexts(doc, 'ja');
  const items = plan(doc, x);
  const merged = items.find((i) => i.commands[0]?.startsWith('apt-get install --only-upgrade '))!;
  assert.equal(merged.findings.length, doc.findings.length);
  assert.ok(merged.action.includes(`${doc.findings.length} 件`));
  for (const f of doc.findings) assert.ok(merged.commands[0]!.split(' ').includes(f.component!.name), f.component!.name);
  const html = buildHtml(doc, 'ja');
  assert.equal(html.match(/<article class="finding"/g)?.length, 1, 'one card for all pending updates');
  assert.ok(html.includes(`ほかに ${doc.findings.length - 1} 件あります`));
  assert.deepEqual(references(html).filter((r) => !r.startsWith('#')), []);
});
