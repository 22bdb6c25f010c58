/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) and prints one table.
 * Each benchmark's default export returns rows: a measured figure beside a peer measured in the same run,
 * or beside a limit (the goal), with their ratio.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

export interface BenchRow {
  /** `rpm compare (parsed)` */
  name: string;
  value: number;
  unit: string;
  /** A peer run side by side (ripgrep, testssl.sh) or a limit from the issue. */
  against?: { kind: 'peer' | 'limit'; name: string; value: number };
  /** true when the goal is that value is at most `against`, false when at least. */
  lowerIsBetter: boolean;
  note?: string;
}

export type Bench = () => Promise<BenchRow[]>;

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

const fmt = (n: number) => (Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : Number(n.toPrecision(3)).toString());
const rows: (BenchRow & { file: string })[] = [];
let failed = 0;
for (const f of files) {
  process.stderr.write(`bench: ${f}…\n`);
  try {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default: Bench };
    for (const r of await mod.default()) rows.push({ ...r, file: f });
  } catch (err) {
    failed++;
    process.stderr.write(`bench: ${f} failed: ${(err as Error).stack ?? String(err)}\n`);
  }
}
const header = ['benchmark', 'figure', 'against', 'ratio', 'goal met'];
const table = rows.map((r) => {
  const ratio = r.against && r.against.value !== 0 ? r.value / r.against.value : undefined;
  const met = r.against ? (r.lowerIsBetter ? r.value <= r.against.value : r.value >= r.against.value) : undefined;
  return [
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.against ? `${r.against.kind} ${r.against.name}: ${fmt(r.against.value)} ${r.unit}` : '',
    ratio === undefined ? '' : `${ratio.toFixed(2)}×`,
    met === undefined ? '' : met ? 'yes' : 'NO',
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));
for (const r of rows) if (r.note) console.log(`note (${r.name}): ${r.note}`);
process.exit(failed ? 1 : 0);
