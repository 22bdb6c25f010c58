/**
 * A host's patch plan (GET /api/targets/:id/patch-plan, made from its latest scan): the updates, restarts, reboot,
 * temporary defences and migrations in order, with the patch lag; an operator approves it for a maintenance
 * window (POST /api/patch-plans) and follows the approved plans' outcome (GET /api/patch-plans?target=).
 */
import { api, ApiError, get, list } from '../api.js';
import { canWrite, go } from '../app.js';
import { h } from '../dom.js';
import { fmtDateTime, t, type Key } from '../i18n/index.js';
import type { Target } from '../types.js';
import { errorText, field, formStatus, notice, section, table } from '../ui.js';

interface Step {
  order: number;
  kind: 'update' | 'restart' | 'reboot' | 'defence' | 'migration';
  command?: string;
  packages: { name: string; from?: string; to?: string }[];
  fixes: string[];
  cves: string[];
  services?: string[];
}
interface PlanAnswer {
  scanId: string;
  scannedAt: string;
  maintenanceWindow: string | null;
  plan: { steps: Step[]; notPlanned: { id: string; title: string; reason: string }[] };
}
interface Approved {
  id: string;
  window: { start: string; end: string };
  approvedAt: string;
  status: string;
  result?: { status: string; reason?: string };
}

const localInput = (d: Date): string => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export async function patchSection(target: Target): Promise<HTMLElement> {
  const enc = encodeURIComponent(target.id);
  let plan: PlanAnswer;
  try {
    plan = await get<PlanAnswer>(`/api/targets/${enc}/patch-plan`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) return section(t('patch.title'), notice(err.message));
    return section(t('patch.title'), h('p', { class: 'error' }, errorText(err)));
  }
  const approved = await list<Approved>('/api/patch-plans', { target: target.id }).catch(() => [] as Approved[]);
  const steps = plan.plan.steps;
  const start = h('input', { type: 'datetime-local', name: 'start', required: true, value: localInput(new Date(Date.now() + 3600_000)) });
  const end = h('input', { type: 'datetime-local', name: 'end', required: true, value: localInput(new Date(Date.now() + 3 * 3600_000)) });
  const status = formStatus();
  const runnable = steps.some((s) => s.kind === 'update' || s.kind === 'restart');
  const form = h('form', { class: 'filters', 'data-testid': 'patch-approve' }, field(t('patch.start'), start), field(t('patch.end'), end), h('button', { type: 'submit', class: 'btn primary' }, t('patch.approve')), status.el);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    api('POST', '/api/patch-plans', { targetId: target.id, window: { start: new Date(start.value).toISOString(), end: new Date(end.value).toISOString() } })
      .then(() => go(`/targets/${enc}`))
      .catch((err: unknown) => status.error(err));
  });
  return section(
    t('patch.title'),
    h('p', { class: 'hint' }, t('patch.help', { when: fmtDateTime(plan.scannedAt) })),
    table(steps, [
      { head: '#', cell: (s) => String(s.order), class: 'num' },
      { head: t('patch.kind'), cell: (s) => h('span', { class: `badge step-${s.kind}` }, t(`patch.kind.${s.kind}` as Key)) },
      { head: t('common.package'), cell: (s) => s.packages.map((p) => h('div', null, p.name, p.from || p.to ? ` ${p.from ?? '?'} → ${p.to ?? '?'}` : '')) },
      { head: t('patch.command'), cell: (s) => (s.command ? h('code', null, s.command) : (s.services ?? []).join(', ')) },
      { head: t('patch.fixes'), cell: (s) => String(s.fixes.length), class: 'num' },
    ], { testid: 'patch-steps', empty: t('patch.nothing') }),
    plan.plan.notPlanned.length ? h('details', null, h('summary', null, t('patch.notPlanned', { n: plan.plan.notPlanned.length })), h('ul', null, plan.plan.notPlanned.map((x) => h('li', null, `${x.title}: ${x.reason}`)))) : null,
    canWrite() && runnable ? form : null,
    approved.length
      ? table(approved, [
          { head: t('patch.window'), cell: (a) => `${fmtDateTime(a.window.start)} – ${fmtDateTime(a.window.end)}` },
          { head: t('patch.approvedAt'), cell: (a) => fmtDateTime(a.approvedAt) },
          { head: t('common.status'), cell: (a) => [a.status, a.result?.reason ? h('div', { class: 'small' }, a.result.reason) : null] },
        ], { testid: 'patch-approved' })
      : null,
  );
}
