/**
 * The report document of docs/contract.md and the inventory it carries. Closed vocabularies are `as const`
 * tuples with derived unions. Extend compatibly: add optional fields, never rename or remove.
 */

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** Higher is worse: critical = 4 … info = 0. */
export const severityRank = (s: Severity): number => 4 - SEVERITIES.indexOf(s);

export const CATEGORIES = [
  'vulnerability',
  'missing-security-update',
  'end-of-life',
  'outdated-application',
  'personal-data-exposure',
  'sensitive-file-exposure',
  'plaintext-transport',
  'weak-tls',
  'certificate',
  'security-header',
  'cookie',
  'information-disclosure',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Where packages come from (inventory.packages[].ecosystem). */
export const PACKAGE_ECOSYSTEMS = ['dpkg', 'rpm', 'apk', 'composer', 'npm', 'wordpress-plugin', 'wordpress-theme'] as const;
export type PackageEcosystem = (typeof PACKAGE_ECOSYSTEMS)[number];

export const OS_FAMILIES = [
  'debian',
  'ubuntu',
  'rhel',
  'centos',
  'almalinux',
  'rocky',
  'oracle',
  'fedora',
  'amazon',
  'alpine',
  'unknown',
] as const;
export type OsFamily = (typeof OS_FAMILIES)[number];

export const TARGET_KINDS = ['host', 'site', 'files'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const LANGS = ['en', 'ja'] as const;
export type Lang = (typeof LANGS)[number];

/** Support phase of a release line: green active, yellow security fixes only, red end of life. */
export const SUPPORT_PHASES = ['active', 'security', 'eol', 'unknown'] as const;
export type SupportPhase = (typeof SUPPORT_PHASES)[number];

export interface OsInfo {
  family: OsFamily;
  name: string;
  version: string;
  codename?: string;
  /** The file or command the answer came from, e.g. `/etc/os-release`. */
  detectedBy?: string;
}

export interface Package {
  name: string;
  /** The full version as the package manager prints it (dpkg `1:2.3-4`, rpm `E:V-R` without the epoch when 0). */
  version: string;
  /** Source package (dpkg Source, rpm source RPM name) used to match distro advisories. */
  source?: string;
  sourceVersion?: string;
  ecosystem: PackageEcosystem;
  arch?: string;
  epoch?: string;
  release?: string;
  vendor?: string;
  /** Repository or origin where the package manager can tell (`remi`, `epel`, `ppa:ondrej/php`, `packages.sury.org`). */
  repository?: string;
  /** True when the package comes from a repository the distro's advisories do not cover. */
  thirdParty?: boolean;
  /** For library packages: the lock file it was read from. */
  location?: string;
}

export interface Component {
  /** php | apache-httpd | nginx | lighttpd | openssl | mysql | mariadb | postgresql | iis | wordpress | ec-cube | welcart | zen-cart | oscommerce | movable-type | mailform-pro | kent-postmail | kent-clipmail | formmail | phpmyadmin | … */
  name: string;
  version?: string;
  /** The probe or file that found it: `banner:Server`, `file:wp-includes/version.php`, `command:php -v`. */
  detectedBy: string;
  location?: string;
  /** A distribution build (e.g. `Apache/2.2.15 (CentOS)`): the vendor may have back-ported fixes. */
  distroBuild?: boolean;
  /** The package that provides it, when known (host scans). */
  package?: string;
  /** 0–100. */
  confidence?: number;
}

export interface PendingUpdate {
  package: string;
  installed: string;
  candidate: string;
  security: boolean;
  arch?: string;
  /** Suite or repository the candidate comes from (`bookworm-security`, `updates`). */
  repository?: string;
  /** Advisory ids (RHSA-…, DSA-…, ALSA-…) where the package manager names them. */
  advisories?: string[];
  /** Source package, where known. */
  source?: string;
  /** `mamori` when the package manager gave no security flag (yum on CentOS) and mamori's matching set it. */
  securityFrom?: 'mamori';
}

export interface KernelInfo {
  running: string;
  newestInstalled?: string;
  rebootRequired?: boolean;
  /** Processes still using deleted (replaced) libraries, as root only. */
  staleProcesses?: { pid: number; command: string; libraries: string[] }[];
}

export interface Inventory {
  os?: OsInfo;
  packages: Package[];
  components: Component[];
  pendingUpdates: PendingUpdate[];
  kernel?: KernelInfo;
  /** Document roots walked (host scan) with where each was found. */
  docroots?: { path: string; from: string; url?: string }[];
  /** Listening services (host scan), when known. */
  listening?: { port: number; address: string; process?: string }[];
  /** Web server configuration read on the host (host scan): which files, and each site's names, ports, roots, TLS protocols. */
  webServers?: WebServerConfig[];
  /** PHP binaries and the ini settings that matter for exposure (host scan). */
  php?: { binary: string; sapi: string; version?: string; iniFile?: string; exposePhp?: string; displayErrors?: string }[];
}

export interface WebServerConfig {
  server: string;
  files: string[];
  sites: { names: string[]; listen: string[]; root?: string; aliases: { url: string; path: string }[]; tlsProtocols?: string; file: string }[];
}

export interface MessageRef {
  code: string;
  params?: Record<string, string | number>;
}

/** The package managers a remediation's update runs with. */
export const UPDATE_TOOLS = ['apt', 'yum', 'dnf', 'apk'] as const;
export type UpdateTool = (typeof UPDATE_TOOLS)[number];

/**
 * What applying a remediation takes, as data beside the human `command` (so a planner never re-parses
 * `apt-get install …`): the package manager, the packages (installed → fixed version, where known), the
 * advisories, the services to restart and whether a reboot is needed.
 */
export interface RemediationUpdate {
  /** Absent when nothing is to be installed (a restart or a reboot only). */
  tool?: UpdateTool;
  /** Binary packages to upgrade; `to` is the candidate or fixed version, `from` the installed one. */
  packages: { name: string; from?: string; to?: string; arch?: string }[];
  /** Advisory ids (DSA-…, RHSA-…, ALSA-…) the update applies, where known. */
  advisories: string[];
  /** Services (or processes) to restart so the fix is the code running. */
  restart: string[];
  /** A reboot is needed (a new kernel, or libraries used by everything). */
  reboot: boolean;
  /** The earliest date (YYYY-MM-DD) the fix was published, from advisory dates, for the patch lag. */
  publishedAt?: string;
}

export interface Remediation {
  /** 1 apply the update, 2 a temporary defence until it can be applied, 3 a custom patch or a migration. */
  priority: 1 | 2 | 3;
  /** The update as data (packages, advisories, restarts, reboot), where the remediation is one. */
  update?: RemediationUpdate;
  action: string;
  actionMessage?: MessageRef;
  /** The exact command, where there is one (`apt-get install --only-upgrade php7.4`). */
  command?: string;
  /** For temporary defences: the date (YYYY-MM-DD) to review it by. */
  reviewBy?: string;
  /** Further steps of the plan (temporary defence, migration) in order. */
  steps?: { priority: 1 | 2 | 3; action: string; command?: string; reviewBy?: string; actionMessage?: MessageRef }[];
}

export interface Finding {
  /** Stable: the same for the same problem on the next scan (a hash of category, check and subject). */
  id: string;
  category: Category;
  severity: Severity;
  title: string;
  /** The message code and parameters the title was rendered from. */
  message?: MessageRef;
  component?: { name: string; version?: string };
  cves?: string[];
  location?: string;
  evidence?: Record<string, unknown>;
  remediation: Remediation;
  /** What can happen to visitors and customers, and to the organisation (rendered text). */
  damage?: { customers: string; organisation: string; code?: string };
  /** 0–100, with the reasons behind a match (feed, record, range) in evidence. */
  confidence?: number;
  /** Which check, feed or probe produced it, for reproducing a report. */
  source?: string;
  /** With --baseline: new, unchanged. Resolved findings are listed in `resolved`. */
  baseline?: 'new' | 'unchanged';
  /** Ordering in the one prioritised list (1 = first). */
  rank?: number;
}

export interface Gap {
  /** What could not be checked, and why, rendered in the scan's language. */
  what: string;
  why: string;
  code?: string;
  /** The catalog message `why` was rendered from: a front end renders it again in its reader's language. */
  message?: MessageRef;
  /** The catalog message `what` was rendered from, where it came from the catalog. */
  subject?: MessageRef;
}

export interface FeedStatus {
  name: string;
  updatedAt: string | null;
  records: number;
  source?: string;
  stale?: boolean;
}

/** Where the knowledge DB's data came from: the snapshot shipped in the package, an online update, or an import. */
export const SNAPSHOT_KINDS = ['embedded', 'updated', 'imported'] as const;
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

/** What happened to the DB before the scan (automatic refresh). */
export const REFRESH_OUTCOMES = ['updated', 'partial', 'failed', 'fresh', 'offline', 'skipped', 'busy'] as const;
export type RefreshOutcome = (typeof REFRESH_OUTCOMES)[number];

export interface KnowledgeSnapshot {
  kind: SnapshotKind;
  /** Date of the data (embedded snapshot) or of the last update / import (ISO 8601). */
  builtAt: string;
  /** Whole days between builtAt and the scan. */
  ageDays: number;
  /** Date of the embedded snapshot the DB began from, when it did. */
  embeddedAt?: string;
  /** The automatic refresh before this scan. */
  refresh?: RefreshOutcome;
}

export interface ReportDocument {
  schemaVersion: 1;
  tool: { name: 'mamori'; version: string };
  scannedAt: string;
  target: { kind: TargetKind; name: string };
  lang?: Lang;
  knowledge: { feeds: FeedStatus[]; snapshot?: KnowledgeSnapshot };
  inventory: Inventory;
  findings: Finding[];
  gaps: Gap[];
  summary: Record<Severity, number>;
  /** Lifecycle of each component with phases, for the owner's timeline chart. */
  lifecycle?: LifecycleEntry[];
  /** With --baseline: findings of the previous scan that are gone. */
  resolved?: { id: string; title: string; category: Category }[];
  /** With --ignore-file: what was suppressed and why; expired entries are reported. */
  suppressed?: { id: string; reason: string; expires?: string; status?: string }[];
  /** With --severity / --ignore-unfixed: what the findings and the summary leave out. */
  filtered?: { severities?: Severity[]; ignoreUnfixed?: boolean; hidden: number };
  /**
   * The patch lag: per missing security fix, the days since the fix was published (advisory date) against the
   * policy's days for its severity; `unknown` when no advisory date is known (never "within").
   */
  patchLag?: PatchLag;
}

export interface PatchLagEntry {
  finding: string;
  severity: Severity;
  packages: string[];
  /** YYYY-MM-DD the fix was first published; absent when unknown. */
  publishedAt?: string;
  /** Whole days since publishedAt at scan time; absent when unknown. */
  days?: number;
  /** The policy's days for this severity. */
  limit: number;
  status: 'overdue' | 'within' | 'unknown';
}

export interface PatchLag {
  /** Days a fix may stay unapplied after its publication, per severity. */
  policy: Record<Severity, number>;
  entries: PatchLagEntry[];
  overdue: number;
  unknown: number;
  /** The longest lag in days among the known ones. */
  maxDays?: number;
}

export interface LifecycleEntry {
  component: string;
  version?: string;
  cycle?: string;
  phase: SupportPhase;
  releaseDate?: string;
  activeSupportEnd?: string;
  securitySupportEnd?: string;
  daysLeft?: number;
  reason?: string;
  source?: string;
}

export const emptyInventory = (): Inventory => ({ packages: [], components: [], pendingUpdates: [] });

export const summarize = (findings: readonly Finding[]): Record<Severity, number> => {
  const s: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) s[f.severity]++;
  return s;
};

export type { CveEvidence, EvidenceByCategory, TypedFinding, VulnerabilityEvidence, MissingUpdateEvidence, EndOfLifeEvidence, OutdatedApplicationEvidence, DataExposureEvidence, WebCheckEvidence } from './evidence.js';
export { evidenceOf, typed } from './evidence.js';
