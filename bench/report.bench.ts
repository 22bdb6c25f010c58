/**
 * Report rendering on a scan of 5,000 findings (the CentOS 6 shop's findings, varied and repeated across
 * 40 hosts' worth of components): HTML (goal under 2 s) and PDF through Chromium (goal under 10 s, launch
 * included), plus SARIF, CSV and CycloneDX for reference.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { BenchRow } from './run.js';
import type { Finding, ReportDocument } from '../src/core/model.js';
import { summarize } from '../src/core/model.js';
import { buildHtml } from '../src/report/html.js';
import { renderPdf } from '../src/report/pdf.js';
import { buildSarif } from '../src/report/sarif.js';
import { buildCsv } from '../src/report/csv.js';
import { buildCycloneDx } from '../src/report/cyclonedx.js';

export function bigScan(n = 5000): ReportDocument {
  const base = JSON.parse(readFileSync(new URL('../test/fixtures/report/centos6-shop.json', import.meta.url), 'utf8')) as ReportDocument;
  const findings: Finding[] = [];
  for (let i = 0; findings.length < n; i++) {
    const f = base.findings[i % base.findings.length]!;
    const round = Math.floor(i / base.findings.length);
    const cves = f.cves?.map((c) => (round ? `${c.slice(0, 9)}${String(10000 + round * 100 + (i % 97))}` : c));
    findings.push({
      ...f,
      id: `${f.id}-${round}`,
      title: round ? `${f.title} (#${round})` : f.title,
      ...(f.component ? { component: { ...f.component, version: round ? `${f.component.version}.${round % 40}` : f.component.version } } : {}),
      ...(cves ? { cves } : {}),
      location: f.location ? `${f.location}${round ? `?host=${round}` : ''}` : undefined,
      rank: findings.length + 1,
    });
  }
  return { ...base, findings, summary: summarize(findings) };
}

const time = async (fn: () => unknown | Promise<unknown>, runs = 3): Promise<number> => {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!;
};

export default async function bench(): Promise<BenchRow[]> {
  const doc = bigScan(5000);
  let size = 0;
  const html = await time(() => (size = buildHtml(doc, 'ja').length));
  const rows: BenchRow[] = [
    { name: 'report html (5,000 findings, ja)', value: html, unit: 'ms', against: { kind: 'limit', name: 'goal', value: 2000 }, lowerIsBetter: true, note: `${(size / 1e6).toFixed(1)} MB of HTML` },
    { name: 'report sarif (5,000 findings)', value: await time(() => JSON.stringify(buildSarif(doc, 'en'))), unit: 'ms', lowerIsBetter: true },
    { name: 'report csv (5,000 findings)', value: await time(() => buildCsv(doc, 'ja')), unit: 'ms', lowerIsBetter: true },
    { name: 'report cyclonedx (5,000 findings)', value: await time(() => JSON.stringify(buildCycloneDx(doc))), unit: 'ms', lowerIsBetter: true },
  ];
  let out: Uint8Array = new Uint8Array();
  const load = loadavg()[0]!;
  const pdf = await time(async () => (out = await renderPdf(doc, { lang: 'ja' })), 1);
  const pages = (Buffer.from(out).toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  rows.push({
    name: 'report pdf (5,000 findings, ja, Chromium launch included)',
    value: pdf,
    unit: 'ms',
    against: { kind: 'limit', name: 'goal', value: 10000 },
    lowerIsBetter: true,
    note: `${pages} pages, ${(out.length / 1e6).toFixed(1)} MB, ${(pdf / Math.max(1, pages)).toFixed(0)} ms/page; load average ${load.toFixed(1)} on ${cpus().length} CPUs when it started`,
  });
  return rows;
}
