import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseReportDocument } from './schema.js';
import { evidenceOf, typed } from '../evidence.js';

const dir = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const docs = [
  ...readdirSync(dir('../../../test/fixtures/golden/')).filter((f) => f.endsWith('.json') && !f.includes('.sarif.')).map((f) => `../../../test/fixtures/golden/${f}`),
  ...readdirSync(dir('../../../test/fixtures/report/')).filter((f) => f.endsWith('.json')).map((f) => `../../../test/fixtures/report/${f}`),
];

test('every report the scans write (golden outputs, report fixtures) parses, evidence included', () => {
  assert.ok(docs.length >= 10);
  for (const rel of docs) {
    const r = parseReportDocument(JSON.parse(readFileSync(dir(rel), 'utf8')));
    assert.ok(r.ok, `${rel}: ${r.ok ? '' : r.issues.join('; ')}`);
  }
});

test('evidence is checked per category and named by its place; extra fields are kept', () => {
  const raw = JSON.parse(readFileSync(dir('../../../test/fixtures/golden/host-ubuntu2204.en.json'), 'utf8'));
  const i = raw.findings.findIndex((f: { evidence?: { cves?: unknown[] } }) => Array.isArray(f.evidence?.cves) && typeof f.evidence.cves[0] === 'object');
  assert.ok(i >= 0);
  raw.findings[i].evidence.cves[0].cvss = 'high';
  const bad = parseReportDocument(raw);
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.issues[0]!, new RegExp(`^findings\\[${i}\\]\\.evidence\\.cves\\[0\\]`));

  raw.findings[i].evidence.cves[0].cvss = 9.8;
  raw.findings[i].evidence.futureField = { x: 1 };
  const good = parseReportDocument(raw);
  assert.ok(good.ok);
  const f = typed(good.doc.findings[i]!);
  assert.ok(f.category === 'vulnerability' || f.category === 'missing-security-update');
  const ev = evidenceOf(good.doc.findings[i]! as typeof good.doc.findings[number] & { category: 'vulnerability' });
  assert.equal(typeof ev.cves?.[0] === 'object' ? ev.cves[0].cvss : undefined, 9.8);
  assert.deepEqual((good.doc.findings[i]!.evidence as Record<string, unknown>).futureField, { x: 1 });

  const eol = JSON.parse(readFileSync(dir('../../../test/fixtures/golden/host-centos6.en.json'), 'utf8'));
  const j = eol.findings.findIndex((x: { category: string }) => x.category === 'end-of-life');
  eol.findings[j].evidence.phase = 'maybe';
  const r = parseReportDocument(eol);
  assert.match(r.ok ? '' : r.issues.join(' '), new RegExp(`findings\\[${j}\\]\\.evidence\\.phase`));
});
