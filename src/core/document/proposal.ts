/**
 * The client proposal, derived from one or more report documents (a client's host, site and files scans):
 * which scans belong to the same server (matched by host name), the one migration project per server that
 * the end-of-life findings call for (what it involves, in what order, what the owner must decide, and the
 * temporary defences that hold until it is done), whether the law section applies, and the known-exploited
 * CVEs with their CVSS. Pure and presentation-only, like ./view.ts: the CLI's `mamori report a.json b.json`
 * and the fleet server's owner report both call `combineDocuments`, then render the same proposal.
 */
import { severityRank, type Finding, type Lang, type ReportDocument, type Severity } from '../model.js';
import { CVE_DEFENCES, DEFENCE_SNIPPETS } from '../assess/data/defences.js';
import { epochDay } from '../assess/dates.js';
import { messages } from '../messages/index.js';
import { byWorst, cveRows, displayName, isMigrationFinding, makeTexts, overallLevel, plan, type CveRow, type Level } from './view.js';

export { isMigrationFinding };

/** What fills the cover; none of it is required. The logo is already validated and encoded (see the CLI). */
export interface CoverOptions {
  client?: string;
  vendor?: string;
  addressee?: string;
  logo?: { mediaType: 'image/png' | 'image/jpeg' | 'image/svg+xml'; base64: string };
  /** Include the per-CVE appendix of every scan. */
  appendix?: boolean;
}

/** The scans that share one server (matched by host name). */
export interface ServerGroup {
  /** The host name the scans share (`shop.example.jp`), or the target name when it has none. */
  server: string;
  documents: ReportDocument[];
}

export interface CombinedReport {
  documents: ReportDocument[];
  servers: ServerGroup[];
  /** The first and last scan times (ISO 8601). */
  from: string;
  to: string;
}

// ---------------------------------------------------------------- servers

/** `user@shop.example.jp:22`, `https://shop.example.jp/cart/`, `shop.example.jp` → `shop.example.jp`; a path → undefined. */
export function hostName(name: string): string | undefined {
  let s = name.trim().toLowerCase();
  if (!s || s.startsWith('/') || s.startsWith('.') || /^[a-z]:\\/.test(s) || s.startsWith('fixture:')) return undefined;
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  s = s.replace(/^[^@/]*@/, '');
  s = s.split('/')[0]!;
  const v6 = /^\[([^\]]+)\]/.exec(s);
  if (v6) return v6[1];
  s = s.replace(/:\d+$/, '').replace(/\.$/, '');
  return /^[a-z0-9.-]+$/.test(s) && s.length > 0 ? s : undefined;
}

/** Every host name a scan is about: the target's, and for a host scan the names its web server serves. */
export function serverNames(doc: ReportDocument): string[] {
  const out = new Set<string>();
  const own = hostName(doc.target.name);
  if (own) out.add(own);
  if (doc.target.kind === 'host') {
    for (const ws of doc.inventory.webServers ?? []) {
      for (const site of ws.sites) for (const n of site.names) {
        const h = hostName(n);
        if (h && h !== '_' && h !== 'localhost' && !h.startsWith('*')) out.add(h);
      }
    }
  }
  return [...out];
}

/**
 * Several scans → one combined report. Hosts and sites of the same server (a shared host name) form one
 * group; a files scan joins the host whose document roots contain it, else stands alone. Order: as given.
 */
export function combineDocuments(docs: readonly ReportDocument[]): CombinedReport {
  if (!docs.length) throw new Error('combineDocuments: no documents');
  const groups: { names: Set<string>; docs: ReportDocument[]; label: string }[] = [];
  for (const doc of docs) {
    const names = serverNames(doc);
    let g = names.length ? groups.find((x) => names.some((n) => x.names.has(n))) : undefined;
    if (!g && doc.target.kind === 'files') {
      g = groups.find((x) => x.docs.some((d) => d.target.kind === 'host' && (d.inventory.docroots ?? []).some((r) => doc.target.name === r.path || doc.target.name.startsWith(`${r.path.replace(/\/$/, '')}/`))));
    }
    if (g) {
      g.docs.push(doc);
      for (const n of names) g.names.add(n);
      // A host scan's own name (`user@10.0.0.5`) is less telling than a site's host name.
      if (doc.target.kind === 'site' && names[0] && !/^[\d.]+$/.test(names[0])) g.label = names[0];
    } else {
      groups.push({ names: new Set(names), docs: [doc], label: doc.target.kind === 'host' ? hostName(doc.target.name) ?? doc.target.name : names[0] ?? doc.target.name });
    }
  }
  // A host scan named by address joins the site group whose host scan it is (same server: matched above);
  // files scans given before their host are placed again.
  for (const g of [...groups]) {
    if (g.docs.every((d) => d.target.kind === 'files')) {
      const home = groups.find((x) => x !== g && x.docs.some((d) => d.target.kind === 'host' && g.docs.every((f) => (d.inventory.docroots ?? []).some((r) => f.target.name === r.path || f.target.name.startsWith(`${r.path.replace(/\/$/, '')}/`)))));
      if (home) {
        home.docs.push(...g.docs);
        groups.splice(groups.indexOf(g), 1);
      }
    }
  }
  const times = docs.map((d) => d.scannedAt).sort();
  return { documents: [...docs], servers: groups.map((g) => ({ server: g.label, documents: g.docs })), from: times[0]!, to: times[times.length - 1]! };
}

