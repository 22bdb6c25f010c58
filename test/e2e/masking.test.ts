/**
 * Personal data is never printed in full (issue 13, item 4), through the CLI users run. Generated people's
 * values are planted in every position a value can reach a report from: a CSV's first row of `label:value`
 * cells, ordinary cells, file names, URL paths and query strings, page titles. `scan files`, `scan host
 * --docroot` and `scan site` (a loopback shop) run over them, and each report is rendered in every format
 * (json, table, html, csv, sarif, cyclonedx, and pdf read back with pdftotext): no planted value may appear
 * whole, nor percent-encoded. A property over generated people (fast-check), a few runs: each one runs the CLI
 * about twenty times.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Gen, plantedForms, type Person } from '../pii/corpus.js';
import { runCli } from '../helpers/cli.js';
import { serve } from './targets.js';

const FORMATS = ['json', 'table', 'html', 'csv', 'sarif', 'cyclonedx', 'pdf'] as const;
const canPdf = existsSync('/usr/bin/chromium') && spawnSync('pdftotext', ['-v']).status === 0;

const row = (p: Person) => [`${p.sei} ${p.mei}`, p.phone, p.email, p.postal, `${p.pref}${p.city}${p.street}`, p.birth, p.card, p.myNumber];
const HEADER = ['氏名', '電話番号', 'メールアドレス', '郵便番号', '住所', '生年月日', 'カード番号', 'マイナンバー'];
const csv = (rows: string[][]) => `${rows.map((r) => r.join(',')).join('\r\n')}\r\n`;
const labelledRow = (p: Person) => row(p).map((v, i) => `${HEADER[i]}:${v}`);

/** A document root with values planted in the first (`label:value`) row, in cells, and in file names. */
function plantDocroot(root: string, g: Gen): Person[] {
  const people: Person[] = [];
  const next = () => {
    const p = g.person();
    people.push(p);
    return p;
  };
  const some = (n: number) => Array.from({ length: n }, () => row(next()));
  mkdirSync(join(root, 'data'), { recursive: true });
  writeFileSync(join(root, 'data/labelled-first.csv'), csv([labelledRow(next()), ...some(12)]));
  writeFileSync(join(root, 'data/labelled-all.csv'), csv(Array.from({ length: 8 }, () => labelledRow(next()))));
  writeFileSync(join(root, 'data/customers.csv'), csv([HEADER, ...some(15)]));
  // File names: each kind in the shape it is known by (names and birth dates behind a label, as the detector knows them).
  const named = next();
  const names = [
    `請求書_${named.phone}.csv`,
    `${named.phoneDigits}.csv`,
    `${named.email}.csv`,
    `card_${named.card}.csv`,
    `mn_${named.myNumber}.csv`,
    `氏名=${named.sei}${named.mei}.csv`,
    `〒${named.postal}.csv`,
    `${named.pref}${named.city}${named.street}.csv`,
    `生年月日=${named.birth}.csv`,
  ];
  for (const n of names) writeFileSync(join(root, 'data', n), csv([HEADER, ...some(4)]));
  return people;
}

/** A shop on 127.0.0.1: values in the title, in linked URLs' paths and queries, and an exposed export. */
async function plantSite(g: Gen): Promise<{ url: string; people: Person[]; close: () => Promise<void> }> {
  const people = [g.person(), g.person(), g.person()];
  const [a, b, c] = people as [Person, Person, Person];
  const exportCsv = csv([labelledRow(c), ...Array.from({ length: 10 }, () => row(g.person()))]);
  const q = new URLSearchParams({ name: `${a.sei}${a.mei}`, email: a.email, tel: a.phone, card_no: a.card, mynumber: a.myNumber, zip: a.postal, addr: `${a.pref}${a.city}${a.street}`, birthday: a.birth });
  const q2 = new URLSearchParams({ q: `${b.sei} ${b.mei}`, ref: b.phoneDigits, id: b.email });
  const links = [`/entry.php?${q}`, `/search.php?${q2}`, `/members/${encodeURIComponent(b.email)}/${b.phone}.html`, `/card/${b.card}/mn-${b.myNumber}.html`];
  const form = '<form method="post" action="/login.php"><input name="login_email" type="email"><input name="login_pass" type="password"><input name="tel"></form>';
  const page = (title: string) => `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${title}</title></head><body>${form}${links.map((l) => `<a href="${l}">x</a>`).join('')}</body></html>`;
  const site = await serve((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/data/customer.csv') {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
      return void res.end(req.method === 'HEAD' ? undefined : exportCsv);
    }
    if (path === '/' || links.some((l) => l.split('?')[0] === path)) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'PHPSESSID=abc123; path=/' });
      return void res.end(page(`${a.sei} ${a.mei}様のマイページ ${a.phone} ${a.email}`));
    }
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><body>Not Found</body></html>');
  });
  return { ...site, people };
}

