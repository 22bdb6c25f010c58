/**
 * Document roots: from the web server configuration (root / DocumentRoot / Alias / server.document-root)
 * plus --docroot, walked through the transport with caps on entries, depth and bytes (find does not follow
 * symlinks, so loops cannot happen; non-UTF-8 names are kept as bytes and shown escaped). Each root is then
 * fingerprinted for web applications and checked for personal data with the served/denied verdict.
 */
import { gapOf } from '../../core/gaps.js';
import type { Component, Finding, Gap, Package } from '../../core/model.js';
import { findingId } from '../../core/ids.js';
import { detectApps } from '../../apps/detect.js';
import type { Transport, WalkEntry } from '../transport/types.js';
import { parseHtaccess, wouldServe, type HtaccessRules, type Served } from './exposure.js';
import type { WebConfig } from './webconf.js';

export interface DocrootLimits {
  maxEntries: number;
  maxDepth: number;
  /** Bytes of each candidate file given to the personal-data detector. */
  piiBytes: number;
  /** Files given to the personal-data detector per root. */
  piiFiles: number;
}

export const DEFAULT_DOCROOT_LIMITS: DocrootLimits = { maxEntries: 50_000, maxDepth: 24, piiBytes: 1024 * 1024, piiFiles: 2000 };

/** What the personal-data detector (src/pii) exposes; loaded at run time so the scan works without it. */
export interface PiiModule {
  classifyBuffer(name: string, data: Buffer | Uint8Array, opts?: { maxBytes?: number; totalBytes?: number; publicPage?: boolean }): PiiVerdict | Promise<PiiVerdict>;
  /** Personal values inside a string (a file name) masked; a finding with every string masked but its id. */
  maskText(s: string): string;
  maskFinding(f: Finding): Finding;
}
export interface PiiVerdict {
  path: string;
  bytes: number;
  personal: boolean;
  kinds: Partial<Record<string, number>>;
  records: number;
  confidence: number;
  samples: string[];
  sensitive?: string;
  reasons: string[];
  dummy?: boolean;
  skipped?: string;
  note?: string;
  truncated?: boolean;
}

export interface DocrootResult {
  docroots: { path: string; from: string; url?: string }[];
  components: Component[];
  packages: Package[];
  findings: Finding[];
  stats: { files: number; dirs: number; bytesClassified: number; filesClassified: number };
}

