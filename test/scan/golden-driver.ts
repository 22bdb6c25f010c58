/**
 * How the golden test runs a scan end to end without a terminal: the application layer (src/scan) with the
 * knowledge DB behind its port and a fixed clock. (The golden files were written by the pipeline as it stood
 * in src/cli before src/scan existed; this driver must reproduce them byte for byte.)
 */
import type { Transport } from '../../src/collect/transport/types.js';
import type { Lang, ReportDocument } from '../../src/core/model.js';
import { sqliteKnowledge } from '../../src/knowledge/provider.js';
import { scanFiles, scanHost, scanSite } from '../../src/scan/index.js';

export interface DriverOptions {
  dbPath: string;
  lang: Lang;
  now: Date;
}

const ports = (o: DriverOptions) => ({ knowledge: sqliteKnowledge(o.dbPath), clock: () => o.now });
/** As saved by `--format json` and read back by `mamori report`: the form every renderer is compared on. */
const saved = async (doc: Promise<ReportDocument>): Promise<ReportDocument> => JSON.parse(JSON.stringify(await doc)) as ReportDocument;

export function scanHostDoc(transport: Transport, o: DriverOptions): Promise<ReportDocument> {
  return saved(scanHost({ lang: o.lang, docroots: [] }, { ...ports(o), transport: async () => transport }));
}

export function scanSiteDoc(url: string, o: DriverOptions): Promise<ReportDocument> {
  return saved(scanSite({ lang: o.lang, url, ca: [], ratePerSec: 1000, skipTls: true }, ports(o)));
}

export function scanFilesDoc(root: string, o: DriverOptions): Promise<ReportDocument> {
  return saved(scanFiles({ lang: o.lang, root }, ports(o)));
}
