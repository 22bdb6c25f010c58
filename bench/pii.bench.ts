/**
 * `mamori scan files` on a generated ≥ 200 MB tree of ordinary site files (PHP, HTML, JS, CSS, images as
 * random bytes) with a few customer files among them, side by side with ripgrep searching the same tree
 * for equivalent patterns, on two trees: 200 MB and 2 GB (cached between runs, see cachedTree). Goals: mamori
 * within 2× ripgrep's time; peak RSS under 300 MB (GNU time -f %M). Printed with each ratio: the machine's
 * load average before and after, the medians beside the fastest runs, a cold run (the tree's pages evicted),
 * CPU time, CLI start-up and the unbundled CLI.
 *
 * "Equivalent patterns" are the candidate patterns of mamori's eight detectors (RG_PATTERNS: e-mail plain and
 * URL-encoded, phone, postal code with and without 〒, address, card and My Number digit groups, labelled
 * names, labelled birth dates), without the look-arounds ripgrep's default engine lacks and without the
 * validation, context and decoding mamori adds. A second ripgrep run with only phone, e-mail and postal code
 * (RG_NARROW, the first version of this benchmark) is printed beside it for reference.
 *
 * ripgrep runs with `--no-ignore --hidden` (mamori reads ignored and hidden files too), `-z` (mamori opens
 * gzip files) and without `--text`: both skip binary files after their first bytes (NUL bytes / magic), so
 * both read the same text. Each command runs five times (three on the 2 GB tree), interleaved, after a warm-up.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { availableParallelism, homedir, loadavg as loadavgOf } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './run.js';
import { Gen, encode } from '../test/pii/corpus.js';
import { PREFECTURE } from '../src/pii/detect.js';

const MB = 1024 * 1024;
const bin = fileURLToPath(new URL('../bin/mamori.js', import.meta.url));

const WORDS = ['有機栽培', '静岡県産', '一番茶', '送料無料', '数量限定', 'ギフト', '深蒸し', '煎茶', 'ほうじ茶', '抹茶', 'お買い物かご', '商品詳細', 'レビュー', '在庫あり', 'ポイント'];

export function generateSiteTree(root: string, targetBytes: number, seed = 7): { bytes: number; files: number; customerFiles: string[] } {
  const g = new Gen(seed);
  let bytes = 0;
  let files = 0;
  const put = (rel: string, data: Uint8Array | string) => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
    bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    files++;
  };
  const words = (n: number) => Array.from({ length: n }, () => g.pick(WORDS)).join('');
  const php = (i: number) => {
    const lines: string[] = ['<?php', `/** LC_Page_Products_Detail${i} */`, `class LC_Page_${i} extends LC_Page_Ex {`];
    for (let k = 0; k < 400; k++) lines.push(`    public function action${k}($arrForm) { $objQuery =& SC_Query_Ex::getSingletonInstance(); $arrRet = $objQuery->select('product_id, name, price02', 'dtb_products', 'product_id = ? AND del_flg = 0', array($arrForm['product_id'])); if (count($arrRet) > ${k}) { $this->tpl_mainpage = 'products/detail.tpl'; } return $arrRet[${k % 7}]['price02'] * 1.${k % 10}; }`);
    lines.push('}');
    return lines.join('\n');
  };
  const html = (i: number) => {
    const items: string[] = [];
    for (let k = 0; k < 150; k++) items.push(`<li class="item"><a href="/products/detail.php?product_id=${i * 1000 + k}"><img src="/upload/save_image/${g.digits(8)}_${k}.jpg" alt="${words(2)}"></a><p class="name">${words(3)} ${100 + k}g</p><p class="price">¥${1000 + k * 10}(税込)</p><p class="date">2024-0${1 + (k % 9)}-1${k % 10} 更新 JAN:49${g.digits(11)}</p></li>`);
    return `<!DOCTYPE html><html lang="ja"><head><meta charset="UTF-8"><title>${words(2)} | みどり茶園</title><link rel="stylesheet" href="/css/style.css?v=2.13.5"></head><body><ul>${items.join('\n')}</ul><footer>株式会社みどり茶園 〒420-0858 静岡県静岡市葵区伝馬町10-5 TEL 054-255-1234 営業時間 9:00-18:00 info@midori-chaen.co.jp</footer></body></html>`;
  };
  const js = (i: number) => {
    const parts: string[] = [];
    for (let k = 0; k < 600; k++) parts.push(`function f${i}_${k}(a,b){var c=a*${k}+b/${k + 1};if(c>${g.digits(4)}){return Math.round(c*100)/100}return [a,b,c,"${g.digits(6)}",0x${k.toString(16)}]}`);
    return parts.join(';\n');
  };
  const css = () => {
    const parts: string[] = [];
    for (let k = 0; k < 900; k++) parts.push(`.c${k} .item-${k % 37}>a:hover{color:#${g.digits(6)};margin:${k % 20}px ${k % 7}px 0 ${k % 3}px;font-size:1${k % 9}px;line-height:1.${k % 9}}`);
    return parts.join('\n');
  };
  const image = (size: number, kind: number) => {
    const b = new Uint8Array(size);
    for (let k = 0; k < size; k += 4) {
      const x = (Math.imul(k + kind * 7919, 2654435761) ^ (k >>> 3)) >>> 0;
      b[k] = x & 0xff;
      b[k + 1] = (x >>> 8) & 0xff;
      b[k + 2] = (x >>> 16) & 0xff;
      b[k + 3] = x >>> 24;
    }
    if (kind % 2) b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0);
    else b.set([0xff, 0xd8, 0xff, 0xe0], 0);
    return b;
  };
  // customer files among them
  const customerFiles: string[] = [];
  const ps = Array.from({ length: 300 }, () => g.person());
  const csv = ['氏名,フリガナ,郵便番号,住所,電話番号,メールアドレス', ...ps.map((p) => `${p.sei} ${p.mei},${p.seiKana} ${p.meiKana},${p.postal},${p.pref}${p.city}${p.street},${p.phone},${p.email}`)].join('\r\n');
  put('html/upload/csv/customer_20240301.csv', encode(csv, 'shift_jis'));
  customerFiles.push('html/upload/csv/customer_20240301.csv');
  put('html/backup/db.sql', `INSERT INTO dtb_customer (customer_id, name01, name02, email, tel01, tel02, tel03) VALUES ${ps.map((p, i) => `(${i},'${p.sei}','${p.mei}','${p.email}','${p.phoneDigits.slice(0, 3)}','${p.phoneDigits.slice(3, 7)}','${p.phoneDigits.slice(7)}')`).join(',')};`);
  customerFiles.push('html/backup/db.sql');
  let i = 0;
  while (bytes < targetBytes) {
    const dir = `html/${['products', 'user_data', 'shopping', 'mypage', 'js', 'css', 'upload/save_image', 'plugin'][i % 8]}/${Math.floor(i / 40)}`;
    switch (i % 10) {
      case 0: case 1: put(`data/class/pages/${Math.floor(i / 50)}/LC_Page_${i}.php`, php(i)); break;
      case 2: case 3: put(`${dir}/page${i}.html`, html(i)); break;
      case 4: put(`${dir}/app${i}.min.js`, js(i)); break;
      case 5: put(`${dir}/style${i}.css`, css()); break;
      default: put(`html/upload/save_image/${Math.floor(i / 100)}/${g.digits(8)}_${i}.${i % 2 ? 'png' : 'jpg'}`, image(150_000 + (i % 7) * 40_000, i));
    }
    i++;
  }
  return { bytes, files, customerFiles };
}

