/**
 * What every front end shows of a report, derived once from the report document: the overall level, the plan
 * in order, the sections in the field's terms and the CVE rows of the appendix (`reportView`). HTML and PDF,
 * SARIF, CSV and CycloneDX, and any later front end (a dashboard) read the same view. Presentation only:
 * nothing here decides a severity or a remediation, it orders and groups what the assessment decided.
 */
import { CATEGORIES, SEVERITIES, severityRank, type Category, type Finding, type Gap, type Lang, type ReportDocument, type Severity } from '../model.js';
import { messages } from '../messages/index.js';
import { localizeGap } from '../gaps.js';

export type Level = Severity | 'none';

const DISPLAY: Record<string, string> = {
  php: 'PHP',
  'apache-httpd': 'Apache httpd',
  'apache-http-server': 'Apache httpd',
  httpd: 'Apache httpd',
  nginx: 'nginx',
  openssl: 'OpenSSL',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  postgresql: 'PostgreSQL',
  wordpress: 'WordPress',
  'ec-cube': 'EC-CUBE',
  welcart: 'Welcart',
  'zen-cart': 'Zen Cart',
  oscommerce: 'osCommerce',
  'movable-type': 'Movable Type',
  phpmyadmin: 'phpMyAdmin',
  jquery: 'jQuery',
  centos: 'CentOS',
  rhel: 'Red Hat Enterprise Linux',
  almalinux: 'AlmaLinux',
  rocky: 'Rocky Linux',
  'rocky-linux': 'Rocky Linux',
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  alpine: 'Alpine Linux',
  amazon: 'Amazon Linux',
  'amazon-linux': 'Amazon Linux',
  oracle: 'Oracle Linux',
  fedora: 'Fedora',
  iis: 'IIS',
  'mailform-pro': 'Mailform Pro CGI',
};

export const displayName = (name: string): string => DISPLAY[name.toLowerCase()] ?? name;

const OS_NAMES = new Set(['centos', 'rhel', 'almalinux', 'rocky', 'rocky-linux', 'debian', 'ubuntu', 'alpine', 'amazon', 'amazon-linux', 'oracle', 'oracle-linux', 'fedora', 'windows', 'sles']);

export function overallLevel(doc: ReportDocument): Level {
  let best = -1;
  for (const f of doc.findings) best = Math.max(best, severityRank(f.severity));
  if (best < 0) return 'none';
  if (best === 0) return 'low';
  return SEVERITIES[4 - best]!;
}

/** Worst first: severity, then the assessment's rank, then KEV, then document order. */
export function byWorst(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity) || (a.rank ?? Infinity) - (b.rank ?? Infinity);
}

export interface Texts {
  lang: Lang;
  t(code: string, params?: Record<string, string | number>): string;
  /** The finding's title in the report's language where its message code is known. */
  title(f: Finding): string;
  action(f: Finding): string;
  damage(f: Finding): { customers: string; organisation: string; fromCatalog: boolean };
  /** A gap's subject and reason in the report's language where their message codes are known. */
  gap(g: Gap): { what: string; why: string };
}

export function makeTexts(doc: ReportDocument, lang: Lang): Texts {
  // Text in the document was rendered in doc.lang; when the report is in another language, message codes
  // (when known) translate it, and the damage falls back to the category text of this catalog.
  const sameLang = doc.lang === undefined || doc.lang === lang;
  const t = (code: string, params?: Record<string, string | number>) => messages.t(lang, code, params);
  return {
    lang,
    t,
    title: (f) => (f.message && messages.has(f.message.code) ? messages.render(lang, f.message) : f.title),
    action: (f) =>
      f.remediation.actionMessage && messages.has(f.remediation.actionMessage.code) ? messages.render(lang, f.remediation.actionMessage) : f.remediation.action,
    gap: (g) => localizeGap(g, lang),
    damage: (f) => {
      const code = f.damage?.code;
      if (code && messages.has(`${code}.customers`) && messages.has(`${code}.organisation`)) {
        return { customers: t(`${code}.customers`), organisation: t(`${code}.organisation`), fromCatalog: false };
      }
      if (f.damage && sameLang && (f.damage.customers || f.damage.organisation)) {
        return { customers: f.damage.customers, organisation: f.damage.organisation, fromCatalog: false };
      }
      return {
        customers: t(`report.damage.customers.${f.category}`),
        organisation: t(`report.damage.organisation.${f.category}`),
        fromCatalog: true,
      };
    },
  };
}

