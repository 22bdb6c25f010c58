/** Accepted risk: reason, owner, expiry and scope (tenant, target, finding, CVE); list, revoke; VEX export. */
import { api, get, list } from '../api.js';
import { canWrite, go, type Route } from '../app.js';
import { h, replace } from '../dom.js';
import { fmtDate, t } from '../i18n/index.js';
import type { Page, RiskException, Target, Tenant, TargetWithScan } from '../types.js';
import { download, field, formStatus, section, select, table } from '../ui.js';

export async function renderExceptions(main: HTMLElement, route: Route): Promise<void> {
  const q = route.query;
  const tenantId = q.get('tenant') ?? '';
  const tenants = await list<Tenant>('/api/tenants');
  const [items, targets] = await Promise.all([
    list<RiskException>('/api/exceptions', { tenant: tenantId, includeExpired: 'true' }),
    tenantId ? get<Page<TargetWithScan>>('/api/targets', { tenant: tenantId, pageSize: 200 }) : Promise.resolve(undefined),
  ]);
  
  const targetName = new Map((targets?.items ?? []).map((x: Target) => [x.id, x.name]));
  const tenantName = new Map(tenants.map((x) => [x.id, x.name]));
  const now = Date.now();
  const state = (x: RiskException): string => (x.revokedAt ? 'revoked' : Date.parse(x.expiresAt) <= now ? 'expired' : 'active');

  const tenantSel = select('tenant', [['', t('common.choose')], ...tenants.map((x) => [x.id, x.name] as const)], tenantId);
  tenantSel.required = true;
  tenantSel.addEventListener('change', () => go('/exceptions', { tenant: tenantSel.value }));
  const targetSel = select('target', [['', t('exceptions.allTargets')], ...(targets?.items ?? []).map((x) => [x.id, x.name] as const)], q.get('target') ?? '');
  const finding = h('input', { type: 'text', name: 'findingId', value: q.get('finding') ?? '' });
  const cve = h('input', { type: 'text', name: 'cve', value: q.get('cve') ?? '', placeholder: 'CVE-2024-…' });
  const reason = h('textarea', { name: 'reason', rows: 2, required: true });
  const owner = h('input', { type: 'text', name: 'owner', required: true });
  const inNinety = new Date(now + 90 * 86_400_000).toISOString().slice(0, 10);
  const expires = h('input', { type: 'date', name: 'expiresAt', required: true, value: inNinety, min: new Date(now + 86_400_000).toISOString().slice(0, 10) });
  const status = formStatus();
  const form = h(
    'form',
    { class: 'card', 'data-testid': 'exception-form' },
    h('h2', null, t('exceptions.add')),
    h('p', { class: 'hint' }, t('exceptions.help')),
    field(t('common.tenant'), tenantSel),
    field(t('common.target'), targetSel),
    field(t('exceptions.finding'), finding),
    field('CVE', cve),
    field(t('exceptions.reason'), reason),
    field(t('exceptions.owner'), owner),
    field(t('exceptions.expires'), expires),
    status.el,
    h('button', { type: 'submit', class: 'btn primary' }, t('exceptions.submit')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!finding.value.trim() && !cve.value.trim() && !targetSel.value) {
      status.error(new Error(t('exceptions.needScope')));
      return;
    }
    const body = {
      tenantId: tenantSel.value, targetId: targetSel.value || null, findingId: finding.value.trim() || null, cve: cve.value.trim() || null,
      reason: reason.value.trim(), owner: owner.value.trim(), expiresAt: new Date(`${expires.value}T23:59:59Z`).toISOString(),
    };
    api<RiskException>('POST', '/api/exceptions', body)
      .then(() => go('/exceptions', { tenant: tenantSel.value }))
      .catch((err: unknown) => status.error(err));
  });
  const listStatus = formStatus();
  replace(
    main,
    h('h1', null, t('exceptions.title')),
    canWrite() ? form : null,
    section(
      t('exceptions.list'),
      h('div', { class: 'actions' }, tenantId ? download(`/api/exceptions/vex?tenant=${encodeURIComponent(tenantId)}`, t('exceptions.vex')) : h('span', { class: 'hint' }, t('exceptions.vexPick'))),
      listStatus.el,
      table(items, [
        { head: t('common.tenant'), cell: (x) => tenantName.get(x.tenantId) ?? x.tenantId },
        { head: t('exceptions.scope'), cell: (x) => [x.targetId ? `${t('common.target')}: ${targetName.get(x.targetId) ?? x.targetId}` : t('exceptions.allTargets'), x.findingId ? h('div', { class: 'small' }, x.findingId) : null, x.cve ? h('div', { class: 'small' }, x.cve) : null] },
        { head: t('exceptions.reason'), cell: (x) => x.reason },
        { head: t('exceptions.owner'), cell: (x) => x.owner },
        { head: t('exceptions.expires'), cell: (x) => fmtDate(x.expiresAt) },
        { head: t('common.status'), cell: (x) => h('span', { class: `badge ex-${state(x)}` }, t(`exceptions.state.${state(x)}` as 'exceptions.state.active')) },
        {
          head: t('common.actions'),
          cell: (x) =>
            canWrite() && state(x) === 'active'
              ? h('button', { type: 'button', class: 'btn small', onclick: () => void api('DELETE', `/api/exceptions/${encodeURIComponent(x.id)}`).then(() => go('/exceptions', { tenant: tenantId })).catch((err: unknown) => listStatus.error(err)) }, t('exceptions.revoke'))
              : '',
        },
      ], { testid: 'exceptions', empty: t('exceptions.none') }),
    ),
  );
}
