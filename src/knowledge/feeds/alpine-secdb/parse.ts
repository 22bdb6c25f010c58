/**
 * Alpine secdb (https://secdb.alpinelinux.org/v3.NN/main.json and community.json; the legacy
 * alpine-secdb YAML of the same shape; aquasecurity/vuln-list's per-package split `alpine/3.20/main/pkg.json`).
 * `secfixes` maps the apk version that fixed them to CVE ids, per aports ORIGIN (source) package; the key
 * `0` means "never affected". One advisory per CVE, release and package, compared with apk rules. See ./README.md.
 */
import { parse as parseYaml } from 'yaml';
import type { Advisory } from '../../../core/knowledge.js';
import { emptyNormalized, type Normalized, type RawInput } from '../../types.js';
import { isObject, str } from '../common/util.js';

export const FEED = 'alpine-secdb';

export function recognise(text: string): boolean {
  const head = text.slice(0, 3000);
  return /"?secfixes"?\s*:/.test(text.slice(0, 20_000)) && (/"?distroversion"?\s*:\s*"?v?3\.\d+/.test(head) || /^\s*\{\s*"name"\s*:\s*"[^"]+"\s*,\s*"secfixes"\s*:/.test(head));
}

const releaseOf = (v: string | undefined): string | undefined => /^v?(\d+\.\d+)/.exec(v ?? '')?.[1];

export function parse(raw: RawInput, text: string): Normalized {
  const out = emptyNormalized();
  let d: unknown;
  try {
    d = /^\s*\{/.test(text) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    out.rejected.push({ ref: raw.key, reason: `not JSON or YAML: ${(err as Error).message.split('\n')[0]}` });
    return out;
  }
  if (!isObject(d)) {
    out.rejected.push({ ref: raw.key, reason: 'expected an object with packages[] or name/secfixes' });
    return out;
  }
  const release = releaseOf(str(d.distroversion)) ?? /(?:^|\/)v?(\d+\.\d+)\/(?:main|community)\//.exec(raw.key)?.[1] ?? /(?:^|\/)v?(\d+\.\d+)\//.exec(raw.key)?.[1];
  if (!release) {
    out.rejected.push({ ref: raw.key, reason: 'no Alpine release (distroversion, or a v3.NN folder in the path)' });
    return out;
  }
  const pkgs: unknown[] = Array.isArray(d.packages) ? d.packages.map((p) => (isObject(p) && isObject(p.pkg) ? p.pkg : p)) : [d];
  for (const p of pkgs) {
    if (!isObject(p) || !str(p.name)) continue;
    const name = str(p.name)!;
    if (!isObject(p.secfixes)) continue;
    const rows = new Map<string, Advisory>();
    for (const [fixed, ids] of Object.entries(p.secfixes)) {
      for (const raw0 of Array.isArray(ids) ? ids : []) {
        // Entries are "CVE-2021-1234" or "CVE-2021-1234 XSA-123": the CVE is the first word.
        const cve = /^(CVE-\d{4}-\d+)/.exec(String(raw0).trim())?.[1];
        if (!cve) continue;
        const notAffected = fixed === '0';
        const prev = rows.get(cve);
        if (prev) {
          if (!notAffected) prev.ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] });
          continue;
        }
        rows.set(cve, {
          id: cve,
          feed: FEED,
          cves: [cve],
          aliases: [],
          scope: { kind: 'distro', platform: `alpine:${release}`, package: name, versionScheme: 'apk' },
          ranges: notAffected ? [] : [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
          fixState: notAffected ? 'not-affected' : 'fixed',
          fixedVersion: notAffected ? undefined : fixed,
          url: `https://security.alpinelinux.org/vuln/${cve}`,
          rawRef: `${raw.key}#${name}`,
        });
      }
    }
    out.advisories.push(...rows.values());
  }
  return out;
}