function leaks(outputs: [string, string][], people: Person[]): string[] {
  const out: string[] = [];
  for (const p of people)
    for (const v of plantedForms(p))
      for (const [where, text] of outputs) if ([v, encodeURIComponent(v), encodeURIComponent(v).replace(/%20/g, '+')].some((x) => text.includes(x))) out.push(`${where}: ${v}`);
  return out;
}

describe('no planted personal value appears whole in any report format', { timeout: 900_000 }, () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'mamori-masking-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  /** Render a saved JSON report in every format; the PDF read back as text. */
  async function renderAll(json: string, name: string): Promise<[string, string][]> {
    const saved = join(tmp, `${name}.json`);
    writeFileSync(saved, json);
    const outputs: [string, string][] = [];
    for (const format of FORMATS) {
      if (format === 'pdf' && !canPdf) continue;
      const file = join(tmp, `${name}.${format}`);
      const r = await runCli(['report', saved, '--format', format, '--lang', 'ja', '--output', file]);
      assert.equal(r.code, 0, `${name} → ${format}: ${r.stderr}`);
      const text = format === 'pdf' ? spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout : readFileSync(file, 'utf8');
      assert.ok(text.length > 100, `${name}.${format} has content`);
      outputs.push([`${name}.${format}`, text]);
    }
    return outputs;
  }

  it('scan files, scan host --docroot and scan site, every format', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const g = new Gen(seed);
        const root = join(tmp, `root-${run++}`);
        const people = plantDocroot(root, g);
        const site = await plantSite(g);
        try {
          const files = await runCli(['scan', 'files', root, '--format', 'json', '--lang', 'ja']);
          const host = await runCli(['scan', 'host', '--docroot', root, '--format', 'json', '--lang', 'ja']);
          const siteScan = await runCli(['scan', 'site', site.url, '--format', 'json', '--max-pages', '10', '--rate', '200', '--max-time', '60', '--lang', 'ja']);
          const outputs: [string, string][] = [['scan files stderr', files.stderr], ['scan host stderr', host.stderr], ['scan site stderr', siteScan.stderr]];
          for (const [name, r] of [['files', files], ['host', host], ['site', siteScan]] as const) {
            const doc = JSON.parse(r.stdout) as { findings: { category: string; location?: string }[] };
            // The planted positions did reach the reports (else the property says nothing).
            const located = doc.findings.filter((f) => f.category === 'personal-data-exposure').length;
            assert.ok(located >= (name === 'site' ? 1 : 12), `${name}: personal-data findings ${located}`);
            outputs.push(...(await renderAll(r.stdout, `${name}-${run}`)));
          }
          const siteDoc = JSON.parse(siteScan.stdout) as { findings: { location?: string }[] };
          assert.ok(siteDoc.findings.some((f) => /entry\.php\?/.test(f.location ?? '')), 'a finding is located at the URL with the planted query');
          assert.deepEqual(leaks(outputs, [...people, ...site.people]), []);
        } finally {
          await site.close();
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: Number(process.env.MAMORI_MASKING_RUNS ?? 2), endOnFailure: true },
    );
  });
});
