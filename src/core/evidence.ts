/**
 * The evidence of a finding, typed per category: what the assessment and the probes write into
 * `finding.evidence`, so that a reporter, a dashboard or a patch planner reads fields rather than guesses
 * keys. Every field is optional where some producer leaves it out; new fields are added, never renamed.
 * `Finding.evidence` stays an open record in the JSON contract; `evidenceOf()` gives the typed view.
 */
import type { Category, Finding, MessageRef, PendingUpdate, Severity, SupportPhase } from './model.js';

/** One CVE's line in a finding's evidence: enough to reproduce the match (feed, record, range). */
export interface CveEvidence {
  id: string;
  severity: Severity;
  /** What the severity was taken from (`cvss 3.1`, `vendor: important`, `kev`). */
  severityBasis: string;
  cvss?: number;
  cvssVersion?: string;
  cvssVector?: string;
  kev?: { dateAdded: string; ransomware?: string };
  epss?: number;
  fixedIn?: string;
  feed: string;
  record: string;
  range?: string;
  rawRef?: string;
  url?: string;
  /** The CVE record / NVD description (English), cut to a few hundred characters. */
  summary?: string;
  /** JVN iPedia's Japanese title, where the knowledge DB holds it. */
  jvnTitle?: string;
  /** JVNDB ids. */
  jvn?: string[];
  /** The installed version is malformed; the match ordered it as the ecosystem's tool does (`malformed` says why). */
  confidence?: 'malformed';
  malformed?: string;
}

/** `vulnerability`: upstream CVEs of a component, a known-exploited CVE, unfixed distro CVEs or library advisories. */
export interface VulnerabilityEvidence {
  /** Every CVE matched, most severe first. */
  cves?: CveEvidence[];
  /** The one CVE of a known-exploited finding. */
  cve?: CveEvidence;
  kev?: boolean;
  detectedBy?: string;
  /** The release line (`5.3`) and the version fixing every CVE on it. */
  line?: string;
  lineFixedIn?: string;
  /** CVEs fixed only on later lines. */
  fixedOnlyOnLaterLines?: number;
  likelyExploited?: boolean;
  /** A distribution build: the vendor may have back-ported fixes. */
  distroBuild?: boolean;
  note?: string;
  /** Distro matches: the platform (`debian:12`), the source package, its binaries and the installed version. */
  platform?: string;
  sourcePackage?: string;
  binaries?: string[];
  installed?: string;
  /** Library matches: the ecosystem and the version fixing them all. */
  ecosystem?: string;
  fixedVersion?: string;
}

/** `missing-security-update`: a distro update that fixes CVEs, a pending update, or a newer kernel not yet running. */
export interface MissingUpdateEvidence {
  platform?: string;
  sourcePackage?: string;
  binaries?: string[];
  installed?: string;
  candidate?: string;
  fixedVersion?: string;
  repository?: string;
  /** Advisory ids (DSA-…, RHSA-…). */
  advisories?: string[];
  cves?: CveEvidence[];
  /** The package manager's own list of pending updates. */
  pending?: PendingUpdate[];
  packages?: unknown[];
  assessment?: Record<string, unknown>;
  /** Kernel: running and newest installed. */
  running?: string;
  newestInstalled?: string;
}

/** `end-of-life`: a release line past (or near) the end of its support. */
export interface EndOfLifeEvidence {
  product?: string;
  cycle?: string;
  phase?: SupportPhase;
  securitySupportEnd?: string;
  daysLeft?: number;
  extendedSupportEnd?: string;
  latestOnLine?: string;
  supportedSuccessor?: string;
  lifecycleSource?: string;
}

/** `outdated-application`: a web application whose version has known problems or no longer gets releases. */
export interface OutdatedApplicationEvidence {
  status?: string;
  detail?: string;
  detailMessage?: MessageRef;
  detectedBy?: string;
  /** The version rule that matched (`below`, `prefix`, or every version). */
  rule?: { below?: string; prefix?: string; all?: true };
  since?: string;
  sources?: string[];
  verified?: boolean;
  staleYears?: number;
  staleAfterYears?: number;
  knowledgeAsOf?: string;
}

/** `personal-data-exposure` and `sensitive-file-exposure`: what the classifier found in a file (counts and masked samples only). */
export interface DataExposureEvidence {
  /** Records per kind of personal data (`email`, `phone`, …). */
  kinds?: Record<string, number>;
  records?: number;
  confidence?: number;
  bytes?: number;
  encoding?: string;
  container?: string;
  sensitive?: string;
  /** Masked samples, never the data itself. */
  samples?: unknown[];
  reasons?: string[];
  truncated?: boolean;
  dummy?: boolean;
  /** Whether the web server serves the file (`true`, `false`, `unknown`). */
  served?: boolean | 'unknown';
  /** Site scans: the URL and answer it was confirmed by. */
  url?: string;
  status?: number;
  contentType?: string;
  bytesRead?: number;
  confirmedBy?: string;
  via?: string;
  check?: string;
  references?: string[];
}

/** The site checks (`plaintext-transport`, `weak-tls`, `certificate`, `security-header`, `cookie`, `information-disclosure`): the check and what was seen. */
export interface WebCheckEvidence {
  /** The check's id in the catalogue (src/checks/catalog.ts) and its references. */
  check?: string;
  references?: string[];
  page?: string;
  header?: string;
  value?: string | number | null;
  cookie?: string;
  missing?: string[];
  setting?: string;
  [field: string]: unknown;
}

export interface EvidenceByCategory {
  vulnerability: VulnerabilityEvidence;
  'missing-security-update': MissingUpdateEvidence;
  'end-of-life': EndOfLifeEvidence;
  'outdated-application': OutdatedApplicationEvidence;
  'personal-data-exposure': DataExposureEvidence;
  'sensitive-file-exposure': DataExposureEvidence;
  'plaintext-transport': WebCheckEvidence;
  'weak-tls': WebCheckEvidence;
  certificate: WebCheckEvidence;
  'security-header': WebCheckEvidence;
  cookie: WebCheckEvidence;
  'information-disclosure': WebCheckEvidence;
}

/** A finding whose evidence is typed by its category (narrow on `category`). */
export type TypedFinding = { [C in Category]: Omit<Finding, 'category' | 'evidence'> & { category: C; evidence?: EvidenceByCategory[C] } }[Category];

/** The typed view of a finding (the document was validated at the edge, see src/core/document/schema.ts). */
export const typed = (f: Finding): TypedFinding => f as TypedFinding;

/** The evidence of `f` as its category types it. */
export function evidenceOf<C extends Category>(f: Finding & { category: C }): Partial<EvidenceByCategory[C]> {
  return (f.evidence ?? {}) as Partial<EvidenceByCategory[C]>;
}
