/**
 * How the golden test runs a scan end to end without a terminal. This version drives the pipeline as it stood
 * in src/cli (the commands' bodies with a captured CommandContext): the golden files were written by it.
 */
import { Writable } from 'node:stream';
import { join } from 'node:path';
import type { Transport } from '../../src/collect/transport/types.js';
import { emptyInventory, type Lang, type ReportDocument } from '../../src/core/model.js';
import { makeT, type CommandContext } from '../../src/cli/context.js';
import { finishScan, type Collected } from '../../src/cli/scan-common.js';
import { defaultUserAgent } from '../../src/cli/commands/scan-site.js';

export interface DriverOptions {
  dbPath: string;
  lang: Lang;
  now: Date;
}

async function finish(collected: Collected, o: DriverOptions): Promise<ReportDocument> {
  const chunks: string[] = [];
  const stdout = new Writable({
    write(c: Buffer, _e, cb) {
      chunks.push(c.toString());
      cb();
    },
  });
  const ctx: CommandContext = {
    commandName: 'mamori scan',
    positionals: [],
    options: { format: 'json' },
    lang: o.lang,
    io: { stdout, stderr: new Writable({ write: (_c, _e, cb) => cb() }), stdin: process.stdin },
    env: { NO_COLOR: '1' },
    dbPath: o.dbPath,
    t: makeT(o.lang),
    warn: () => undefined,
  };
  await finishScan({ ...collected, scannedAt: o.now }, ctx);
  return JSON.parse(chunks.join('')) as ReportDocument;
}

export async function scanHostDoc(transport: Transport, o: DriverOptions): Promise<ReportDocument> {
  const [{ collectHost }, { loadPii }] = await Promise.all([import('../../src/collect/host/index.js'), import('../../src/collect/host/pii-bridge.js')]);
  const pii = await loadPii();
  const res = await collectHost(transport, { docroots: [], pii: pii.ok ? pii.mod : undefined });
  await transport.close();
  return finish({ target: { kind: 'host', name: transport.name }, inventory: res.inventory, findings: res.findings, gaps: res.gaps }, o);
}

export async function scanSiteDoc(url: string, o: DriverOptions): Promise<ReportDocument> {
  const [{ defaultHttpOptions }, { loadClassifier }, { scanSite }] = await Promise.all([import('../../src/probe/http.js'), import('../../src/probe/pii.js'), import('../../src/probe/site.js')]);
  const http = defaultHttpOptions(defaultUserAgent);
  http.ratePerSec = 1000;
  const classifier = await loadClassifier();
  const res = await scanSite({
    url,
    http,
    maxPages: 50,
    ca: [],
    now: o.now,
    t: makeT(o.lang),
    classifier: classifier.ok ? classifier.value : undefined,
    classifierGap: classifier.ok ? undefined : classifier.issue.message,
    skipTls: true,
    maxTimeMs: 300_000,
  });
  if (res.fatal) throw new Error(res.fatal);
  return finish({ target: { kind: 'site', name: url }, inventory: res.inventory, findings: res.findings, gaps: res.gaps }, o);
}

export async function scanFilesDoc(root: string, o: DriverOptions): Promise<ReportDocument> {
  const { scanTree } = await import('../../src/pii/index.js');
  const res = await scanTree(root, { lang: o.lang, locate: (p) => ({ location: join(root, p), served: 'unknown' }) });
  return finish({ target: { kind: 'files', name: root }, inventory: emptyInventory(), findings: res.findings, gaps: res.gaps }, o);
}
