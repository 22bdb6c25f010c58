/**
 * distro-info-data CSV (`/usr/share/distro-info/debian.csv`, `ubuntu.csv`): version, codename, series,
 * created, release, eol, then eol-lts/eol-elts (Debian) or eol-server/eol-esm/eol-legacy (Ubuntu).
 * Cycles go to the products `debian` / `ubuntu` with source `distro-info-data`. See ./README.md.
 */
import type { LifecycleCycle } from '../../../core/knowledge.js';
import type { RawInput } from '../../types.js';
import { emptyNormalized, type Normalized } from '../../types.js';
import { debianPlatformVersion } from '../debian-tracker/codenames.js';

export const FEED = 'distro-info';
export const SOURCE = 'distro-info-data';

export function recognise(text: string): boolean {
  return /^version,codename,series,created,release,eol\b/.test(text);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Codename (series) → release, for the Debian list parser. */
export function codenames(text: string): Map<string, string> {
  const m = new Map<string, string>();
  if (!recognise(text) || text.includes('eol-server')) return m;
  for (const line of text.split('\n').slice(1)) {
    const [version, , series] = line.split(',');
    if (version && series) m.set(series.trim(), version.trim());
  }
  return m;
}

export function parse(raw: RawInput, text: string): Normalized {
  const out = emptyNormalized();
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const header = (lines[0] ?? '').split(',');
  const ubuntu = header.includes('eol-server') || header.includes('eol-esm');
  const product = ubuntu ? 'ubuntu' : 'debian';
  const col = (row: string[], name: string) => {
    const i = header.indexOf(name);
    const v = i >= 0 ? row[i]?.trim() : undefined;
    return v && DATE.test(v) ? v : undefined;
  };
  for (const [i, line] of lines.slice(1).entries()) {
    const row = line.split(',');
    if (row.length < 4) {
      out.rejected.push({ ref: `line ${i + 2}`, reason: 'fewer than 4 columns (version, codename, series, created)' });
      continue;
    }
    const version = (row[0] ?? '').trim();
    if (!version) continue; // sid, experimental
    const lts = / LTS$/.test(version);
    const cycle = ubuntu ? version.replace(/ LTS$/, '') : debianPlatformVersion(version);
    const eol = col(row, 'eol');
    const eolServer = col(row, 'eol-server');
    const c: LifecycleCycle = {
      product,
      cycle,
      codename: row[1]?.trim() || undefined,
      releaseDate: col(row, 'release'),
      source: SOURCE,
    };
    if (ubuntu) {
      c.activeSupportEnd = eol;
      c.eol = eolServer && eol && eolServer > eol ? eolServer : eol;
      c.extendedSupportEnd = col(row, 'eol-esm');
      c.lts = lts;
    } else {
      // Debian LTS is free security support; ELTS is paid.
      c.activeSupportEnd = eol;
      c.eol = col(row, 'eol-lts') ?? eol;
      c.extendedSupportEnd = col(row, 'eol-elts');
    }
    out.lifecycle.push(c);
  }
  return out;
}
