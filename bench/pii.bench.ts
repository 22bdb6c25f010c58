/**
 * `mamori scan files` on a generated ≥ 200 MB tree of ordinary site files (PHP, HTML, JS, CSS, images as
 * random bytes) with a few customer files among them, side by side with ripgrep searching the same tree
 * for equivalent patterns. Goals: mamori within 2× ripgrep's time; peak RSS under 300 MB (GNU time -f %M).
 * The tree is deleted afterwards.
 *
 * "Equivalent patterns" are the candidate patterns of mamori's eight detectors (RG_PATTERNS: e-mail plain and
 * URL-encoded, phone, postal code with and without 〒, address, card and My Number digit groups, labelled
 * names, labelled birth dates), without the look-arounds ripgrep's default engine lacks and without the
 * validation, context and decoding mamori adds. A second ripgrep run with only phone, e-mail and postal code
 * (RG_NARROW, the first version of this benchmark) is printed beside it for reference.
 *
 * ripgrep runs with `--no-ignore --hidden` (mamori reads ignored and hidden files too), `-z` (mamori opens
 * gzip files) and without `--text`: both skip binary files after their first bytes (NUL bytes / magic), so
 * both read the same text. Each command runs five times, interleaved, after a warm-up; the fastest run counts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

function timed(cmd: string, args: string[]): Timed {
  const useTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = useTime
    ? spawnSync('/usr/bin/time', ['-f', 'MAMORI_TIME %M %U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 256 * MB })
    : spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * MB });
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

export default async function bench(): Promise<BenchRow[]> {
  const target = Number(process.env.MAMORI_BENCH_PII_MB ?? 200) * MB;
  const root = mkdtempSync(join(tmpdir(), 'mamori-'));
  try {
    const gen = generateSiteTree(root, target);
    const rgArgs = ['--no-ignore', '--hidden', '-z', '--count-matches', ...RG_PATTERNS.flatMap((p) => ['-e', p]), root];
    const rgNarrowArgs = ['--no-ignore', '--hidden', '--count-matches', ...RG_NARROW.flatMap((p) => ['-e', p]), root];
    // warm the page cache for both, then measure each five times (interleaved) and keep the fastest run
    const check = spawnSync('rg', rgArgs, { encoding: 'utf8', maxBuffer: 64 * MB });
    if (check.status !== 0) throw new Error(`rg failed (exit ${check.status}): ${check.stderr}`);
    const runs = { rg: [] as Timed[], narrow: [] as Timed[], mamori: [] as Timed[], lib: [] as Timed[], start: [] as Timed[] };
    const libScript = `import(${JSON.stringify(new URL('../dist/pii/index.js', import.meta.url).href)}).then((m) => m.scanTree(${JSON.stringify(root)}))`;
    for (let k = 0; k < 5; k++) {
      runs.rg.push(timed('rg', rgArgs));
      runs.narrow.push(timed('rg', rgNarrowArgs));
      runs.mamori.push(timed(process.execPath, [bin, 'scan', 'files', root, '--format', 'json']));
      runs.lib.push(timed(process.execPath, ['-e', libScript]));
      runs.start.push(timed(process.execPath, [bin, '--version']));
    }
    const best = (xs: Timed[]) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const rg = best(runs.rg);
    const narrow = best(runs.narrow);
    const m = best(runs.mamori);
    const lib = best(runs.lib);
    const start = best(runs.start);
    if (m.status !== 0) throw new Error(`mamori scan files exited ${m.status}`);
    const doc = JSON.parse(m.stdout) as { findings: { category: string; location: string }[] };
    const found = gen.customerFiles.filter((f) => doc.findings.some((x) => x.category === 'personal-data-exposure' && x.location.endsWith(f))).length;
    const personal = doc.findings.filter((x) => x.category === 'personal-data-exposure').length;
    const rssMb = Math.max(...runs.mamori.map((r) => r.rssKb)) / 1024;
    return [
      {
        name: `scan files ${Math.round(gen.bytes / MB)} MB, ${gen.files} files`,
        value: m.ms / 1000,
        unit: 's',
        against: { kind: 'peer', name: `rg ×2 (${(rg.ms / 1000).toFixed(2)} s)`, value: (2 * rg.ms) / 1000 },
        lowerIsBetter: true,
        note: `mamori ${(m.ms / 1000).toFixed(2)} s vs rg with the detectors' patterns ${(rg.ms / 1000).toFixed(2)} s = ${(m.ms / rg.ms).toFixed(2)}× (goal ≤ 2×); vs rg with phone/e-mail/postal only ${(narrow.ms / 1000).toFixed(2)} s = ${(m.ms / narrow.ms).toFixed(2)}×; customer files found ${found}/${gen.customerFiles.length}, personal-data findings ${personal}`,
      },
      {
        name: 'scan files CPU time (user+sys)',
        value: m.cpu,
        unit: 's',
        against: { kind: 'peer', name: 'rg CPU ×2', value: 2 * rg.cpu },
        lowerIsBetter: true,
        note: `load-independent view: mamori ${m.cpu.toFixed(2)} s CPU vs rg ${rg.cpu.toFixed(2)} s CPU; CLI start-up alone (mamori --version) ${(start.ms / 1000).toFixed(2)} s wall, ${start.cpu.toFixed(2)} s CPU`,
      },
      {
        name: 'scanTree library (node -e, unbundled dist, no CLI)',
        value: lib.ms / 1000,
        unit: 's',
        against: { kind: 'peer', name: 'rg ×2', value: (2 * rg.ms) / 1000 },
        lowerIsBetter: true,
        note: `library ${(lib.ms / 1000).toFixed(2)} s wall, ${lib.cpu.toFixed(2)} s CPU`,
      },
      { name: 'scan files throughput', value: gen.bytes / MB / (m.ms / 1000), unit: 'MB/s', against: { kind: 'peer', name: `rg ÷ 2 (rg ${Math.round(gen.bytes / MB / (rg.ms / 1000))} MB/s)`, value: gen.bytes / MB / (rg.ms / 1000) / 2 }, lowerIsBetter: false },
      { name: 'scan files peak RSS', value: rssMb, unit: 'MB', against: { kind: 'limit', name: 'issue goal', value: 300 }, lowerIsBetter: true, note: `rg peak RSS ${(rg.rssKb / 1024).toFixed(0)} MB` },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
