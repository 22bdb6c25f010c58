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
/** CentOS 7.0/7.1 rebuilt z-stream updates as `42.el7.6` (RHEL `42.el7_1.6`) without a `.centos` tag. */
const DROPPED_MINOR = /\bel\d+\.\d/;
const MINOR = /(\bel\d+)_\d+/g;

const releaseOf = (evr: string) => evr.slice(evr.lastIndexOf('-') + 1);

/** Whether this installed rpm release is a rebuild's retagging of a RHEL release. */
export function isRebuildRelease(evr: string): boolean {
  const rel = releaseOf(evr);
  return CENTOS.test(rel) || ORACLE.test(rel) || DROPPED_MINOR.test(rel);
}

const withRelease = (evr: string, f: (rel: string) => string): string => {
  const dash = evr.lastIndexOf('-');
  return dash < 0 ? evr : `${evr.slice(0, dash)}-${f(evr.slice(dash + 1))}`;
};

/** The rebuild's own tags removed: `92.el5.centos` → `92.el5`, `54.0.1.el6_8` → `54.el6_8`. */
export function stripRebuildTags(evr: string): string {
  return withRelease(evr, (rel) => rel.replace(/\.centos(?=\.|$)/g, '').replace(ORACLE, ''));
}

/** The release with the rebuild's and the minor-release tags removed: `92.el5_11` and `92.el5.centos` → `92.el5`. */
export function normaliseRelease(evr: string): string {
  return withRelease(stripRebuildTags(evr), (rel) => rel.replace(MINOR, '$1'));
}

/**
 * The installed version and the advisory ranges as they are compared for a rebuild of RHEL: the rebuild's
 * tags removed from the installed release; where the rebuild also dropped the minor-release tag (`el5.centos`,
 * `el7.6`), Red Hat's `elN_M` is dropped from the bounds too; where it kept it (`el5_2.centos.4`), the bounds
 * are compared as published.
 */
export function rebuildView(installed: string, ranges: readonly OsvRange[], platform: string): { version: string; ranges: readonly OsvRange[]; normalised: boolean } {
  if (!platform.startsWith('rhel:') || !isRebuildRelease(installed)) return { version: installed, ranges, normalised: false };
  const version = stripRebuildTags(installed);
  if (new RegExp(MINOR.source).test(releaseOf(version))) return { version, ranges, normalised: true };
  const map = (v: string | undefined) => (v === undefined || v === '0' ? v : normaliseRelease(v));
  return {
    version,
    ranges: ranges.map((r) => ({ ...r, events: r.events.map((e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, map(v as string)])) as RangeEvent) })),
    normalised: true,
  };
}
