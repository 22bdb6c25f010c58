/**
 * What the knowledge store hands to the pure assessment: normalised advisories (one range model, OSV-style
 * events), lifecycle cycles, KEV and EPSS. The store (src/knowledge) fills these; src/core/assess reads them.
 */
import type { OsvRange, VersionEcosystem } from './versioning/types.js';

/**
 * `extended-support-only`: the vendor fixed it only in a paid extended-support stream (Red Hat ELS) that the
 * release's general channel (and its rebuilds: CentOS, Oracle, Alma, Rocky) never shipped.
 * `out-of-support`: the vendor says the release is affected but outside its support scope (no fix will come).
 */
export const FIX_STATES = ['fixed', 'unfixed', 'will-not-fix', 'not-affected', 'extended-support-only', 'out-of-support'] as const;
export type FixState = (typeof FIX_STATES)[number];

/**
 * Where an advisory applies. Distro advisories name the distro release (`debian:12`, `ubuntu:22.04`,
 * `almalinux:9`, `rhel:7`, `alpine:3.19`) and are matched by source package; `upstream` names a product
 * (`php`, `apache-httpd`, `nginx`, `openssl`) matched against detected components; `packagist` / `npm`
 * name library ecosystems matched against lock files.
 */
export interface AdvisoryScope {
  kind: 'distro' | 'upstream' | 'library';
  /** `debian:12`, `almalinux:9`, `rhel:7`, `upstream`, `packagist`, `npm`. */
  platform: string;
  /** Source package, product or library name as the feed names it (lower case for products). */
  package: string;
  /** How to compare versions for this scope. */
  versionScheme: VersionEcosystem;
}

export interface CvssScore {
  version: '2.0' | '3.0' | '3.1' | '4.0';
  score: number;
  vector?: string;
}

export interface Advisory {
  /** The feed's own id: `CVE-2012-1823`, `DSA-5678-1`, `ALSA-2024:1234`, `GHSA-…`, `JVNDB-2023-000123`. */
  id: string;
  /** Feed name, e.g. `php-releases`, `httpd`, `nginx`, `osv-almalinux`, `debian-tracker`, `friendsofphp`. */
  feed: string;
  /** CVE ids this advisory covers (may include `id`). */
  cves: string[];
  aliases: string[];
  scope: AdvisoryScope;
  /** Affected ranges; empty with `versions` empty means every version (use with fixState). */
  ranges: OsvRange[];
  /** Exact affected versions, where the feed lists them. */
  versions?: string[];
  fixState: FixState;
  /** The version that fixes it, where there is one (first `fixed` event), for the plan. */
  fixedVersion?: string;
  /** The vendor errata that ships the fix (`RHSA-2021:0227`, `ALAS2023-2023-001`), when `id` is a CVE. */
  advisory?: string;
  /** Vendor severity word (`important`, `high`, `moderate`), as the feed gives it. */
  vendorSeverity?: string;
  cvss?: CvssScore[];
  summary?: string;
  published?: string;
  modified?: string;
  url?: string;
  /** The raw record's key in the store, so a report can be reproduced. */
  rawRef?: string;
}

/** One release line of a product from endoflife.date or distro-info-data. */
export interface LifecycleCycle {
  /** endoflife.date product id (`php`, `apache-http-server`, `nginx`, `centos`, `debian`, `ubuntu`, …). */
  product: string;
  /** The cycle (`5.3`, `2.2`, `7`, `22.04`). */
  cycle: string;
  codename?: string;
  releaseDate?: string;
  /** End of active support (bug fixes): a date, or true/false where the source says so without a date. */
  activeSupportEnd?: string | boolean;
  /** End of security fixes (endoflife.date `eol`). */
  eol?: string | boolean;
  /** End of extended / paid support (ELTS, ESM), where known. */
  extendedSupportEnd?: string | boolean;
  latest?: string;
  latestReleaseDate?: string;
  lts?: boolean | string;
  /** `endoflife.date`, `distro-info-data`, `php-version-audit`. */
  source: string;
}

export interface KevEntry {
  cve: string;
  dateAdded: string;
  dueDate?: string;
  knownRansomwareCampaignUse?: string;
  vendorProject?: string;
  product?: string;
  name?: string;
}

export interface EpssEntry {
  cve: string;
  epss: number;
  percentile: number;
  date?: string;
}

/** Per-CVE details from NVD / CVE JSON 5 / JVN: CVSS and summary, when an advisory lacks them. */
export interface CveRecord {
  id: string;
  summary?: string;
  cvss?: CvssScore[];
  published?: string;
  cwe?: string[];
  jvn?: string[];
  /** JVN iPedia's Japanese title, where the knowledge DB holds a JVN record for the CVE. */
  jvnTitle?: string;
}

/** Everything the assessment needs for one inventory, loaded in one batched query by the store. */
export interface KnowledgeSlice {
  advisories: Advisory[];
  lifecycle: LifecycleCycle[];
  kev: KevEntry[];
  epss: EpssEntry[];
  cves: CveRecord[];
  /** Per feed: name, records, updatedAt; stale/missing feeds become gaps. */
  feeds: { name: string; records: number; updatedAt: string | null; source?: string; stale?: boolean }[];
}

/** What the assessment asks the store for. */
export interface KnowledgeQuery {
  /** Distro platform (`debian:12`) and the source package names installed. */
  distro?: { platform: string; packages: string[] };
  /** Upstream products detected (`php`, `apache-httpd`, …). */
  products: string[];
  /** Library packages by ecosystem (`packagist`, `npm`). */
  libraries: { platform: string; packages: string[] }[];
  /** endoflife.date product ids wanted. */
  lifecycleProducts: string[];
}

/**
 * The store's read side, implemented by src/knowledge (SQLite now, PostgreSQL later): asynchronous, so a
 * store over the network fits behind the same port.
 */
export interface KnowledgeSource {
  slice(query: KnowledgeQuery): Promise<KnowledgeSlice>;
  /** Release the connection or file handle. */
  close(): Promise<void>;
}

/** Opening a knowledge source: it is there, there is none yet (`missing`), or it cannot be read (`damaged`). */
export type KnowledgeOpening = { ok: true; source: KnowledgeSource } | { ok: false; reason: 'missing' } | { ok: false; reason: 'damaged'; why: string };

/**
 * Where the application layer (src/scan) gets knowledge: opened only when an inventory has something to match.
 * `location` names it in the gaps ("no knowledge DB at …"): a file path, or a database name without secrets.
 */
export interface KnowledgeProvider {
  readonly location: string;
  open(): Promise<KnowledgeOpening>;
}
