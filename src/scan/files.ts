/**
 * The files scan: personal data and sensitive files under a directory (a document root), walked by src/pii,
 * then the same assessment and report assembly as every scan (nothing to match: the knowledge stays closed).
 */
import { join } from 'node:path';
import { emptyInventory, type ReportDocument } from '../core/model.js';
import { assembleReport } from './assemble.js';
import { systemClock, type ReportChoices, type ScanPorts } from './ports.js';

export interface FilesScanOptions extends ReportChoices {
  /** The directory to walk: absolute, checked by the front end to exist. */
  root: string;
  maxFileBytes?: number;
  maxFiles?: number;
  workers?: number;
}

export async function scanFiles(o: FilesScanOptions, ports: ScanPorts): Promise<ReportDocument> {
  const started = (ports.clock ?? systemClock)();
  const { scanTree } = await import('../pii/index.js');
  ports.progress?.({ code: 'progress.files.start', params: { target: o.root } });
  const res = await scanTree(o.root, {
    lang: o.lang,
    maxFileBytes: o.maxFileBytes,
    maxFiles: o.maxFiles,
    workers: o.workers,
    locate: (p) => ({ location: join(o.root, p), served: 'unknown' }),
  });
  return assembleReport({ target: { kind: 'files', name: o.root }, inventory: emptyInventory(), findings: res.findings, gaps: res.gaps, scannedAt: started }, ports.knowledge, o);
}
