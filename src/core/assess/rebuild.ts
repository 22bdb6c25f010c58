/**
 * Comparing a rebuild's package with Red Hat's fixed version. CentOS and Oracle Linux rebuild RHEL's source
 * RPMs and retag the release: CentOS drops the minor-release tag and adds `.centos` when it rebrands a package
 * (RHEL `httpd-2.2.3-92.el5_11` ships as `2.2.3-92.el5.centos`, `2.4.6-40.el7_2.4` as `2.4.6-40.el7.centos.4`,
 * older CentOS 5 kept it: `11.el5_2.centos.4`), Oracle inserts `.0.N` (`2.2.15-54.0.1.el6_8`). Compared as
 * they are, `el5_11` sorts after `el5.centos` and `.0.1.el6` before `.el6_9.5`: false alarms and missed fixes.
 * When the installed release carries such a tag, both sides are compared without them (`elN_M` → `elN`,
 * `.centos` and Oracle's `.0.N` removed), which is how the rebuild maps its release onto Red Hat's.
 */
import type { OsvRange, RangeEvent } from '../versioning/types.js';

const CENTOS = /\.centos(?=\.|$)/;
const ORACLE = /\.0\.\d+(?=\.el\d)/;

/** Whether this installed rpm release is a rebuild's retagging of a RHEL release. */
export function isRebuildRelease(evr: string): boolean {
  const rel = evr.slice(evr.lastIndexOf('-') + 1);
  return CENTOS.test(rel) || ORACLE.test(rel);
}

/** The release with the rebuild's and the minor-release tags removed: `92.el5_11` and `92.el5.centos` → `92.el5`. */
export function normaliseRelease(evr: string): string {
  const dash = evr.lastIndexOf('-');
  if (dash < 0) return evr;
  const rel = evr
    .slice(dash + 1)
    .replace(/\.centos(?=\.|$)/g, '')
    .replace(ORACLE, '')
    .replace(/(\bel\d+)_\d+/g, '$1');
  return `${evr.slice(0, dash)}-${rel}`;
}

/** The installed version and the advisory ranges as they are compared for a rebuild of RHEL. */
export function rebuildView(installed: string, ranges: readonly OsvRange[], platform: string): { version: string; ranges: readonly OsvRange[]; normalised: boolean } {
  if (!platform.startsWith('rhel:') || !isRebuildRelease(installed)) return { version: installed, ranges, normalised: false };
  const map = (v: string | undefined) => (v === undefined || v === '0' ? v : normaliseRelease(v));
  return {
    version: normaliseRelease(installed),
    ranges: ranges.map((r) => ({ ...r, events: r.events.map((e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, map(v as string)])) as RangeEvent) })),
    normalised: true,
  };
}
