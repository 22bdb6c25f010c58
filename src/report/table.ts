/**
 * The terminal table: findings grouped by priority (severity, in rank order), each with the first thing to
 * do and its command; then support phases, gaps, exceptions and baseline changes. Fits `columns`
 * (East Asian wide characters count 2), colours only when asked (the CLI passes color=false for NO_COLOR
 * or a non-terminal).
 */
import { makeTexts, type Texts } from '../core/document/view.js';
import { SEVERITIES, type Finding, type LifecycleEntry, type ReportDocument, type Severity, type SupportPhase } from '../core/model.js';
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
  const cols = Math.max(40, Math.min(opts.columns ?? 100, 200));
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
  const all = combinedUpdate(doc.findings);
  if (all) {
    out.push(paint('1', t('assess.table.allUpdates')));
    out.push(...wrap(`$ ${all}`, cols - 2).map((l) => `  ${l}`), '');
  }
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
  if (f.remediation.command) rows.push(...wrap(`$ ${f.remediation.command}`, bodyW).map((l) => `${pad}${paint('1', l)}`));
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

/** One command applying every missing security update of the same package manager (presentation only). */
export function combinedUpdate(findings: readonly Finding[]): string | undefined {
  const forms: [RegExp, (pk: string[]) => string][] = [
    [/^(?:apt-get update && )?apt-get install --only-upgrade (.+)$/, (pk) => `apt-get update && apt-get install --only-upgrade ${pk.join(' ')}`],
    [/^yum update (.+)$/, (pk) => `yum update ${pk.join(' ')}`],
    [/^(?:apk update && )?apk upgrade (.+)$/, (pk) => `apk update && apk upgrade ${pk.join(' ')}`],
    [/^dnf upgrade (?!--advisory)(.+)$/, (pk) => `dnf upgrade ${pk.join(' ')}`],
  ];
  for (const [re, build] of forms) {
    const pk = new Set<string>();
    let n = 0;
    for (const f of findings) {
      if (f.category !== 'missing-security-update' || !f.remediation.command) continue;
      const m = re.exec(f.remediation.command);
      if (!m) continue;
      n++;
      for (const p of m[1]!.split(/\s+/)) if (p) pk.add(p);
    }
    if (n >= 2) return build([...pk].sort());
  }
  return undefined;
}
