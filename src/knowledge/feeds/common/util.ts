/** Small helpers shared by the feed parsers. */
import type { CvssScore } from '../../../core/knowledge.js';
import { emptyNormalized, type Normalized, type RawInput, type Rejection } from '../../types.js';

/** Compare dotted numeric versions (`1.9.10` > `1.9.9`); non-numeric parts compare as strings. */
export function compareDotted(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx < ny ? -1 : 1;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** `5.3.12` → `5.3`. */
export function releaseLine(v: string): string {
  const m = /^(\d+)\.(\d+)/.exec(v);
  return m ? `${m[1]}.${m[2]}` : v;
}

export const CVE_RE = /^CVE-\d{4}-\d{4,}$/;

export type JsonResult = { ok: true; value: unknown } | { ok: false; rejection: Rejection };

export function parseJson(text: string, ref: string): JsonResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, rejection: { ref, reason: `invalid JSON: ${(err as Error).message}` } };
  }
}

/** The start of every JSON feed parser: a fresh Normalized, and the parsed JSON (invalid JSON is already rejected in it). */
export function openJson(raw: RawInput, text: string): { out: Normalized; json: JsonResult } {
  const out = emptyNormalized();
  const json = parseJson(text, raw.key);
  if (!json.ok) out.rejected.push(json.rejection);
  return { out, json };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** CVSS entries from a CVE JSON 5 / OSV-like `metrics` array. */
export function cvssFromMetrics(metrics: unknown): CvssScore[] {
  const out: CvssScore[] = [];
  if (!Array.isArray(metrics)) return out;
  for (const m of metrics) {
    if (!isObject(m)) continue;
    for (const [key, version] of [
      ['cvssV4_0', '4.0'],
      ['cvssV3_1', '3.1'],
      ['cvssV3_0', '3.0'],
      ['cvssV2_0', '2.0'],
    ] as const) {
      const c = m[key];
      if (isObject(c) && typeof c.baseScore === 'number') {
        out.push({ version, score: c.baseScore, vector: str(c.vectorString) });
      }
    }
  }
  return out;
}

/** Date-only ISO form of a loose date (`2012-05-11T10:00:00` → `2012-05-11T10:00:00Z`-ish), kept as given if unknown. */
export function isoDate(v: unknown): string | undefined {
  if (typeof v === 'string' && v) return v;
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v.toISOString().slice(0, 10);
  return undefined;
}
