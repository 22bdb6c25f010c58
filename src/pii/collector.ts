/** Accumulates distinct values per kind, with dummy and business values kept apart, and masked samples. */
import { maskAddress, maskBirthDate, maskCard, maskEmail, maskMyNumber, maskName, maskPhone, maskPostal } from './mask.js';
import type { PiiKind } from './types.js';

export const MASKERS: Record<PiiKind, (v: string) => string> = {
  email: maskEmail,
  phone: maskPhone,
  'postal-code': maskPostal,
  address: maskAddress,
  name: maskName,
  card: maskCard,
  'my-number': maskMyNumber,
  'birth-date': maskBirthDate,
};

/** Upper bound on distinct values remembered per kind: counts above it are reported as "at least". */
const MAX_DISTINCT = 200_000;

export class Collector {
  readonly values = new Map<PiiKind, Set<string>>();
  readonly dummy = new Map<PiiKind, number>();
  readonly business = new Map<PiiKind, number>();
  /** First masked sample per kind. */
  readonly firstSample = new Map<PiiKind, string>();
  /** Masked samples of whole records (structured rows). */
  readonly recordSamples: string[] = [];

  /** `key` identifies the value for distinct counting (digits, lower-cased e-mail); `display` is what gets masked. */
  add(kind: PiiKind, key: string, display: string): boolean {
    let set = this.values.get(kind);
    if (!set) {
      set = new Set();
      this.values.set(kind, set);
    }
    if (set.size < MAX_DISTINCT) set.add(key);
    if (!this.firstSample.has(kind)) this.firstSample.set(kind, MASKERS[kind](display));
    return true;
  }

  addDummy(kind: PiiKind): void {
    this.dummy.set(kind, (this.dummy.get(kind) ?? 0) + 1);
  }

  addBusiness(kind: PiiKind): void {
    this.business.set(kind, (this.business.get(kind) ?? 0) + 1);
  }

  count(kind: PiiKind): number {
    return this.values.get(kind)?.size ?? 0;
  }

  has(kind: PiiKind, key: string): boolean {
    return this.values.get(kind)?.has(key) ?? false;
  }

  remove(kind: PiiKind, key: string): void {
    this.values.get(kind)?.delete(key);
  }

  totalDummy(): number {
    let n = 0;
    for (const v of this.dummy.values()) n += v;
    return n;
  }

  totalBusiness(): number {
    let n = 0;
    for (const v of this.business.values()) n += v;
    return n;
  }

  kinds(): Partial<Record<PiiKind, number>> {
    const out: Partial<Record<PiiKind, number>> = {};
    for (const [k, s] of this.values) if (s.size) out[k] = s.size;
    return out;
  }
}