interface Timed {
  ms: number;
  /** user + system CPU seconds (GNU time), NaN without it. */
  cpu: number;
  rssKb: number;
  stdout: string;
  status: number | null;
}

function timed(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Timed {
  const useTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const opts = { encoding: 'utf8' as const, maxBuffer: 256 * MB, env: { ...process.env, ...env } };
  const r = useTime ? spawnSync('/usr/bin/time', ['-f', 'MAMORI_TIME %M %U %S', cmd, ...args], opts) : spawnSync(cmd, args, opts);
  const ms = performance.now() - t0;
  const m = /MAMORI_TIME (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return { ms, rssKb: m ? Number(m[1]) : NaN, cpu: m ? Number(m[2]) + Number(m[3]) : NaN, stdout: r.stdout, status: r.status };
}

/** Phone, e-mail and postal code only: the first version of this benchmark. */
const RG_NARROW = ['0\\d{1,4}-\\d{1,4}-\\d{4}', '0[5789]0\\d{8}', '[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+', '〒\\s?\\d{3}-?\\d{4}', '\\d{3}-\\d{4}'];
/** The candidate patterns of every detector in src/pii/detect.ts (PII-20..27), look-arounds left out. */
const RG_PATTERNS = [
  '[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+', // e-mail
  '[A-Za-z0-9._+-]{1,64}%40[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,24}', // URL-encoded e-mail
  '(?:\\+81[ -]?(?:\\(0\\))?|\\(0|0)\\d{1,4}(?:\\) ?|[ -]|\\()?\\d{1,4}(?:\\)|[ -])?\\d{3,4}', // phone
  '〒\\s?\\d{3}-?\\d{4}', // postal code after 〒
  '\\d{3}-\\d{4}', // postal code without 〒
  `${PREFECTURE}[^\\s,、。\\t"'<>|]{0,20}?[市区町村郡][^\\s,、。\\t"'<>|]{0,24}?(?:\\d+(?:丁目|番地|番|-\\d+)|番地|号)`, // address
  '\\d{12,19}|\\d{4}[ .-]\\d{4}[ .-]\\d{4}(?:[ .-]\\d{1,7})?|\\d{4}[ -]\\d{6}[ -]\\d{4,5}', // card, My Number
  '(?:氏名|お名前|ご氏名|名前|ご芳名|フリガナ|ふりがな|ご担当者名?)\\s*(?:[:：=]\\s*|\\t|[ \\x{3000}]+)[\\p{Han}\\p{Hiragana}\\p{Katakana}ー々]{1,8}', // labelled name
  '(?i:生年月日|誕生日|birth(?:day|_?date)?|dob)[^\\d\\n]{0,12}?(?:(?:19|20)\\d{2}\\s?[-/.年]\\s?\\d{1,2}|(?:昭和|平成|令和|[SHR])\\s?\\d{1,2}\\s?[年./-])', // labelled birth date
];

/** Bump when generateSiteTree changes: cached trees of another version are deleted and generated again. */
const TREE_VERSION = 1;

interface Tree {
  root: string;
  bytes: number;
  files: number;
  customerFiles: string[];
  /** Generated by this run (else reused from the cache). */
  fresh: boolean;
}

/**
 * The generated tree of `mb` megabytes, cached under $MAMORI_BENCH_CACHE (default ~/.cache/mamori-bench):
 * generation costs more than a measurement (the 2 GB tree ~1 min), and the same tree from run to run makes
 * figures comparable. A manifest written last marks a complete tree; other versions are deleted. Undefined
 * when the disk has not room for it (twice its size left free).
 */
function cachedTree(mb: number): Tree | undefined {
  const cache = process.env.MAMORI_BENCH_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mamori-bench');
  const name = `pii-${mb}mb-v${TREE_VERSION}`;
  const dir = join(cache, name);
  const manifest = join(dir, 'manifest.json');
  if (existsSync(manifest)) return { ...(JSON.parse(readFileSync(manifest, 'utf8')) as Omit<Tree, 'fresh'>), root: join(dir, 'tree'), fresh: false };
  mkdirSync(cache, { recursive: true });
  for (const old of readdirSync(cache)) if (old.startsWith(`pii-${mb}mb-`) && old !== name) rmSync(join(cache, old), { recursive: true, force: true });
  const fs = statfsSync(cache);
  if (fs.bavail * fs.bsize < 2 * mb * MB) return undefined;
  rmSync(dir, { recursive: true, force: true });
  const gen = generateSiteTree(join(dir, 'tree'), mb * MB);
  spawnSync('sync');
  writeFileSync(manifest, JSON.stringify({ bytes: gen.bytes, files: gen.files, customerFiles: gen.customerFiles }));
  return { root: join(dir, 'tree'), ...gen, fresh: true };
}

/**
 * Evict the tree's files from the page cache (posix_fadvise DONTNEED on each, through python3): a cold read
 * of this tree only, without dropping the caches of the machine others share. False without python3.
 */
function evict(root: string): boolean {
  const py = `import os,sys
for d,_,fs in os.walk(sys.argv[1]):
  for f in fs:
    fd=os.open(os.path.join(d,f),os.O_RDONLY)
    os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)
    os.close(fd)`;
  return spawnSync('python3', ['-c', py, root]).status === 0;
}

const loadavg = (): string => loadavgOf().map((x) => x.toFixed(1)).join(' ');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s2 = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function benchTree(mb: number): Promise<BenchRow[]> {
  const t0 = performance.now();
  const tree = cachedTree(mb);
  if (!tree) return [{ name: `scan files ${mb} MB tree`, value: NaN, unit: 's', lowerIsBetter: true, note: `not run: less than ${2 * mb} MB free on the cache disk` }];
  const made = tree.fresh ? `generated in ${s2(performance.now() - t0)}` : 'reused from the cache';
  const root = tree.root;
  const label = `${Math.round(tree.bytes / MB)} MB, ${tree.files} files`;
  const rgArgs = ['--no-ignore', '--hidden', '-z', '--count-matches', ...RG_PATTERNS.flatMap((p) => ['-e', p]), root];
  const rgNarrowArgs = ['--no-ignore', '--hidden', '--count-matches', ...RG_NARROW.flatMap((p) => ['-e', p]), root];
  const scan = [bin, 'scan', 'files', root, '--format', 'json'];
  const loadBefore = loadavg();
  // Cold: the tree's pages evicted before each tool's first read (the other tool's read would warm them).
  let cold: { mamori: Timed; rg: Timed } | undefined;
  if (evict(root)) {
    const mamori = timed(process.execPath, scan);
    evict(root);
    cold = { mamori, rg: timed('rg', rgArgs) };
  }
  // Warm: a warm-up, then interleaved runs; the fastest and the median count.
  const check = spawnSync('rg', rgArgs, { encoding: 'utf8', maxBuffer: 64 * MB });
  if (check.status !== 0) throw new Error(`rg failed (exit ${check.status}): ${check.stderr}`);
  timed(process.execPath, scan);
  const n = mb > 500 ? 3 : 5;
  const runs = { rg: [] as Timed[], rg1: [] as Timed[], narrow: [] as Timed[], mamori: [] as Timed[], unbundled: [] as Timed[], start: [] as Timed[] };
  for (let k = 0; k < n; k++) {
    runs.rg.push(timed('rg', rgArgs));
    runs.rg1.push(timed('rg', ['-j1', ...rgArgs]));
    runs.narrow.push(timed('rg', rgNarrowArgs));
    runs.mamori.push(timed(process.execPath, scan));
    if (k === 0) runs.unbundled.push(timed(process.execPath, scan, { MAMORI_NO_BUNDLE: '1' }));
    runs.start.push(timed(process.execPath, [bin, '--version']));
  }
  const loadAfter = loadavg();
  const best = (xs: Timed[]) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const med = (xs: Timed[]) => median(xs.map((x) => x.ms));
  const rg = best(runs.rg);
  const rg1 = best(runs.rg1);
  const narrow = best(runs.narrow);
  const m = best(runs.mamori);
  const start = best(runs.start);
  if (m.status !== 0) throw new Error(`mamori scan files exited ${m.status}`);
  const doc = JSON.parse(m.stdout) as { findings: { category: string; location: string }[] };
  const found = tree.customerFiles.filter((f) => doc.findings.some((x) => x.category === 'personal-data-exposure' && x.location.endsWith(f))).length;
  const rssMb = Math.max(...runs.mamori.map((r) => r.rssKb)) / 1024;
  const machine = `load average ${loadBefore} before, ${loadAfter} after (1/5/15 min; ${availableParallelism()} CPUs)`;
  return [
    {
      name: `scan files ${label}: wall time ÷ ripgrep's`,
      value: m.ms / rg.ms,
      unit: '×',
      against: { kind: 'limit', name: 'issue goal', value: 2 },
      lowerIsBetter: true,
      note: `fastest runs; medians ${(med(runs.mamori) / med(runs.rg)).toFixed(2)}×; against rg with phone/e-mail/postal only ${(m.ms / narrow.ms).toFixed(2)}×${cold ? `; cold ${(cold.mamori.ms / cold.rg.ms).toFixed(2)}×` : ''}; ${machine}`,
    },
    {
      name: `scan files ${label}`,
      value: m.ms / 1000,
      unit: 's',
      against: { kind: 'peer', name: `rg ×2 (${s2(rg.ms)})`, value: (2 * rg.ms) / 1000 },
      lowerIsBetter: true,
      note: `ratio ${(m.ms / rg.ms).toFixed(2)}× (goal ≤ 2×): mamori ${s2(m.ms)} vs rg with the detectors' patterns ${s2(rg.ms)}, fastest of ${n}; medians ${s2(med(runs.mamori))} vs ${s2(med(runs.rg))} = ${(med(runs.mamori) / med(runs.rg)).toFixed(2)}×; vs rg with phone/e-mail/postal only ${s2(narrow.ms)} = ${(m.ms / narrow.ms).toFixed(2)}×; customer files found ${found}/${tree.customerFiles.length}; tree ${made} (${root}); ${machine}`,
    },
    ...(cold
      ? [
          {
            name: `scan files ${label}, cold (tree evicted from the page cache)`,
            value: cold.mamori.ms / 1000,
            unit: 's',
            against: { kind: 'peer' as const, name: `rg ×2, cold (${s2(cold.rg.ms)})`, value: (2 * cold.rg.ms) / 1000 },
            lowerIsBetter: true,
            note: `ratio ${(cold.mamori.ms / cold.rg.ms).toFixed(2)}×, one run each`,
          },
        ]
      : []),
    {
      name: `scan files ${label}, CPU (user+sys)`,
      value: m.cpu,
      unit: 's',
      against: { kind: 'peer', name: 'rg CPU ×2', value: 2 * rg.cpu },
      lowerIsBetter: true,
      note: `mamori ${m.cpu.toFixed(2)} s CPU vs rg ${rg.cpu.toFixed(2)} s CPU (${(m.cpu / rg.cpu).toFixed(2)}×); rg on one thread (-j1) ${s2(rg1.ms)} wall, mamori ${(m.ms / rg1.ms).toFixed(2)}× that (ripgrep's threads scale with the CPUs, mamori's join only for more than a second of work); CLI start-up (mamori --version) ${s2(start.ms)}; unbundled CLI (MAMORI_NO_BUNDLE=1, one run) ${s2(runs.unbundled[0]!.ms)}`,
    },
    { name: `scan files ${label}, peak RSS`, value: rssMb, unit: 'MB', against: { kind: 'limit', name: 'issue goal', value: 300 }, lowerIsBetter: true, note: `rg peak RSS ${(rg.rssKb / 1024).toFixed(0)} MB` },
  ];
}

/**
 * Both trees, 200 MB and 2 GB (MAMORI_BENCH_PII_MB=200,2048 by default; a comma-separated list of sizes),
 * each printed with its own ripgrep ratio. The trees stay cached; MAMORI_BENCH_PII_CLEAN=1 deletes them after.
 */
export default async function bench(): Promise<BenchRow[]> {
  const sizes = (process.env.MAMORI_BENCH_PII_MB ?? '200,2048').split(',').map((x) => Number(x.trim())).filter((x) => x > 0);
  const rows: BenchRow[] = [];
  for (const mb of sizes) rows.push(...(await benchTree(mb)));
  if (process.env.MAMORI_BENCH_PII_CLEAN === '1') {
    const cache = process.env.MAMORI_BENCH_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mamori-bench');
    for (const mb of sizes) rmSync(join(cache, `pii-${mb}mb-v${TREE_VERSION}`), { recursive: true, force: true });
  }
  return rows;
}
