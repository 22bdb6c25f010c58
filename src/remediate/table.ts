/** The patch plan as a readable table for the terminal (and a maintenance ticket): per host, the numbered steps. */
import { messages } from '../core/messages/index.js';
import type { Lang } from '../core/model.js';
import { wrap } from '../report/table.js';
import type { PatchPlan, PlanStep } from './plan.js';

export function renderPlanTable(plan: PatchPlan, opts: { lang: Lang; columns?: number }): string {
  const t = (code: string, params?: Record<string, string | number>) => messages.t(opts.lang, code, params);
  const cols = Math.max(60, Math.min(opts.columns ?? 100, 140));
  const out: string[] = [];
  const para = (text: string, indent: string) => wrap(text, cols - indent.length).forEach((l) => out.push(`${indent}${l}`));
  const policy = Object.entries(plan.policy.days)
    .filter(([s]) => s !== 'info')
    .map(([s, d]) => `${s}=${d}`)
    .join(',');
  for (const h of plan.hosts) {
    out.push(t('patch.table.title', { target: h.target, scannedAt: h.scannedAt }));
    if (h.os) out.push(t('patch.table.os', { os: `${h.os.name} ${h.os.version}`.trim() }));
    out.push('');
    if (!h.steps.length) para(t('patch.table.noSteps'), '  ');
    for (const s of h.steps) renderStep(s, t, para, out);
    if (h.steps.some((s) => s.kind === 'defence' || s.kind === 'migration')) para(t('patch.table.never'), '  ');
    if (h.held.length) para(t('patch.table.held', { packages: h.held.join(', ') }), '  ');
    if (h.healthChecks.length) para(t('patch.table.health', { checks: h.healthChecks.map((c) => (c.kind === 'http' ? c.url : `tcp/${c.port}`)).join(', ') }), '  ');
    if (h.lag.length) {
      out.push('');
      out.push(`  ${t('patch.table.lag', { policy })}`);
      for (const l of h.lag) {
        const days = l.days !== undefined ? t('patch.table.lagDays', { publishedAt: l.publishedAt!, days: l.days }) : t('patch.table.lagUnknown');
        para(t('patch.table.lagLine', { status: t(`patch.lag.${l.status}`), packages: l.packages.join(' '), days, limit: l.limit, severity: l.severity }), '    ');
      }
    }
    for (const n of h.notPlanned) para(t('patch.table.notPlanned', { title: n.title, reason: n.reason }), '  ');
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

function renderStep(s: PlanStep, t: (c: string, p?: Record<string, string | number>) => string, para: (text: string, indent: string) => void, out: string[]): void {
  out.push(`  ${s.order}. ${t(`patch.kind.${s.kind}`)}${s.fixes.length ? ` — ${t('patch.table.fixes', { count: s.fixes.length })}` : ''}`);
  if (s.command) para(`$ ${s.command}`, '     ');
  for (const p of s.packages) out.push(`     ${p.name} ${p.from ?? '?'} → ${p.to ?? '?'}`);
  if (s.advisories.length) para(s.advisories.join(' '), '     ');
  if (s.cves.length) para(t('patch.table.cves', { cves: s.cves.slice(0, 12).join(' ') + (s.cves.length > 12 ? ` … (+${s.cves.length - 12})` : '') }), '     ');
  if (s.defence) {
    for (const sn of s.defence.snippets) {
      out.push(`     [${sn.server}${sn.module ? ` ${sn.module}` : ''}]`);
      for (const line of sn.text.split('\n')) out.push(`       ${line}`);
    }
    para(t('patch.table.defenceSideEffects', { text: t(s.defence.sideEffects) }), '     ');
    para(t('patch.table.defenceCheck', { text: t(s.defence.check.describe) }), '     ');
    para(t('patch.table.defenceSource', { source: s.defence.source, reviewBy: s.defence.reviewBy }), '     ');
    if (s.defence.reviewOverdue) para(t('patch.table.defenceOverdue', { reviewBy: s.defence.reviewBy }), '     ');
  } else if (s.kind === 'migration' && s.action) para(s.action, '     ');
  out.push('');
}
