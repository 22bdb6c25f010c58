/**
 * The terminal table: findings grouped by priority (severity, in rank order), each with the first thing to
 * do and its command; then support phases, gaps, exceptions and baseline changes. Fits `columns`
 * (East Asian wide characters count 2), colours only when asked (the CLI passes color=false for NO_COLOR
 * or a non-terminal).
 */
import { makeTexts, type Texts } from '../core/document/view.js';
import { updateCommand } from '../core/assess/update-command.js';
import { SEVERITIES, UPDATE_TOOLS, type Finding, type LifecycleEntry, type ReportDocument, type Severity, type SupportPhase, type UpdateTool } from '../core/model.js';
import type { RenderOptions } from './index.js';
import { snapshotLine } from './snapshot-line.js';

const SEV_COLOR: Record<Severity, string> = { critical: '1;31', high: '31', medium: '33', low: '36', info: '2' };
const PHASE_COLOR: Record<SupportPhase, string> = { active: '32', security: '33', eol: '31', unknown: '2' };
const PHASE_DOT: Record<SupportPhase, string> = { active: '●', security: '●', eol: '●', unknown: '○' };

/** Display width of one code point: 2 for East Asian wide/fullwidth, 0 for combining marks and controls. */
export function charWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

const ANSI = /\x1b\[[0-9;]*m/g;

export function strWidth(s: string): number {
  let w = 0;
  for (const ch of s.replace(ANSI, '')) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** Wrap to `width` columns: at spaces for Latin text, between any two wide characters for Japanese. */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(8, width);
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    let lineW = 0;
    // Tokens: a run of non-space narrow characters (a word), a single wide character, or spaces.
    const tokens = para.match(/[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\s+|[^\s\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+/gu) ?? [];
    for (let tok of tokens) {
      if (/^\s+$/.test(tok)) {
        if (lineW > 0 && lineW < w) {
          line += ' ';
          lineW += 1;
        }
        continue;
      }
      let tw = strWidth(tok);
      if (lineW + tw > w && lineW > 0) {
        lines.push(line.trimEnd());
        line = '';
        lineW = 0;
      }
      // A word longer than the line (a URL, a command): cut it.
      while (tw > w) {
        let cut = '';
        let cw = 0;
        for (const ch of tok) {
          const c = charWidth(ch.codePointAt(0)!);
          if (cw + c > w) break;
          cut += ch;
          cw += c;
        }
        lines.push(cut);
        tok = tok.slice(cut.length);
        tw = strWidth(tok);
      }
      line += tok;
      lineW += tw;
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

export const renderTable = async (doc: ReportDocument, opts: RenderOptions): Promise<string> => renderTableSync(doc, opts);

export function renderTableSync(doc: ReportDocument, opts: RenderOptions): string {
  const lang = opts.lang;
  const x = makeTexts(doc, lang);
  const t = x.t;
  // 80 columns unless the terminal says otherwise (a pipe, a file, a CI log).
  const cols = Math.max(40, Math.min(opts.columns ?? 80, 200));
  const paint = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const out: string[] = [];
  const s = doc.summary;
  const total = doc.findings.length;
  for (const l of wrap(t('assess.table.summary', { target: doc.target.name, total, critical: s.critical, high: s.high, medium: s.medium, low: s.low, info: s.info }), cols)) out.push(paint('1', l));
  if (doc.knowledge.snapshot) out.push(...wrap(snapshotLine(doc.knowledge.snapshot, t), cols).map((l) => paint('2', l)));
  out.push('');
  if (total === 0) out.push(t('assess.table.none'), '');
  const ordered = [...doc.findings].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9));
  const rankW = String(total).length;
  const indent = rankW + 2;
  const bodyW = cols - indent;
  for (const sev of SEVERITIES) {
    const group = ordered.filter((f) => f.severity === sev);
    if (!group.length) continue;
    out.push(paint(SEV_COLOR[sev], `■ ${t('assess.table.group', { severity: t(`assess.sev.${sev}`), count: group.length })}`));
    for (const f of group) out.push(...findingRows(f, rankW, bodyW, indent, x, paint));
    out.push('');
  }
  out.push(...updatesSection(doc.findings, cols, t, paint));
  out.push(...lagSection(doc, cols, t, paint));
  if (doc.lifecycle?.length) {
    out.push(paint('1', t('assess.table.lifecycle')));
    for (const e of doc.lifecycle) out.push(...lifecycleRow(e, cols, t, paint));
    out.push('');
  }
  if (doc.gaps.length) {
    out.push(paint('1', t('assess.table.gaps', { count: doc.gaps.length })));
    for (const g of doc.gaps.map((gap) => x.gap(gap))) {
      const lines = wrap(`${g.what}: ${g.why}`, cols - 4);
      out.push(`  - ${lines[0] ?? ''}`, ...lines.slice(1).map((l) => `    ${l}`));
    }
    out.push('');
  }
  if (doc.suppressed?.length) out.push(t('assess.table.suppressed', { count: doc.suppressed.length }));
  if (doc.resolved) {
    out.push(t('assess.table.resolved', { count: doc.resolved.length }));
    for (const r of doc.resolved) out.push(...wrap(`  ✓ ${r.id} ${r.title}`, cols));
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

function findingRows(
  f: Finding,
  rankW: number,
  bodyW: number,
  indent: number,
  x: Texts,
  paint: (c: string, s: string) => string,
): string[] {
  const t = x.t;
  const pad = ' '.repeat(indent);
  const rank = String(f.rank ?? '').padStart(rankW);
  const tag = f.baseline === 'new' ? `[${t('assess.table.new')}] ` : '';
  const head = wrap(`${tag}${x.title(f)}`, bodyW);
  const rows = [`${rank}  ${paint(SEV_COLOR[f.severity], head[0] ?? '')}`, ...head.slice(1).map((l) => `${pad}${paint(SEV_COLOR[f.severity], l)}`)];
  const meta: string[] = [f.category];
  if (f.location && f.location !== f.component?.name) meta.push(f.location);
  if (f.cves?.length) meta.push(f.cves.length > 4 ? `${f.cves.slice(0, 4).join(' ')} +${f.cves.length - 4}` : f.cves.join(' '));
  meta.push(f.id);
  rows.push(...wrap(meta.join(' · '), bodyW).map((l) => `${pad}${paint('2', l)}`));
  const action = wrap(`→ ${x.action(f)}`, bodyW);
  rows.push(...action.map((l) => `${pad}${l}`));
  // Package updates are printed once per package manager below the findings (updatesSection).
  if (f.remediation.command && !isPackageUpdate(f)) rows.push(...commandLines(f.remediation.command, bodyW).map((l) => `${pad}${paint('1', l)}`));
  return rows;
}

function lifecycleRow(e: LifecycleEntry, cols: number, t: (c: string, p?: Record<string, string | number>) => string, paint: (c: string, s: string) => string): string[] {
  const v = e.cycle ?? e.version;
  const name = v && !e.component.includes(v) ? `${e.component} ${v}` : e.component;
  const parts = [t(`assess.phase.${e.phase}`)];
  if (e.securitySupportEnd) parts.push(e.securitySupportEnd);
  if (e.daysLeft !== undefined) parts.push(e.daysLeft >= 0 ? t('assess.table.daysLeft', { days: e.daysLeft }) : t('assess.table.daysAgo', { days: -e.daysLeft }));
  if (e.reason) parts.push(e.reason);
  const lines = wrap(`${name}: ${parts.join(' · ')}`, cols - 4);
  return [`  ${paint(PHASE_COLOR[e.phase], PHASE_DOT[e.phase])} ${lines[0] ?? ''}`, ...lines.slice(1).map((l) => `    ${l}`)];
}

const isPackageUpdate = (f: Finding): boolean => Boolean(f.remediation.update?.tool && f.remediation.update.packages.length);

/**
 * A command over several lines that still pastes into a shell as one: broken at spaces with a trailing ` \`,
 * continuation lines indented; a single word longer than the line is left whole (never cut inside a word).
 */
export function commandLines(command: string, width: number): string[] {
  const words = `$ ${command}`.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const next = line ? `${line} ${w}` : w;
    // Room for the " \" that ends a continued line.
    if (line && strWidth(next) > width - 2) {
      lines.push(`${line} \\`);
      line = `    ${w}`;
    } else line = next;
  }
  lines.push(line);
  return lines;
}

/** One line per package manager: every package of every security update once, in one copy-paste-safe command. */
function updatesSection(findings: readonly Finding[], cols: number, t: Texts['t'], paint: (c: string, s: string) => string): string[] {
  const byTool = new Map<UpdateTool, { packages: Set<string>; advisories: Set<string>; findings: number }>();
  for (const f of findings) {
    if (!isPackageUpdate(f)) continue;
    const u = f.remediation.update!;
    const e = byTool.get(u.tool!) ?? { packages: new Set<string>(), advisories: new Set<string>(), findings: 0 };
    u.packages.forEach((p) => e.packages.add(p.name));
    u.advisories.forEach((a) => e.advisories.add(a));
    e.findings++;
    byTool.set(u.tool!, e);
  }
  if (!byTool.size) return [];
  const packages = [...byTool.values()].reduce((n, e) => n + e.packages.size, 0);
  const count = [...byTool.values()].reduce((n, e) => n + e.findings, 0);
  const out = wrap(t('table.updates.title', { packages, findings: t(count === 1 ? 'ux.finding.one' : 'ux.finding.other', { count }) }), cols).map((l) => paint('1', l));
  for (const tool of UPDATE_TOOLS) {
    const e = byTool.get(tool);
    if (!e) continue;
    const cmd = updateCommand(tool, [...e.packages].map((name) => ({ name })), [...e.advisories]);
    out.push(...commandLines(cmd, cols - 2).map((l) => `  ${l}`));
  }
  out.push('');
  return out;
}

/** The patch lag: the policy, how many fixes are past it or undated, and the longest-waiting fixes first. */
function lagSection(doc: ReportDocument, cols: number, t: Texts['t'], paint: (c: string, s: string) => string): string[] {
  const lag = doc.patchLag;
  if (!lag || !lag.entries.length) return [];
  const shown = new Set(doc.findings.map((f) => f.id));
  const entries = lag.entries.filter((e) => shown.has(e.finding));
  if (!entries.length) return [];
  const p = lag.policy;
  const out = wrap(t('table.lag.title', { critical: p.critical, high: p.high, medium: p.medium, low: p.low }), cols).map((l) => paint('1', l));
  const overdue = entries.filter((e) => e.status === 'overdue').length;
  const unknown = entries.filter((e) => e.status === 'unknown').length;
  const known = entries.filter((e) => e.days !== undefined).map((e) => e.days!);
  out.push(...wrap(t('table.lag.summary', { overdue, unknown, max: known.length ? Math.max(...known) : '-' }), cols - 2).map((l) => `  ${l}`));
  const limit = 10;
  for (const e of entries.slice(0, limit)) {
    const packages = e.packages.length > 3 ? `${e.packages.slice(0, 3).join(' ')} +${e.packages.length - 3}` : e.packages.join(' ');
    const text = e.days === undefined ? t('table.lag.unknownEntry', { severity: t(`assess.sev.${e.severity}`), packages }) : t('table.lag.entry', { days: e.days, limit: e.limit, severity: t(`assess.sev.${e.severity}`), packages });
    const mark = e.status === 'overdue' ? paint('31', '!') : e.status === 'unknown' ? '?' : ' ';
    const lines = wrap(text, cols - 4);
    out.push(`  ${mark} ${lines[0] ?? ''}`, ...lines.slice(1).map((l) => `    ${l}`));
  }
  if (entries.length > limit) out.push(`    … +${entries.length - limit}`);
  out.push('');
  return out;
}