// ---------------------------------------------------------------- the migration project

export type PartKind = 'os' | 'php' | 'webserver' | 'database' | 'app' | 'library' | 'other';

export interface MigrationPart {
  kind: PartKind;
  name: string;
  version?: string;
  /** YYYY-MM-DD, where known. */
  ended?: string;
  daysPast?: number;
  finding: Finding;
}

export interface MigrationProject {
  server: string;
  targets: string[];
  parts: MigrationPart[];
  /** What it involves, in order: rendered text. */
  steps: string[];
  /** What the owner must decide: rendered text. */
  decisions: string[];
  /** The temporary defences that hold until the migration is done (from the plan's priority-2 steps and the reviewed defences). */
  defences: { action: string; reviewBy?: string; commands: string[] }[];
  /** Known-exploited CVEs of this server, with their CVSS. */
  kev: CveRow[];
  /** Every finding of the server's scans the project resolves (the parts' and the CVEs of the software it replaces). */
  resolves: Finding[];
  worst: Severity;
}

const OS_PRODUCTS = new Set(['centos', 'rhel', 'almalinux', 'rocky', 'rocky-linux', 'debian', 'ubuntu', 'alpine', 'amazon', 'amazon-linux', 'oracle', 'oracle-linux', 'fedora', 'windows', 'sles']);
const WEB_SERVERS = new Set(['apache-httpd', 'apache-http-server', 'httpd', 'nginx', 'lighttpd', 'iis']);
const DATABASES = new Set(['mysql', 'mariadb', 'postgresql']);
const LIBRARIES = new Set(['jquery', 'jquery-ui', 'bootstrap', 'angularjs', 'lodash', 'moment']);

function partKind(f: Finding, osFamily: string | undefined): PartKind {
  if (f.category === 'outdated-application') return 'app';
  const ev = f.evidence ?? {};
  const product = (typeof ev.product === 'string' ? ev.product : f.component?.name ?? '').toLowerCase();
  const name = (f.component?.name ?? '').toLowerCase();
  if (OS_PRODUCTS.has(product) || OS_PRODUCTS.has(name) || (osFamily && (product === osFamily || name.startsWith(osFamily)))) return 'os';
  if (product === 'php' || name === 'php') return 'php';
  if (WEB_SERVERS.has(product) || WEB_SERVERS.has(name)) return 'webserver';
  if (DATABASES.has(product) || DATABASES.has(name)) return 'database';
  if (LIBRARIES.has(product) || LIBRARIES.has(name)) return 'library';
  if (['wordpress', 'ec-cube', 'welcart', 'zen-cart', 'oscommerce', 'movable-type', 'phpmyadmin', 'mailform-pro'].includes(product)) return 'app';
  return 'other';
}


const KIND_ORDER: PartKind[] = ['os', 'webserver', 'php', 'database', 'app', 'library', 'other'];

function partName(p: Pick<MigrationPart, 'kind' | 'name'>, doc: ReportDocument): string {
  const family = doc.inventory.os?.family;
  if (p.kind === 'os' && family && family !== 'unknown') return displayName(family);
  return displayName(p.name);
}

