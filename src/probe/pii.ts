/**
 * The bridge to the personal-data classifier (src/pii): every exposed body the site scan reads goes through
 * `classifyBuffer`; a failure of the classifier is a gap of the scan, never a silent skip.
 */
import { classifyBuffer, personalSeverity, type FileVerdict } from '../pii/index.js';
import type { Severity } from '../core/model.js';
import { ok, type Result } from '../core/result.js';

export type PiiVerdict = FileVerdict;

export type Classifier = (name: string, data: Uint8Array, opts?: { publicPage?: boolean; maxBytes?: number; totalBytes?: number }) => Promise<PiiVerdict>;

export async function loadClassifier(): Promise<Result<Classifier>> {
  return ok(classifyBuffer);
}

/** Severity of a body with personal data reachable by URL (the classifier's own scale, served = true). */
export const servedSeverity = (v: PiiVerdict): Severity => personalSeverity(v, true);
