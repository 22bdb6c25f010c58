/** The append-only audit log: who changed what, when. */
import { get, list } from '../api.js';
import { go, type Route } from '../app.js';
import { h, replace } from '../dom.js';
import { fmtDateTime, t } from '../i18n/index.js';
import type { AuditEntry, Page, Tenant } from '../types.js';
import { field, pager, section, select, table } from '../ui.js';

export async function renderAudit(main: HTMLElement, route: Route): Promise<void> {
  const tenant = route.query.get('tenant') ?? '';
  const page = Number(route.query.get('page') ?? '1') || 1;
  const [tenants, res] = await Promise.all([list<Tenant>('/api/tenants'), get<Page<AuditEntry>>('/api/audit', { tenant, page })]);
  const tenantName = new Map(tenants.map((x) => [x.id, x.name]));
  const pick = select('tenant', [['', t('common.allTenants')], ...tenants.map((x) => [x.id, x.name] as const)], tenant);
  pick.addEventListener('change', () => go('/audit', { tenant: pick.value }));
  replace(
    main,
    h('h1', null, t('audit.title')),
    h('div', { class: 'toolbar' }, field(t('common.tenant'), pick)),
    section(
      t('audit.entries', { n: res.total }),
      table(res.items, [
        { head: t('audit.at'), cell: (x) => fmtDateTime(x.at) },
        { head: t('audit.actor'), cell: (x) => x.actorUserId ?? (x.actorTokenId ? `token ${x.actorTokenId}` : t('audit.system')) },
        { head: t('audit.action'), cell: (x) => h('code', null, x.action) },
        { head: t('audit.object'), cell: (x) => `${x.objectType}${x.objectId ? ` ${x.objectId}` : ''}` },
        { head: t('common.tenant'), cell: (x) => (x.tenantId ? (tenantName.get(x.tenantId) ?? x.tenantId) : '—') },
        { head: t('audit.detail'), cell: (x) => (Object.keys(x.detail ?? {}).length ? h('code', { class: 'small' }, JSON.stringify(x.detail)) : '') },
      ], { testid: 'audit', empty: t('common.none') }),
      pager(res.page, res.pageSize, res.total, (p) => go('/audit', { tenant, page: p })),
    ),
  );
}
