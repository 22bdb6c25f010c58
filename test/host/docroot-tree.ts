/** Build document-root trees in temp dirs, laid out as the applications' real releases lay them out. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function makeTree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'mamori-'));
  for (const [rel, body] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, body);
  }
  return root;
}

export const WP_VERSION_PHP = (v: string) => `<?php
/**
 * WordPress Version
 *
 * Contains version information for the current WordPress release.
 *
 * @package WordPress
 * @since 1.1.0
 */

/**
 * The WordPress version string.
 *
 * @global string $wp_version
 */
$wp_version = '${v}';

/**
 * Holds the WordPress DB revision, increments when changes are made to the WordPress DB schema.
 *
 * @global int $wp_db_version
 */
$wp_db_version = 38590;

/**
 * Holds the TinyMCE version
 *
 * @global string $tinymce_version
 */
$tinymce_version = '4800-20180716';

$required_php_version = '5.2.4';
$required_mysql_version = '5.0';
`;

export const PLUGIN_MAIN = (name: string, v: string) => `<?php
/*
Plugin Name: ${name}
Plugin URI: https://example.org/
Description: A plugin.
Author: Someone
Version: ${v}
*/
`;

/** A realistic (fake) customer export: Japanese names, mobile numbers, addresses, mail addresses. */
const SURNAMES = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤', '吉田', '山口'];
const GIVEN = ['花子', '健一', '美咲', '大輔', '由美', '翔太', '直樹', '恵', '拓也', '真由美', '浩二', '彩'];
export function customersCsv(n: number): string {
  const rows = ['会員ID,氏名,電話番号,メールアドレス,郵便番号,住所'];
  for (let i = 0; i < n; i++) {
    const tel = `090-${String(3100 + i * 37).padStart(4, '0')}-${String(5200 + i * 53).padStart(4, '0')}`;
    rows.push(`${1001 + i},${SURNAMES[i % 12]} ${GIVEN[(i * 5) % 12]},${tel},user${i}.${(i * 7919) % 1000}@gmail.com,${150 + i}-00${10 + (i % 80)},東京都渋谷区神南${1 + (i % 3)}-${i + 1}-${(i % 9) + 1}`);
  }
  return `${rows.join('\r\n')}\r\n`;
}

