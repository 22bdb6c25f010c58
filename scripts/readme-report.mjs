#!/usr/bin/env node
/**
 * Renders the README's report pictures: the CentOS 6 shop (test/fixtures/report/centos6-shop.json, the host
 * scan) and the outside scan of the same shop (the golden site scan, moved to the shop's host name) combined
 * into one Japanese proposal PDF through the CLI, then its first pages to PNG with pdftoppm (poppler-utils).
 * Run after `npm run build`: node scripts/readme-report.mjs
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'docs/report');
const tmp = mkdtempSync(join(tmpdir(), 'mamori-readme-'));
try {
  const site = readFileSync(join(root, 'test/fixtures/golden/site-old.ja.json'), 'utf8').split('127.54.91.7:28443').join('shop.example.jp').split('127.54.91.7').join('shop.example.jp');
  writeFileSync(join(tmp, 'site.json'), site);
  const pdf = join(tmp, 'proposal.ja.pdf');
  execFileSync(process.execPath, [
    join(root, 'bin/mamori.js'), 'report', join(root, 'test/fixtures/report/centos6-shop.json'), join(tmp, 'site.json'),
    '--format', 'pdf', '--lang', 'ja', '--output', pdf,
    '--client', '株式会社サンプル商店', '--addressee', '代表取締役 山田 太郎 様', '--vendor', 'Example Web 株式会社', '--logo', join(out, 'example-logo.svg'),
  ], { stdio: 'inherit' });
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '5', pdf, join(out, 'page')], { stdio: 'inherit' });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