// ---------------------------------------------------------------- sections

export type SectionKey = Category | 'eol-php-os' | 'eol-other';

export interface Section {
  key: SectionKey;
  /** Message code of the heading. */
  heading: string;
  /** Message code of the introduction. */
  intro: string;
  findings: Finding[];
}

/** The order in which an owner should read the risks (the field's terms first). */
const ORDER: SectionKey[] = [
  'personal-data-exposure',
  'plaintext-transport',
  'eol-php-os',
  'eol-other',
  'missing-security-update',
  'vulnerability',
  'sensitive-file-exposure',
  'weak-tls',
  'certificate',
  'cookie',
  'security-header',
  'information-disclosure',
];

function isPhpOrOs(f: Finding, osFamily: string | undefined): boolean {
  const n = f.component?.name.toLowerCase();
  if (!n) return false;
  return n === 'php' || OS_NAMES.has(n) || (osFamily !== undefined && n === osFamily.toLowerCase());
}

export function sections(doc: ReportDocument): Section[] {
  const buckets = new Map<SectionKey, Finding[]>();
  const put = (k: SectionKey, f: Finding) => {
    const list = buckets.get(k);
    if (list) list.push(f);
    else buckets.set(k, [f]);
  };
  for (const f of doc.findings) {
    if (f.category === 'end-of-life') put(isPhpOrOs(f, doc.inventory.os?.family) ? 'eol-php-os' : 'eol-other', f);
    else if (f.category === 'outdated-application') put('eol-other', f);
    else put(f.category, f);
  }
  const keys = [...ORDER, ...CATEGORIES.filter((c) => !ORDER.includes(c))];
  const out: Section[] = [];
  for (const key of keys) {
    const list = buckets.get(key);
    if (!list?.length) continue;
    list.sort(byWorst);
    const heading =
      key === 'eol-php-os' ? 'report.sec.eolPhpOs' : key === 'eol-other' ? 'report.sec.eolOther' : `report.cat.${key}`;
    const intro = key === 'eol-php-os' || key === 'eol-other' ? 'report.intro.end-of-life' : `report.intro.${key}`;
    out.push({ key, heading, intro, findings: list });
  }
  return out;
}

// ---------------------------------------------------------------- the plan

export interface PlanItem {
  priority: 1 | 2 | 3;
  action: string;
  commands: string[];
  reviewBy?: string;
  findings: Finding[];
  worst: Severity;
  /** The one migration project: every priority-3 migration step of the end-of-life findings, merged. */
  migration?: boolean;
}

/** An end-of-life finding that calls for a migration: past its end (not merely near it), or an unmaintained program. */
export function isMigrationFinding(f: Finding): boolean {
  if (f.category === 'outdated-application') return true;
  if (f.category !== 'end-of-life') return false;
  const phase = f.evidence?.phase;
  return phase === undefined || phase === 'eol';
}

/**
 * The priority-3 steps of the end-of-life findings ("move to a supported OS", "update Apache to 2.4", "move to a
 * supported PHP line", "upgrade EC-CUBE") are one project, not several items: one plan item names its parts.
 */
function mergeMigration(items: PlanItem[], texts: Texts, doc: ReportDocument): PlanItem[] {
  const steps = items.filter((it) => it.priority === 3 && it.findings.length > 0 && it.findings.every(isMigrationFinding));
  if (steps.length < 2) return items;
  const findings = [...new Set(steps.flatMap((s) => s.findings))].sort(byWorst);
  const os = doc.inventory.os;
  const label = (f: Finding): string => {
    const product = typeof f.evidence?.product === 'string' ? f.evidence.product : '';
    if (os && os.family !== 'unknown' && (OS_NAMES.has(product) || product === os.family)) return `${displayName(os.family)} ${os.version}`;
    return f.component ? `${displayName(f.component.name)}${f.component.version ? ` ${f.component.version}` : ''}` : texts.title(f);
  };
  const parts = [...new Set(findings.map(label))];
  const merged: PlanItem = {
    priority: 3,
    action: texts.t('proposal.plan.migration', { parts: parts.join(', ') }),
    commands: [],
    findings,
    worst: findings[0]!.severity,
    migration: true,
  };
  return [...items.filter((it) => !steps.includes(it)), merged];
}

