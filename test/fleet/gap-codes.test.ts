/**
 * Law: every gap code the scanners can emit has an explicit rule in src/fleet/coverage.ts, so a new scanner gap
 * cannot silently fall into "unknown → nothing checked" (which keeps every open finding of every target that
 * emits it open forever) — nor a rule outlive the code it was written for.
 *
 * The enumeration: the message catalogs are not enough (the host and site gap codes are not catalog keys, only
 * their subjects and reasons are), so the sources are read: every string literal shaped like a gap code in src/
 * (the emitters: gapOf, addGap, deadlineGap, catalogGap, the assessment's gap(), object literals). The catalogs'
 * gap-shaped codes and the gaps of real scans (the collector over every captured host in test/fixtures/host, the
 * golden documents) are checked too, as a second and third witness. At runtime an unknown code stays conservative.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectHost } from '../../src/collect/host/index.js';
import { loadPii } from '../../src/collect/host/pii-bridge.js';
import type { ReportDocument } from '../../src/core/model.js';
import { messages } from '../../src/core/messages/index.js';
import { blindsOfGap, MAPPED_GAP_CODES } from '../../src/fleet/coverage.js';
import { FixtureTransport, fixturesDir } from '../host/fixture-transport.js';

const src = fileURLToPath(new URL('../../src/', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const mapped = new Set(MAPPED_GAP_CODES);

/** A gap code: `<scanner>.gap.<name>`; `…What` / `…Why` and `knowledge.gap.what` are the subjects and reasons of gaps, not codes. */
const SHAPE = /^(?:host|site|assess|knowledge|pii)\.gap\.[A-Za-z0-9]+$/;
const isCode = (s: string) => SHAPE.test(s) && !/(What|Why)$/.test(s) && s !== 'knowledge.gap.what';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Every gap-code literal of src/ (not the catalogs that define messages, not the rule itself), with where it is. */
function emittedCodes(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of sources(src)) {
    const rel = relative(src, file);
    if (rel.startsWith('core/messages/') || rel === 'fleet/coverage.ts') continue;
    const text = readFileSync(file, 'utf8');
    // A code built at run time cannot be enumerated: the emitters name their codes.
    assert.doesNotMatch(text, /\.gap\.\$\{/, `${rel}: a gap code built from a template cannot be checked against the coverage rule`);
    for (const m of text.matchAll(/(['"`])([a-z]+\.gap\.[A-Za-z0-9]+)\1/g)) {
      const code = m[2]!;
      if (!isCode(code)) continue;
      out.set(code, [...(out.get(code) ?? []), rel]);
    }
  }
  return out;
}

test('every gap code in the sources has a rule in src/fleet/coverage.ts, and every rule a code that is still emitted', () => {
  const emitted = emittedCodes();
  assert.ok(emitted.size >= 60, `the enumeration found ${emitted.size} codes`);
  // The emitters of each scanner are found (a broken scan would pass the law vacuously).
  for (const code of ['host.gap.config', 'host.gap.nonUtf8', 'site.gap.deadlineCrawl', 'assess.gap.compareUnknown', 'pii.gap.maxFiles', 'knowledge.gap.load']) assert.ok(emitted.has(code), code);
  const missing = [...emitted].filter(([code]) => !mapped.has(code)).map(([code, files]) => `${code} (${[...new Set(files)].join(', ')})`);
  assert.deepEqual(missing, [], 'gap codes without a coverage rule: add one to GAP_RULES (as narrow as the gap means)');
  const stale = MAPPED_GAP_CODES.filter((code) => !emitted.has(code));
  assert.deepEqual(stale, [], 'coverage rules for codes no scanner emits (renamed?)');
});

test('every gap-shaped code of the message catalogs has a rule', () => {
  const catalog = messages.codes('en').filter(isCode);
  assert.ok(catalog.some((c) => c.startsWith('assess.gap.')) && catalog.some((c) => c.startsWith('pii.gap.')));
  assert.deepEqual(catalog.filter((c) => !mapped.has(c)), []);
});

test('the gaps of real scans have rules: the collector over every captured host, and the golden documents', async () => {
  const pii = (await loadPii()).mod;
  const seen = new Set<string>();
  for (const system of readdirSync(fixturesDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
    // With a document root each (walked or not) and the classifier, so the root and personal-data gaps come too.
    const r = await collectHost(new FixtureTransport(system), { docroots: ['/var/www/html', '/nonexistent-root'], pii });
    for (const g of r.gaps) {
      assert.ok(g.code, `${system}: a gap without a code (${g.what})`);
      assert.ok(mapped.has(g.code), `${system}: ${g.code} (${g.what}: ${g.why}) has no coverage rule`);
      seen.add(g.code);
    }
  }
  for (const dir of ['golden', 'fleet']) {
    for (const name of readdirSync(join(fixtures, dir)).filter((n) => n.endsWith('.json') && !n.includes('.sarif.'))) {
      const doc = JSON.parse(readFileSync(join(fixtures, dir, name), 'utf8')) as ReportDocument;
      for (const g of doc.gaps ?? []) {
        assert.ok(g.code && mapped.has(g.code), `${dir}/${name}: ${g.code} has no coverage rule`);
        seen.add(g.code);
      }
    }
  }
  assert.ok(seen.size >= 8, `real scans emitted ${[...seen].join(', ')}`);
});

test('at run time a code without a rule stays conservative: nothing of the scan counts as checked', () => {
  for (const kind of ['host', 'site']) {
    assert.deepEqual(blindsOfGap({ what: 'x', why: 'y', code: 'host.gap.fromTheFuture' }, kind, 'fixture:x').map((b) => b.area), ['all']);
    assert.deepEqual(blindsOfGap({ what: 'x', why: 'y' }, kind, 'fixture:x').map((b) => b.area), ['all']);
  }
  // A site gap in a host document cannot be placed either.
  assert.deepEqual(blindsOfGap({ what: 'x', why: 'y', code: 'site.gap.tls' }, 'host', 'fixture:x').map((b) => b.area), ['all']);
  // An inherited name is not a rule.
  assert.deepEqual(blindsOfGap({ what: 'x', why: 'y', code: 'constructor' }, 'host', 'fixture:x').map((b) => b.area), ['all']);
});
