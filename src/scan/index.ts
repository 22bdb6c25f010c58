/**
 * The application layer: the host, site and files scans and the assembly of their report, for every front end
 * (the CLI, a server, queue workers). Each takes plain options and ports (./ports.ts) and returns the report
 * document; rendering is src/report's, files, flags and exit codes are the front end's.
 */
export { scanHost, type HostScanOptions } from './host.js';
export { scanSite, siteUrl, defaultUserAgent, type SiteScanOptions } from './site.js';
export { scanFiles, type FilesScanOptions } from './files.js';
export { assembleReport, buildDocument, loadKnowledge, type Collected } from './assemble.js';
export { hostTransport, openHostTransport, type HostTransportSpec } from './transport.js';
export { systemClock, type Clock, type ProgressSink, type ReportChoices, type ScanPorts, type TransportFactory } from './ports.js';
export type { Baseline } from './inputs.js';
export { toolVersion } from './version.js';
/** The knowledge DB file behind the knowledge port, for programs that have one. */
export { sqliteKnowledge } from '../knowledge/provider.js';
export { snapshotInfo, readSnapshot, addKnowledgeSnapshot, knowledgeVersion } from './knowledge.js';
