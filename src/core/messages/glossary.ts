/**
 * The Japanese glossary: one term per concept, used by every catalog (ja) and held by a test
 * (glossary.test.ts) that fails on a variant (ナレッジDB without the space, 知識DB, 未確認項目, セキュリティアップデート…)
 * anywhere in the Japanese catalogs or in a Japanese report. New catalog text uses these words; a new variant
 * seen in a review goes into VARIANTS with the term to use instead.
 */
export const GLOSSARY_JA = {
  knowledgeDb: 'ナレッジ DB',
  gaps: '確認できなかった項目',
  findings: '検出事項',
  defence: '暫定対策',
  endOfLife: 'サポート終了',
  vulnerability: '脆弱性',
  securityUpdate: 'セキュリティ更新',
  server: 'サーバー',
  migration: '移行',
} as const;

/** Variants that must not appear in Japanese text, with the glossary term to use instead. */
export const VARIANTS_JA: readonly { variant: RegExp; use: string }[] = [
  { variant: /ナレッジDB|ナレッジデータベース|知識\s?(DB|ベース|データベース)/, use: GLOSSARY_JA.knowledgeDb },
  { variant: /未確認項目|未確認事項|確認できなかったこと|確認できない項目/, use: GLOSSARY_JA.gaps },
  { variant: /発見事項|指摘事項|検出項目/, use: GLOSSARY_JA.findings },
  { variant: /一時的な対策|暫定的な対策|応急処置|応急対策|緩和策/, use: GLOSSARY_JA.defence },
  { variant: /サポート切れ|サポート期限切れ|保守終了|EOL(?![A-Za-z_-])/, use: GLOSSARY_JA.endOfLife },
  { variant: /ぜい弱性|脆弱点|セキュリティホール/, use: GLOSSARY_JA.vulnerability },
  { variant: /セキュリティ[・\s]?アップデート|セキュリティパッチ|セキュリティアップグレード/, use: GLOSSARY_JA.securityUpdate },
  { variant: /サーバ(?!ー)/, use: GLOSSARY_JA.server },
  { variant: /マイグレーション/, use: GLOSSARY_JA.migration },
];

/** The variants found in `text`, each with the term to use. */
export function glossaryViolations(text: string): { found: string; use: string }[] {
  const out: { found: string; use: string }[] = [];
  for (const { variant, use } of VARIANTS_JA) {
    const m = new RegExp(variant.source, 'g');
    for (const hit of text.matchAll(m)) out.push({ found: hit[0], use });
  }
  return out;
}