/** Show a raw name: valid UTF-8 as is, other bytes as \xNN. */
export function displayPath(b: Buffer): string {
  const s = b.toString('utf8');
  if (!s.includes('\uFFFD') || Buffer.from(s, 'utf8').equals(b)) return s;
  let out = '';
  for (const ch of b.toString('latin1')) {
    const c = ch.charCodeAt(0);
    out += c < 0x80 ? ch : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}

const SKIP_EXT = /\.(php\d?|phtml|inc|js|mjs|css|scss|less|map|png|jpe?g|gif|webp|svg|ico|bmp|tiff?|woff2?|ttf|eot|otf|mp[34]|webm|ogg|wav|avi|mov|swf|pdf|html?|tpl|twig|md|po|mo|pot|py|pl|pm|rb|java|class|jar|lock|so|o|a)$/i;
/** Files that may hold data: everything not obviously code or static assets, within the caps. */
export const isPiiCandidate = (rel: string, size: number) => size > 0 && !SKIP_EXT.test(rel) && !/(^|\/)(node_modules|vendor|wp-includes|wp-admin|\.git\/objects)\//.test(rel);

export async function collectDocroots(
  t: Transport,
  roots: { path: string; from: string; url?: string }[],
  configs: readonly WebConfig[],
  pii: PiiModule | undefined,
  limits: DocrootLimits,
  gaps: Gap[],
): Promise<DocrootResult> {
  const res: DocrootResult = { docroots: [], components: [], packages: [], findings: [], stats: { files: 0, dirs: 0, bytesClassified: 0, filesClassified: 0 } };
  // Dedupe, and drop roots inside other roots (their files are walked with the outer one).
  const uniq = new Map<string, { path: string; from: string; url?: string }>();
  for (const r of roots) {
    const p = r.path.replace(/\/+$/, '') || '/';
    const prev = uniq.get(p);
    if (prev) prev.from = [...new Set([...prev.from.split(', '), r.from])].join(', ');
    else uniq.set(p, { ...r, path: p });
  }
  const list = [...uniq.values()].sort((a, b) => a.path.localeCompare(b.path));
  const walked: string[] = [];
  for (const root of list) {
    if (walked.some((w) => root.path.startsWith(`${w}/`))) {
      res.docroots.push(root);
      continue;
    }
    const w = await t.walk(root.path, { maxDepth: limits.maxDepth, maxEntries: limits.maxEntries });
    if (w.error) {
      gaps.push(gapOf('host.gap.docroot', { code: 'host.gap.what.docroot', params: { path: root.path } }, { code: 'host.gap.why.cannotWalk', params: { reason: w.error } }));
      continue;
    }
    walked.push(root.path);
    res.docroots.push(root);
    if (w.truncated) gaps.push(gapOf('host.gap.docrootCap', { code: 'host.gap.what.docroot', params: { path: root.path } }, { code: 'host.gap.why.docrootCap', params: { max: limits.maxEntries } }));
    const files: WalkEntry[] = w.entries.filter((e) => e.type === 'f');
    res.stats.files += files.length;
    res.stats.dirs += w.entries.filter((e) => e.type === 'd').length;
    const names = files.map((e) => displayPath(e.rel)).sort();
    const read = async (abs: string, max: number) => {
      const r = await t.readFile(abs, max);
      return r.ok ? ({ ok: true, data: r.data } as const) : ({ ok: false, why: `${r.failure}: ${r.detail}` } as const);
    };
    const apps = await detectApps(root.path, names, read, gaps);
    res.components.push(...apps.components);
    res.packages.push(...apps.packages);
    // .htaccess rules on the way to each file.
    const htaccess = new Map<string, HtaccessRules>();
    await Promise.all(
      names
        .filter((n) => n === '.htaccess' || n.endsWith('/.htaccess'))
        .map(async (n) => {
          const r = await t.readFile(`${root.path}/${n}`, 256 * 1024);
          if (r.ok) htaccess.set(`${root.path}/${n}`.slice(0, -'/.htaccess'.length), parseHtaccess(r.data.toString('latin1')));
          else gaps.push({ what: `${root.path}/${n}`, why: `${r.failure}: ${r.detail}`, code: 'host.gap.read' });
        }),
    );
    if (!pii) continue;
    const candidates = files.filter((e) => isPiiCandidate(displayPath(e.rel), e.size));
    if (candidates.length > limits.piiFiles) gaps.push(gapOf('host.gap.piiCap', { code: 'host.gap.what.piiIn', params: { path: root.path } }, { code: 'host.gap.why.piiCap', params: { count: candidates.length, max: limits.piiFiles } }));
    const chosen = candidates.sort((a, b) => Buffer.compare(a.rel, b.rel)).slice(0, limits.piiFiles);
    for (let i = 0; i < chosen.length; i += 8) {
      await Promise.all(
        chosen.slice(i, i + 8).map(async (e) => {
          const rel = displayPath(e.rel);
          const abs = `${root.path}/${rel}`;
          if (!Buffer.from(rel, 'utf8').equals(e.rel)) {
            gaps.push(gapOf('host.gap.nonUtf8', pii.maskText(abs), { code: 'host.gap.why.nonUtf8' }));
            return;
          }
          const r = await t.readFile(abs, limits.piiBytes);
          if (!r.ok) {
            gaps.push(gapOf('host.gap.read', pii.maskText(abs), { code: 'host.gap.why.piiRead', params: { failure: r.failure } }));
            return;
          }
          res.stats.filesClassified++;
          res.stats.bytesClassified += r.data.length;
          const v = await pii.classifyBuffer(rel, r.data, { maxBytes: limits.piiBytes, totalBytes: e.size });
          if (v.skipped || (!v.personal && !v.sensitive)) return;
          const served = wouldServe(abs, root.path, configs, htaccess, root.url ?? '/');
          // A file name may hold personal values (`請求書_090-1234-5678.csv`): masked like the detector's output.
          res.findings.push(pii.maskFinding(piiFinding(abs, v, served)));
        }),
      );
    }
  }
  res.findings.sort((a, b) => (a.location ?? '').localeCompare(b.location ?? ''));
  return res;
}

function piiFinding(abs: string, v: PiiVerdict, served: Served): Finding {
  const personal = v.personal;
  const hot = Boolean(v.kinds.card || v.kinds['my-number']);
  const severity = personal ? (served.served === true ? (hot ? 'critical' : 'high') : served.served === 'unknown' ? 'high' : 'medium') : served.served === true ? 'medium' : 'low';
  const category = personal ? 'personal-data-exposure' : 'sensitive-file-exposure';
  const code = personal ? (served.served === true ? 'host.pii.served' : served.served === 'unknown' ? 'host.pii.maybeServed' : 'host.pii.stored') : served.served === false ? 'host.sensitive.stored' : 'host.sensitive.served';
  const title = personal
    ? served.served === true
      ? `Personal data in a file the web server serves: ${abs}`
      : served.served === 'unknown'
        ? `Personal data in a document root (whether it is served is unknown): ${abs}`
        : `Personal data stored in a document root (access denied): ${abs}`
    : `${v.sensitive} file in a document root${served.served === false ? ' (access denied)' : ''}: ${abs}`;
  return {
    id: findingId(category, 'host-docroot-file', abs),
    category,
    severity,
    title,
    message: { code, params: { path: abs, kind: v.sensitive ?? '' } },
    location: abs,
    evidence: { kinds: v.kinds, records: v.records, samples: v.samples, sensitive: v.sensitive, served: served.served, servedWhy: served.why, confidence: v.confidence, bytes: v.bytes },
    confidence: v.confidence,
    remediation: {
      priority: 1,
      action: personal
        ? 'Move the file out of the document root (or delete it after keeping an offline copy); check the access logs for downloads of it and, if it was served, follow your incident procedure.'
        : 'Remove the file from the document root or deny access to it.',
      actionMessage: { code: personal ? 'host.pii.action' : 'host.sensitive.action', params: { path: abs } },
    },
    source: 'host:docroot',
  };
}