/** The maintenance plan: every remediation and step, merged by (priority, action), worst first within a priority. */
export function plan(doc: ReportDocument, texts: Texts): PlanItem[] {
  const items = new Map<string, PlanItem>();
  const add = (f: Finding, priority: 1 | 2 | 3, action: string, command?: string, reviewBy?: string) => {
    if (!action) return;
    const key = `${priority}\u0000${action}`;
    let it = items.get(key);
    if (!it) {
      it = { priority, action, commands: [], findings: [], worst: f.severity };
      items.set(key, it);
    }
    if (command && !it.commands.includes(command)) it.commands.push(command);
    if (reviewBy && (!it.reviewBy || reviewBy < it.reviewBy)) it.reviewBy = reviewBy;
    if (!it.findings.includes(f)) it.findings.push(f);
    if (severityRank(f.severity) > severityRank(it.worst)) it.worst = f.severity;
  };
  for (const f of [...doc.findings].sort(byWorst)) {
    const r = f.remediation;
    add(f, r.priority, texts.action(f), r.command, r.reviewBy);
    for (const s of r.steps ?? []) add(f, s.priority, s.action, s.command, s.reviewBy);
  }
  const bestRank = (it: PlanItem) => Math.min(...it.findings.map((f) => f.rank ?? Infinity));
  return mergeMigration(mergeUpdates([...items.values()], texts), texts, doc).sort(
    (a, b) => a.priority - b.priority || severityRank(b.worst) - severityRank(a.worst) || bestRank(a) - bestRank(b),
  );
}

/** `apt-get install --only-upgrade a`, `… b` → one item `apt-get install --only-upgrade a b` (same for yum/dnf/zypper/apk). */
const UPDATE_COMMAND = /^((?:sudo\s+)?(?:apt-get|apt|yum|dnf|zypper|apk)\s+(?:-\S+\s+)*(?:install|upgrade|update|up)(?:\s+-\S+)*)\s+([A-Za-z0-9][\w.+:@~-]*)$/;

function mergeUpdates(items: PlanItem[], texts: Texts): PlanItem[] {
  const byPrefix = new Map<string, { items: PlanItem[]; packages: string[] }>();
  const rest: PlanItem[] = [];
  for (const it of items) {
    const m = it.priority === 1 && it.commands.length === 1 && it.findings.every((f) => f.category === 'missing-security-update') ? UPDATE_COMMAND.exec(it.commands[0]!) : null;
    if (!m) {
      rest.push(it);
      continue;
    }
    const g = byPrefix.get(m[1]!) ?? { items: [], packages: [] };
    g.items.push(it);
    if (!g.packages.includes(m[2]!)) g.packages.push(m[2]!);
    byPrefix.set(m[1]!, g);
  }
  for (const [prefix, g] of byPrefix) {
    if (g.items.length < 2) {
      rest.push(...g.items);
      continue;
    }
    const findings = g.items.flatMap((i) => i.findings);
    const worst = findings.reduce<Severity>((w, f) => (severityRank(f.severity) > severityRank(w) ? f.severity : w), 'info');
    rest.push({ priority: 1, action: texts.t('report.plan.mergedUpdates', { count: g.packages.length }), commands: [`${prefix} ${g.packages.join(' ')}`], findings, worst });
  }
  return rest;
}

