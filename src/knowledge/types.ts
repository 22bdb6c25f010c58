/**
 * What a feed parser produces from one raw upstream record (a file, an archive member, an API page):
 * normalised rows for the store, and the records it had to reject with the reason. Parsers are pure
 * functions of the bytes, so a parser fix re-normalises the stored raw records without a download.
 */
import type { Advisory, CveRecord, EpssEntry, KevEntry, LifecycleCycle } from '../core/knowledge.js';

export interface Rejection {
  /** The record inside the raw file (`CVE-2021-1234`, `line 120`, `twig/twig/2013-04-08.yaml`), or the file. */
  ref: string;
  reason: string;
}

export interface Normalized {
  advisories: Advisory[];
  lifecycle: LifecycleCycle[];
  kev: KevEntry[];
  epss: EpssEntry[];
  cves: (CveRecord & { feed?: string })[];
  /** Debian source package ↔ CPE links and CPE alias groups (`package` empty for an alias row). */
  cpe: { package: string; cpe: string; group: string }[];
  rejected: Rejection[];
}

export function emptyNormalized(): Normalized {
  return { advisories: [], lifecycle: [], kev: [], epss: [], cves: [], cpe: [], rejected: [] };
}

export function countRecords(n: Normalized): number {
  return n.advisories.length + n.lifecycle.length + n.kev.length + n.epss.length + n.cves.length + n.cpe.length;
}

/** One raw upstream record as stored: bytes plus where they came from. */
export interface RawInput {
  /** Stable key inside the feed: relative path, archive member, or URL path. */
  key: string;
  /** Where it came from: a URL or a file path. */
  source: string;
  bytes: Uint8Array;
}

export interface ParseContext {
  /** Debian codename → version (`bookworm` → `12`), from distro-info-data when imported. */
  debianCodenames: Map<string, string>;
}

export interface FeedStatus {
  name: string;
  records: number;
  rejected: number;
  updatedAt: string | null;
  source: string | null;
  /** Days since updatedAt, when known. */
  ageDays: number | null;
  stale: boolean;
  /** Last update or import error (the previous data was kept). */
  error: string | null;
  /** The first rejected records, with reasons. */
  rejections: Rejection[];
}
