/**
 * Web checks as data. A check has a stable id (part of the finding id), a category and severity of the
 * contract, references (anchors and the check catalog id), and message codes for its title and remediation
 * (src/core/messages/site.ts). Probes list the paths they read; matchers (matchers.ts) confirm by content,
 * never by status code alone.
 */
import type { Category, Severity } from '../core/model.js';

export interface CheckDef {
  /** Stable check id, e.g. `exposure.sql-dump`; part of the finding id. */
  id: string;
  category: Category;
  severity: Severity;
  /** Catalog id of docs/field/check-catalog.md (PII-01, PLN-02, TLS-01…). */
  catalog: string;
  /** Message code of the title; `{path}`-style params are filled by the engine. */
  title: string;
  /** Message code of the remediation action. */
  remediation: string;
  priority: 1 | 2 | 3;
  /** A command or configuration snippet, where one helps. */
  snippet?: string;
  references: string[];
}

export const MATCHERS = [
  'sql-dump',
  'archive',
  'csv',
  'excel',
  'access-log',
  'error-log',
  'git-head',
  'git-config',
  'svn-entries',
  'sqlite',
  'ds-store',
  'env-file',
  'php-source',
  'phpinfo',
  'listing',
  'htpasswd',
  'installer-eccube',
  'installer-wordpress',
  'installer-generic',
  'phpmyadmin',
  'admin-login',
  'kent-config',
  'kent-log',
  'mailform-log',
  'server-status',
  'mt-check',
  'ftp-config',
  'text-data',
] as const;
export type MatcherName = (typeof MATCHERS)[number];

/** A family of exposure probes: the paths to read and how to confirm a hit. */
export interface ExposureProbe {
  check: string;
  /** Paths from the site root. `{host}` `{domain}` `{label}` `{year}` are filled in per site. */
  paths: string[];
  matcher: MatcherName;
  /** Read at most this many bytes (Range request). */
  rangeBytes: number;
  /** Run the body through the personal-data classifier. */
  pii: boolean;
}

export interface MatchInput {
  status: number;
  contentType: string;
  body: Uint8Array;
  /** The body decoded (UTF-8, else Shift_JIS/EUC-JP). */
  text: string;
  path: string;
}

export interface MatchResult {
  /** 0–100 */
  confidence: number;
  /** Facts for the evidence (never personal data): row counts, table names, versions. */
  detail: Record<string, string | number | boolean | string[]>;
}