/** The three things to do first: the plan items that address the worst findings, the quickest kind first, three different problems. */
export function firstThree(items: readonly PlanItem[]): PlanItem[] {
  const bestRank = (it: PlanItem) => Math.min(...it.findings.map((f) => f.rank ?? Infinity));
  const sorted = [...items].sort((a, b) => severityRank(b.worst) - severityRank(a.worst) || a.priority - b.priority || bestRank(a) - bestRank(b));
  // Three different problems: an item whose findings are all addressed by an earlier pick is skipped.
  const picked: PlanItem[] = [];
  const covered = new Set<Finding>();
  for (const it of sorted) {
    if (picked.length === 3) break;
    if (it.findings.every((f) => covered.has(f))) continue;
    picked.push(it);
    for (const f of it.findings) covered.add(f);
  }
  return picked;
}

// ---------------------------------------------------------------- CVE rows

export interface CveRow {
  component: string;
  version?: string;
  id: string;
  cvss?: number;
  cvssVersion?: string;
  cvssVector?: string;
  kev: boolean;
  epss?: number;
  fixedIn?: string;
  summary?: string;
  /** JVN iPedia's Japanese title, where the knowledge DB held it at scan time. */
  jvnTitle?: string;
  severity: Severity;
  distroBuild: boolean;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** CVSS as the assessment may give it: a number, {score|baseScore, version}, or a list of those (newest version wins). */
export interface Cvss {
  score: number;
  version?: string;
  vector?: string;
}

export function cvssOf(v: unknown): Cvss | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return { score: v };
  if (isRec(v)) {
    const score = typeof v.score === 'number' ? v.score : typeof v.baseScore === 'number' ? v.baseScore : undefined;
    const vector = typeof v.vector === 'string' ? v.vector : typeof v.vectorString === 'string' ? v.vectorString : undefined;
    const version = typeof v.version === 'string' ? v.version : vector ? /^CVSS:(\d\.\d)/.exec(vector)?.[1] : undefined;
    return score === undefined || !Number.isFinite(score) ? undefined : { score, version, vector };
  }
  if (Array.isArray(v)) {
    const all = v.map(cvssOf).filter((x): x is Cvss => x !== undefined);
    all.sort((a, b) => (b.version ?? '').localeCompare(a.version ?? '') || b.score - a.score);
    return all[0];
  }
  return undefined;
}

const isSeverity = (v: unknown): v is Severity => typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined);

function detailFrom(id: string, e: Rec, f: Finding): Omit<CveRow, 'component' | 'version' | 'distroBuild'> {
  const cv = cvssOf(e.cvss ?? e.cvssV3 ?? e.cvss3 ?? e.score);
  const kevRaw = e.kev ?? e.knownExploited;
  const kev = kevRaw === true || isRec(kevRaw) || (Array.isArray(kevRaw) && kevRaw.includes(id));
  return {
    id,
    cvss: cv?.score,
    cvssVersion: cv?.version,
    cvssVector: cv?.vector,
    kev,
    epss: typeof e.epss === 'number' ? e.epss : isRec(e.epss) && typeof e.epss.epss === 'number' ? e.epss.epss : undefined,
    fixedIn: str(e.fixedIn ?? e.fixedVersion ?? e.fixed),
    summary: str(e.summary ?? e.description ?? e.title),
    jvnTitle: str(e.jvnTitle),
    severity: f.severity,
  };
}

