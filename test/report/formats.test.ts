/** SARIF and CycloneDX validated against their published schemas; CSV parsed back (RFC 4180, BOM, CRLF, no formulas). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import type { Package, ReportDocument } from '../../src/core/model.js';
import { buildSarif, ruleIdOf } from '../../src/report/sarif.js';
import { buildCycloneDx, purlOf } from '../../src/report/cyclonedx.js';
import { buildCsv, csvCell, CSV_COLUMNS } from '../../src/report/csv.js';
import { renderers } from '../../src/report/index.js';

const fixture = (name: string): ReportDocument => JSON.parse(readFileSync(new URL(`../fixtures/report/${name}.json`, import.meta.url), 'utf8')) as ReportDocument;
const schema = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../fixtures/report/schemas/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

type AjvLike = { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown }; addSchema(s: object): unknown; addFormat(n: string, f: RegExp): unknown };
function sarifValidator() {
  const ajv = new (Ajv2020 as unknown as new (o: object) => AjvLike)({ strict: false, allErrors: true });
  (addFormats as unknown as (a: AjvLike) => void)(ajv);
  return ajv.compile(schema('sarif-schema-2.1.0.json'));
}
function cdxValidator() {
  const ajv = new (Ajv as unknown as new (o: object) => AjvLike)({ strict: false, allErrors: true });
  (addFormats as unknown as (a: AjvLike) => void)(ajv);
  // CycloneDX uses the IRI formats, which ajv-formats does not define: an IRI has no spaces or controls.
  ajv.addFormat('iri-reference', /^[^\s\u0000-\u001f]*$/u);
  ajv.addFormat('iri', /^[A-Za-z][A-Za-z0-9+.-]*:[^\s\u0000-\u001f]*$/u);
  ajv.addSchema(schema('spdx.schema.json'));
  ajv.addSchema(schema('jsf-0.82.schema.json'));
  return ajv.compile(schema('bom-1.6.schema.json'));
}

/** RFC 4180 reader for the test: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        i++;
        continue;
      }
      cell += c;
      i++;
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 2;
    } else {
      cell += c;
      i++;
    }
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

test('SARIF of the CentOS 6 shop is valid SARIF 2.1.0: a rule per check or CVE, levels from severity, locations', () => {
  const doc = fixture('centos6-shop');
  const sarif = buildSarif(doc, 'ja');
  const validate = sarifValidator();
  assert.ok(validate(sarif), JSON.stringify(validate.errors, null, 1)?.slice(0, 2000));
  const run = sarif.runs[0]!;
  assert.equal(run.results.length, doc.findings.length);
  const rules = run.tool.driver.rules as { id: string; properties: Record<string, unknown> }[];
  assert.equal(new Set(rules.map((r) => r.id)).size, rules.length, 'rule ids are unique');
  const kev = run.results.find((r) => r.ruleId === 'CVE-2012-1823')!;
  assert.equal(kev.level, 'error');
  assert.deepEqual(kev.properties.cves, ['CVE-2012-1823']);
  assert.equal(kev.properties.kev, true);
  assert.equal(rules[kev.ruleIndex]!.id, 'CVE-2012-1823');
  assert.equal(rules[kev.ruleIndex]!.properties['security-severity'], '9.8');
  const pii = run.results.find((r) => r.properties.category === 'personal-data-exposure')!;
  assert.equal(pii.properties.priority, 1);
  assert.equal((pii.locations[0] as { physicalLocation: { artifactLocation: { uri: string } } }).physicalLocation.artifactLocation.uri, 'http://shop.example.jp/data/customers_20190401.csv');
  const upd = run.results.find((r) => r.properties.category === 'missing-security-update')!;
  assert.deepEqual((upd.locations[0] as { logicalLocations: { name: string; kind: string }[] }).logicalLocations[0], { name: 'rpm database', kind: 'package' });
  const low = run.results.find((r) => r.properties.severity === 'low')!;
  assert.equal(low.level, 'note');
  assert.equal(run.invocations[0]!.toolExecutionNotifications.length, doc.gaps.length);
});

test('SARIF of the small site scan (no damage, markup in titles) is valid too', () => {
  const validate = sarifValidator();
  const sarif = buildSarif(fixture('site-small'), 'en');
  assert.ok(validate(sarif), JSON.stringify(validate.errors)?.slice(0, 2000));
  assert.equal(ruleIdOf({ id: 'x', category: 'cookie', severity: 'low', title: '', remediation: { priority: 1, action: '' } }), 'mamori/cookie');
});

test('CycloneDX 1.6 of the CentOS 6 shop is valid against the official schema, with purls and vulnerabilities', () => {
  const doc = fixture('centos6-shop');
  const bom = buildCycloneDx(doc);
  const validate = cdxValidator();
  assert.ok(validate(bom), JSON.stringify(validate.errors, null, 1)?.slice(0, 2000));
  const purls = (bom.components as { purl?: string }[]).map((c) => c.purl);
  assert.ok(purls.includes('pkg:rpm/centos/php@5.3.3-49.el6?arch=x86_64&distro=centos-6'));
  assert.ok(purls.includes('pkg:rpm/centos/bind-libs@9.8.2-0.68.rc1.el6?arch=x86_64&distro=centos-6&epoch=32'));
  assert.ok(purls.includes('pkg:composer/smarty/smarty@2.6.26'));
  assert.ok(purls.includes('pkg:npm/jquery@1.4.2'));
  assert.ok(purls.includes('pkg:generic/php@5.3.3'));
  assert.ok(purls.includes('pkg:generic/ec-cube@2.11.5'));
  const refs = new Set((bom.components as { 'bom-ref': string }[]).map((c) => c['bom-ref']));
  assert.equal(bom.vulnerabilities.length, 80);
  for (const v of bom.vulnerabilities) for (const a of v.affects) assert.ok(refs.has(a.ref), `${v.id} affects an unknown ref ${a.ref}`);
  const kev = bom.vulnerabilities.find((v) => v.id === 'CVE-2012-1823')!;
  assert.deepEqual(kev.ratings[0], { score: 9.8, severity: 'critical', method: 'CVSSv31', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' });
  assert.ok(kev.properties.some((p) => p.name === 'mamori:kev' && p.value === 'true'));
  assert.match(bom.serialNumber, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(buildCycloneDx(doc).serialNumber, bom.serialNumber, 'the same scan gives the same BOM');
  const small = buildCycloneDx(fixture('site-small'));
  assert.ok(validate(small), JSON.stringify(validate.errors)?.slice(0, 2000));
});

test('purls for Debian, Ubuntu, Alpine and scoped npm packages', () => {
  const deb: Package = { name: 'openssl', version: '3.0.11-1~deb12u2', ecosystem: 'dpkg', arch: 'amd64' };
  assert.equal(purlOf(deb, { family: 'debian', name: 'Debian GNU/Linux', version: '12' }), 'pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12');
  assert.equal(
    purlOf({ name: 'libc6', version: '2.35-0ubuntu3.8', ecosystem: 'dpkg', arch: 'amd64' }, { family: 'ubuntu', name: 'Ubuntu', version: '22.04.4' }),
    'pkg:deb/ubuntu/libc6@2.35-0ubuntu3.8?arch=amd64&distro=ubuntu-22.04',
  );
  assert.equal(purlOf({ name: 'bash', version: '1:5.2+dfsg', ecosystem: 'dpkg' }, undefined), 'pkg:deb/debian/bash@5.2%2Bdfsg?epoch=1');
  assert.equal(purlOf({ name: 'musl', version: '1.2.4-r2', ecosystem: 'apk', arch: 'x86_64' }, { family: 'alpine', name: 'Alpine', version: '3.19.1' }), 'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19');
  assert.equal(purlOf({ name: '@babel/core', version: '7.24.0', ecosystem: 'npm' }, undefined), 'pkg:npm/%40babel/core@7.24.0');
});

test('CSV: BOM, CRLF, localized headers, a row per finding, parsed back field for field', () => {
  const doc = fixture('centos6-shop');
  for (const lang of ['ja', 'en'] as const) {
    const csv = buildCsv(doc, lang);
    assert.ok(csv.startsWith('\uFEFF'), 'UTF-8 BOM');
    assert.ok(!/[^\r]\n/.test(csv.replace(/"(?:[^"]|"")*"/g, '""')), 'every record ends in CRLF (line breaks inside quoted cells are kept as they are)');
    const rows = parseCsv(csv.slice(1));
    assert.equal(rows.length, doc.findings.length + 1);
    assert.equal(rows[0]!.length, CSV_COLUMNS.length);
    assert.equal(rows[0]![3], lang === 'ja' ? '件名' : 'title');
    for (const [i, f] of doc.findings.entries()) {
      const r = rows[i + 1]!;
      assert.equal(r[0], f.id);
      assert.equal(r[1], f.severity);
      assert.equal(r[6], (f.cves ?? []).join(' '));
      assert.equal(r[8], String(f.remediation.priority));
      assert.equal(r[10], f.remediation.command ?? '');
    }
    // The multi-line command keeps its line breaks inside quotes.
    assert.ok(rows.some((r) => r[10]!.includes('RewriteEngine On\nRewriteCond')));
  }
});

test('CSV cells never start a formula, and any text round-trips (property)', () => {
  assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  assert.equal(csvCell('+1'), "'+1");
  assert.equal(csvCell('-2'), "'-2");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell('普通の文'), '普通の文');
  fc.assert(
    fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), (cells) => {
      const line = `${cells.map(csvCell).join(',')}\r\n`;
      const back = parseCsv(line);
      if (back.length !== 1) return false;
      return back[0]!.every((v, i) => {
        const orig = cells[i]!;
        const expected = /^[=+\-@\t\r]/.test(orig) ? `'${orig}` : orig;
        return v === expected && !/^[=+\-@]/.test(v);
      });
    }),
    { numRuns: 300 },
  );
});

test('the real assessment output (a Debian 12 host scan) is valid SARIF and CycloneDX, with deb purls', () => {
  const doc = fixture('debian12-host');
  const sarif = buildSarif(doc, 'ja');
  const vs = sarifValidator();
  assert.ok(vs(sarif), JSON.stringify(vs.errors)?.slice(0, 2000));
  assert.ok(sarif.runs[0]!.results.every((r) => r.ruleId === 'host.update.title' || r.ruleId.length > 0));
  const bom = buildCycloneDx(doc);
  const vc = cdxValidator();
  assert.ok(vc(bom), JSON.stringify(vc.errors)?.slice(0, 2000));
  const deb = (bom.components as { purl?: string }[]).map((c) => c.purl).filter((p) => p?.startsWith('pkg:deb/debian/'));
  assert.ok(deb.length >= 40);
  assert.ok(deb.every((p) => /distro=debian-12/.test(p!)), deb[0]);
});

test('every format of the contract is registered, so every scan can use it through --format', () => {
  for (const f of ['json', 'html', 'pdf', 'sarif', 'csv', 'cyclonedx']) assert.ok(renderers[f], `${f} renderer`);
});
