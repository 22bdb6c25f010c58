/**
 * What the application layer needs from the outside, passed in by each front end (the CLI now; a server and
 * workers later): a clock, a knowledge provider, a transport factory (host scans) and a progress sink. The
 * pipelines never read flags, the environment or the front end's files themselves.
 */
import type { Transport } from '../collect/transport/types.js';
import type { ExceptionEntry } from '../core/assess/types.js';
import type { KnowledgeProvider } from '../core/knowledge.js';
import type { MessageCode } from '../core/messages/index.js';
import type { Lang, Severity } from '../core/model.js';
import type { Baseline } from './inputs.js';

/** The instant of "now": when a scan starts, which feeds are stale. Tests pass a fixed one. */
export type Clock = () => Date;

/** What a scan reports while it runs, as a message code and parameters (the front end renders it). */
export type ProgressSink = (event: { code: MessageCode; params?: Record<string, string | number> }) => void;

/** Opens the transport of a host scan (local, SSH, a captured fixture). The pipeline closes it. */
export type TransportFactory = () => Promise<Transport>;

/** The ports every scan takes. */
export interface ScanPorts {
  /** Where advisories, lifecycle, KEV and EPSS come from; opened only when the inventory can be matched. */
  knowledge: KnowledgeProvider;
  clock?: Clock;
  progress?: ProgressSink;
}

/** How the report is assembled: its language, accepted findings and the earlier report to compare with. */
export interface ReportChoices {
  /** The language titles and gaps are rendered in (the document's `lang`). */
  lang: Lang;
  /** Accepted findings (--ignore-file), parsed at the edge (src/scan/inputs.ts). */
  exceptions?: ExceptionEntry[];
  /** The findings of an earlier report (--baseline), parsed at the edge. */
  baseline?: Baseline;
  /** Days a fix of each severity may stay unapplied (the patch lag's policy); the default policy when absent. */
  lagDays?: Record<Severity, number>;
}

export const systemClock: Clock = () => new Date();
