/**
 * A site scan and its HTML report without the CLI: only the application layer (src/scan) and the renderers
 * (src/report). What a fleet server or a queue worker does, in twenty lines.
 *
 *   node --import tsx examples/site-scan.ts URL OUT.html [KNOWLEDGE.sqlite] [ja|en]
 */
import { writeFileSync } from 'node:fs';
import { renderers } from '../src/report/index.js';
import { scanSite, siteUrl, sqliteKnowledge } from '../src/scan/index.js';

const [target, out, db = 'knowledge.sqlite', lang = 'ja'] = process.argv.slice(2);
if (!target || !out || (lang !== 'ja' && lang !== 'en')) {
  process.stderr.write('usage: examples/site-scan.ts URL OUT.html [KNOWLEDGE.sqlite] [ja|en]\n');
  process.exit(2);
}
const doc = await scanSite(
  { url: siteUrl(target), lang, ca: [], maxPages: 20, budget: 200 },
  { knowledge: sqliteKnowledge(db), progress: (e) => process.stderr.write(`${e.code} ${JSON.stringify(e.params ?? {})}\n`) },
);
writeFileSync(out, await renderers.html!(doc, { lang }));
process.stdout.write(`${doc.findings.length} findings, ${doc.gaps.length} gaps → ${out}\n`);