/** Every CVE of every finding, one row per (component version, CVE), for the appendix. */
export function cveRows(doc: ReportDocument): CveRow[] {
  const rows = new Map<string, CveRow>();
  for (const f of doc.findings) {
    const ev: Rec = isRec(f.evidence) ? f.evidence : {};
    const component = f.component?.name ?? f.location ?? '';
    const version = f.component?.version;
    const distroBuild = ev.distroBuild === true;
    const details: Omit<CveRow, 'component' | 'version' | 'distroBuild'>[] = [];
    // Per-CVE lines (the assessment writes evidence.cves: CveEvidence[]); lists of plain ids are skipped here.
    // A known-exploited finding carries its one CVE as evidence.cve (with its CVSS).
    for (const list of [ev.cves, ev.advisories, ev.cveDetails, ev.vulnerabilities, isRec(ev.cve) ? [ev.cve] : undefined]) {
      if (!Array.isArray(list)) continue;
      for (const a of list) {
        if (!isRec(a)) continue;
        const id = str(a.id ?? a.cve);
        if (id && /^CVE-/i.test(id) && !details.some((d) => d.id === id)) details.push({ ...detailFrom(id, a, f), ...(isSeverity(a.severity) ? { severity: a.severity } : {}) });
      }
    }
    const cves = f.cves ?? [];
    for (const id of cves) {
      if (details.some((d) => d.id === id)) continue;
      details.push(cves.length === 1 ? detailFrom(id, ev, f) : { id, kev: Array.isArray(ev.kev) && ev.kev.includes(id), severity: f.severity });
    }
    for (const d of details) {
      const key = `${component}\u0000${version ?? ''}\u0000${d.id}`;
      const prev = rows.get(key);
      if (!prev || severityRank(d.severity) > severityRank(prev.severity)) rows.set(key, { component, version, distroBuild, ...d, cvss: d.cvss ?? prev?.cvss, cvssVersion: d.cvss === undefined ? prev?.cvssVersion : d.cvssVersion, summary: d.summary ?? prev?.summary, jvnTitle: d.jvnTitle ?? prev?.jvnTitle });
      else if (prev.cvss === undefined && d.cvss !== undefined) rows.set(key, { ...prev, cvss: d.cvss, cvssVersion: d.cvssVersion, cvssVector: d.cvssVector, summary: prev.summary ?? d.summary, jvnTitle: prev.jvnTitle ?? d.jvnTitle });
    }
  }
  return [...rows.values()].sort(
    (a, b) =>
      a.component.localeCompare(b.component) ||
      (a.version ?? '').localeCompare(b.version ?? '') ||
      Number(b.kev) - Number(a.kev) ||
      (b.cvss ?? -1) - (a.cvss ?? -1) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      compareCveIds(a.id, b.id),
  );
}

/** CVE-2012-1823 before CVE-2012-10000: by year, then number. */
export function compareCveIds(a: string, b: string): number {
  const pa = /^CVE-(\d+)-(\d+)$/i.exec(a);
  const pb = /^CVE-(\d+)-(\d+)$/i.exec(b);
  if (!pa || !pb) return a.localeCompare(b);
  return Number(pa[1]) - Number(pb[1]) || Number(pa[2]) - Number(pb[2]);
}

export interface CveGroup {
  component: string;
  version?: string;
  rows: CveRow[];
  kev: number;
  maxCvss?: number;
  distroBuild: boolean;
}

export function groupCves(rows: readonly CveRow[]): CveGroup[] {
  const groups = new Map<string, CveGroup>();
  for (const r of rows) {
    const key = `${r.component}\u0000${r.version ?? ''}`;
    let g = groups.get(key);
    if (!g) {
      g = { component: r.component, version: r.version, rows: [], kev: 0, distroBuild: false };
      groups.set(key, g);
    }
    g.rows.push(r);
    if (r.kev) g.kev++;
    if (r.cvss !== undefined && (g.maxCvss === undefined || r.cvss > g.maxCvss)) g.maxCvss = r.cvss;
    if (r.distroBuild) g.distroBuild = true;
  }
  return [...groups.values()];
}

// ---------------------------------------------------------------- the whole view

/** Everything a front end shows of one report in one language, computed once. */
export interface ReportView {
  lang: Lang;
  texts: Texts;
  level: Level;
  /** The plan, in order, and the three things to do first. */
  plan: PlanItem[];
  first: PlanItem[];
  /** Findings grouped in the order an owner should read them. */
  sections: Section[];
  /** One row per (component version, CVE), and the rows grouped per component version. */
  cves: CveRow[];
  cveGroups: CveGroup[];
}

export function reportView(doc: ReportDocument, lang: Lang): ReportView {
  const texts = makeTexts(doc, lang);
  const items = plan(doc, texts);
  const cves = cveRows(doc);
  return { lang, texts, level: overallLevel(doc), plan: items, first: firstThree(items), sections: sections(doc), cves, cveGroups: groupCves(cves) };
}