/** One migration project per server whose scans have end-of-life findings; none for a server that has none. */
export function migrationProjects(combined: CombinedReport, lang: Lang): MigrationProject[] {
  const t = (code: string, params?: Record<string, string | number>) => messages.t(lang, code, params);
  const out: MigrationProject[] = [];
  for (const g of combined.servers) {
    const parts: MigrationPart[] = [];
    for (const doc of g.documents) {
      for (const f of doc.findings) {
        if (!isMigrationFinding(f)) continue;
        const kind = partKind(f, doc.inventory.os?.family);
        const ev = f.evidence ?? {};
        const life = doc.lifecycle?.find((l) => l.component === f.component?.name && (!l.version || !f.component?.version || l.version === f.component.version));
        const ended = typeof ev.securitySupportEnd === 'string' ? ev.securitySupportEnd : typeof ev.eol === 'string' && /^\d{4}-\d\d-\d\d/.test(ev.eol) ? ev.eol : life?.securitySupportEnd;
        const daysPast = typeof ev.daysLeft === 'number' && ev.daysLeft < 0 ? -ev.daysLeft : ended ? daysBetween(ended, doc.scannedAt) : undefined;
        const name = partName({ kind, name: f.component?.name ?? (typeof ev.product === 'string' ? ev.product : '?') }, doc);
        const version = kind === 'os' ? doc.inventory.os?.version ?? f.component?.version : f.component?.version;
        // The same program seen by the host scan and the site scan is one part (the more precise version wins).
        const same = parts.find((p) => p.kind === kind && (kind === 'os' || p.name.toLowerCase() === name.toLowerCase()));
        if (same) {
          if (version && (!same.version || version.length > same.version.length)) same.version = version;
          continue;
        }
        parts.push({ kind, name, ...(version ? { version } : {}), ...(ended ? { ended } : {}), ...(daysPast !== undefined && daysPast > 0 ? { daysPast } : {}), finding: f });
      }
    }
    if (!parts.length) continue;
    parts.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
    const has = (k: PartKind) => parts.find((p) => p.kind === k);
    const os = has('os');
    const apps = parts.filter((p) => p.kind === 'app');
    const label = (p: MigrationPart) => ({ name: p.name, version: p.version ?? '' });

    const steps = [t('proposal.mig.step.inventory')];
    if (os) steps.push(t('proposal.mig.step.newServer', { os: `${os.name}${os.version && !os.name.includes(os.version) ? ` ${os.version}` : ''}` }));
    for (const p of parts.filter((x) => x.kind === 'webserver')) steps.push(t('proposal.mig.step.webserver', label(p)));
    for (const p of parts.filter((x) => x.kind === 'php')) steps.push(t('proposal.mig.step.php', { version: p.version ?? '' }));
    for (const p of parts.filter((x) => x.kind === 'database')) steps.push(t('proposal.mig.step.database', label(p)));
    for (const p of apps) steps.push(t('proposal.mig.step.app', label(p)));
    for (const p of parts.filter((x) => x.kind === 'library' || x.kind === 'other')) steps.push(t('proposal.mig.step.library', label(p)));
    if (os || apps.length) steps.push(t('proposal.mig.step.data'));
    steps.push(t('proposal.mig.step.test'));
    if (os) steps.push(t('proposal.mig.step.switch'), t('proposal.mig.step.retire'));

    const personal = g.documents.some((d) => d.findings.some((f) => f.category === 'personal-data-exposure'));
    const decisions = [t('proposal.mig.decide.budget'), t('proposal.mig.decide.timing')];
    for (const p of apps) decisions.push(t('proposal.mig.decide.cart', { name: p.name }));
    if (personal) decisions.push(t('proposal.mig.decide.data'));
    if (os) decisions.push(t('proposal.mig.decide.hosting'));

    // What the project resolves: the parts, and the CVE findings of the software it replaces.
    const partFindings = new Set(parts.map((p) => p.finding));
    const replaced = new Set(parts.map((p) => p.name.toLowerCase()));
    const resolves: Finding[] = [];
    const defences: MigrationProject['defences'] = [];
    const kev = new Map<string, CveRow>();
    for (const doc of g.documents) {
      const docParts = doc.findings.filter((f) => partFindings.has(f) || (isMigrationFinding(f) && parts.some((p) => p.finding.category === f.category && partName({ kind: partKind(f, doc.inventory.os?.family), name: f.component?.name ?? '' }, doc).toLowerCase() === p.name.toLowerCase())));
      const osRelease = os && doc.target.kind === 'host';
      for (const f of doc.findings) {
        const comp = f.component ? displayName(f.component.name).toLowerCase() : '';
        const onReplaced = docParts.includes(f) || (f.category === 'vulnerability' && (replaced.has(comp) || Boolean(osRelease && f.source?.startsWith('distro:'))));
        if (onReplaced && !resolves.includes(f)) resolves.push(f);
      }
      // The temporary defences of this server: priority-2 steps of its end-of-life and exploited findings.
      const texts = makeTexts(doc, lang);
      for (const it of plan(doc, texts)) {
        if (it.priority !== 2) continue;
        if (!it.findings.some((f) => resolves.includes(f) || f.category === 'vulnerability' || f.category === 'personal-data-exposure')) continue;
        const known = defences.find((d) => d.action === it.action);
        if (known) {
          if (it.reviewBy && (!known.reviewBy || it.reviewBy < known.reviewBy)) known.reviewBy = it.reviewBy;
          continue;
        }
        defences.push({ action: it.action, ...(it.reviewBy ? { reviewBy: it.reviewBy } : {}), commands: it.commands.slice(0, 2) });
      }
      for (const r of cveRows(doc)) {
        if (!r.kev) continue;
        const prev = kev.get(r.id);
        if (!prev || (prev.cvss === undefined && r.cvss !== undefined)) kev.set(r.id, r);
      }
    }
    // Reviewed defences (src/core/assess/data/defences.ts) for the exploited CVEs, where the plan named none.
    for (const id of kev.keys()) {
      const key = CVE_DEFENCES[id];
      const code = key ? `assess.step.defence.${key}` : undefined;
      if (!key || !code || !messages.has(code)) continue;
      const action = t(code);
      if (defences.some((d) => d.action === action)) continue;
      const snip = DEFENCE_SNIPPETS[key];
      defences.push({ action, ...(snip ? { reviewBy: snip.reviewBy } : {}), commands: [] });
    }
    const worst = [...resolves, ...parts.map((p) => p.finding)].sort(byWorst)[0]!.severity;
    out.push({
      server: g.server,
      targets: g.documents.map((d) => d.target.name),
      parts,
      steps,
      decisions,
      defences,
      kev: [...kev.values()].sort((a, b) => (b.cvss ?? -1) - (a.cvss ?? -1) || a.id.localeCompare(b.id)),
      resolves,
      worst,
    });
  }
  return out.sort((a, b) => severityRank(b.worst) - severityRank(a.worst));
}

