/** The personal-data classifier's vocabulary: kinds of personal data and the verdict for one file or body. */

export const PII_KINDS = ['email', 'phone', 'postal-code', 'address', 'name', 'card', 'my-number', 'birth-date'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

/** What kind of sensitive file it is, independent of personal data inside (dumps, logs, VCS metadata…). */
export const SENSITIVE_KINDS = [
  'sql-dump',
  'csv-export',
  'spreadsheet',
  'backup-archive',
  'database',
  'log',
  'vcs',
  'config',
  'credentials',
  'phpinfo',
  'editor-leftover',
] as const;
export type SensitiveKind = (typeof SENSITIVE_KINDS)[number];

export interface FileVerdict {
  /** Path relative to the scanned root (or the name given to classifyBuffer); non-UTF-8 bytes are shown escaped. */
  path: string;
  /** Size of the file (or body) in bytes. */
  bytes: number;
  /** True when the file holds personal data of customers (not dummy data, not a business's own contact details). */
  personal: boolean;
  /** Distinct values found per kind (dummy values and a business's own contacts excluded). */
  kinds: Partial<Record<PiiKind, number>>;
  /** Customer records: CSV rows, SQL tuples or, in free text, the largest per-person count. */
  records: number;
  /** 0–100: how sure the verdict `personal` is. */
  confidence: number;
  /** Masked samples only (at most 3), e.g. `山田*** 090-****-6809`. Never a full value. */
  samples: string[];
  /** The detected text encoding: utf-8, utf-8-bom, shift_jis, euc-jp, iso-2022-jp, utf-16le, ascii. */
  encoding?: string;
  /** gzip | zip | xlsx | tar | tar.gz when the data came out of a container. */
  container?: string;
  sensitive?: SensitiveKind;
  /** Why: message-like English phrases (header columns found, table names, dummy data, business page…). */
  reasons: string[];
  /** Only the first maxBytes were classified. */
  truncated?: boolean;
  /** The file holds sample or template data only (example.com, 090-0000-0000, 山田太郎). */
  dummy?: boolean;
  /** Undecodable byte sequences replaced while decoding (a gap when many). */
  invalidBytes?: number;
  /** The file was not classified: binary, unreadable, bomb… (the walker turns these into gaps or skips). */
  skipped?: 'binary' | 'unreadable' | 'decompression-bomb' | 'too-large' | 'encrypted';
  /** Detail for skipped/gap reasons (never personal data). */
  note?: string;
}

export interface ClassifyOptions {
  /** The body is an HTML page the site serves: a business's own contact details there are not customer data. */
  publicPage?: boolean;
  /** Classify at most this many bytes (default 8 MiB); the rest is not read. */
  maxBytes?: number;
  /** The real size when `data` is only the head of a larger file. */
  totalBytes?: number;
}

export const DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024;