function daysBetween(day: string, iso: string): number | undefined {
  const a = epochDay(day.slice(0, 10));
  const b = epochDay(iso.slice(0, 10));
  return a === undefined || b === undefined ? undefined : b - a;
}

// ---------------------------------------------------------------- the law

/** Findings that make the law section apply: personal data exposed, or sent without encryption. */
export function lawFindings(docs: readonly ReportDocument[]): Finding[] {
  return docs.flatMap((d) => d.findings.filter((f) => f.category === 'personal-data-exposure' || (f.category === 'plaintext-transport' && carriesPersonalData(f))));
}

/** A plaintext-transport finding about forms that carry personal data or passwords (not merely "no HTTPS"). */
function carriesPersonalData(f: Finding): boolean {
  const code = f.message?.code ?? '';
  if (/form|personal|password|login/i.test(code)) return true;
  const ev = f.evidence ?? {};
  return Boolean(ev.fields || ev.formFields || ev.personalFields || ev.passwordField || ev.form) || /個人情報|personal data|password|パスワード/i.test(f.title);
}

// ---------------------------------------------------------------- CVE summaries

/** The summary of a CVE in the report's language: JVN's Japanese title for ja where present, else the record's (marked original). */
export function cveSummary(r: Pick<CveRow, 'summary'> & { jvnTitle?: string }, lang: Lang): { text: string; original: boolean } | undefined {
  if (lang === 'ja' && r.jvnTitle) return { text: r.jvnTitle, original: false };
  if (!r.summary) return undefined;
  const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/.test(r.summary);
  return { text: r.summary, original: lang === 'ja' ? !japanese : japanese };
}

// ---------------------------------------------------------------- overview

export interface OverviewRow {
  doc: ReportDocument;
  server: string;
  level: Level;
  findings: number;
  gaps: number;
}

export function overview(combined: CombinedReport): OverviewRow[] {
  return combined.servers.flatMap((g) => g.documents.map((doc) => ({ doc, server: g.server, level: overallLevel(doc), findings: doc.findings.length, gaps: doc.gaps.length })));
}

