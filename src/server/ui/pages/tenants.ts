/** Tenants (client companies) and the targets of one: list, filters, search, pages; add a host over SSH or a site. */
import { api, get, list } from '../api.js';
import { canWrite, go, hasRoute, isAdmin, type Route } from '../app.js';
import { h, replace } from '../dom.js';
import { currentLang, fmtDate, fmtDateTime, t, type Key } from '../i18n/index.js';
import type { Page, ReportRecord, Target, Tenant, TargetWithScan } from '../types.js';
import { counts, download, field, formStatus, link, pager, parseTags, section, select, statusBadge, table, tags } from '../ui.js';

export async function renderTenants(main: HTMLElement): Promise<void> {
  const tenants = await list<Tenant>('/api/tenants');
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 200 });
  const status = formStatus();
  const form = h('form', { class: 'inline-form', 'data-testid': 'tenant-form' }, field(t('tenants.name'), name), h('button', { type: 'submit', class: 'btn primary' }, t('tenants.add')), status.el);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    api<Tenant>('POST', '/api/tenants', { name: name.value.trim() })
      .then((tn) => go(`/tenants/${encodeURIComponent(tn.id)}`))
      .catch((err: unknown) => status.error(err));
  });
  replace(
    main,
    h('h1', null, t('tenants.title')),
    isAdmin() ? section(t('tenants.add'), form) : null,
    section(
      t('tenants.list'),
      table(tenants, [
        { head: t('tenants.name'), cell: (x) => link(`#/tenants/${encodeURIComponent(x.id)}`, x.name) },
        { head: t('common.created'), cell: (x) => fmtDate(x.createdAt) },
      ], { testid: 'tenants', empty: t('tenants.none') }),
    ),
  );
}

const PAGE_SIZE = 25;

export async function renderTenant(main: HTMLElement, id: string, route: Route): Promise<void> {
  const q = route.query;
  const filter = { kind: q.get('kind') ?? '', tag: q.get('tag') ?? '', q: q.get('q') ?? '', page: Number(q.get('page') ?? '1') || 1 };
  const [tenant, targets, tenantReport, notifications, reportJobs] = await Promise.all([
    get<Tenant>(`/api/tenants/${encodeURIComponent(id)}`),
    get<Page<TargetWithScan>>('/api/targets', { tenant: id, kind: filter.kind, tag: filter.tag, q: filter.q, page: filter.page, pageSize: PAGE_SIZE }),
    hasRoute('/api/tenants/{id}/report'),
    hasRoute('/api/tenants/{id}/notifications'),
    hasRoute('/api/tenants/{id}/reports'),
  ]);
  const here = (over: Record<string, string | number>) => go(`/tenants/${encodeURIComponent(id)}`, { ...filter, ...over });

  const kind = select('kind', [['', t('common.all')], ['host', t('kind.host')], ['site', t('kind.site')]], filter.kind);
  const tag = h('input', { type: 'text', name: 'tag', value: filter.tag });
  const search = h('input', { type: 'search', name: 'q', value: filter.q });
  const filters = h('form', { class: 'filters', role: 'search', 'data-testid': 'target-filters' }, field(t('common.kind'), kind), field(t('common.tag'), tag), field(t('common.search'), search), h('button', { type: 'submit', class: 'btn' }, t('common.apply')));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    here({ kind: kind.value, tag: tag.value.trim(), q: search.value.trim(), page: 1 });
  });
  const lang = currentLang();
  const other = lang === 'ja' ? 'en' : 'ja';
  const rep = (format: string, l: string) => `/api/tenants/${encodeURIComponent(id)}/report?format=${format}&lang=${l}`;

  replace(
    main,
    h('p', { class: 'crumbs' }, link('#/tenants', t('tenants.title')), ' / '),
    h('h1', { 'data-testid': 'tenant-name' }, tenant.name),
    h(
      'div',
      { class: 'actions' },
      tenantReport ? [download(rep('pdf', lang), t('report.pdf')), download(rep('html', lang), t('report.html')), download(rep('pdf', other), t(other === 'ja' ? 'report.pdfJa' : 'report.pdfEn'))] : null,
      link(`#/findings?tenant=${encodeURIComponent(id)}`, t('nav.findings')),
      link(`#/exceptions?tenant=${encodeURIComponent(id)}`, t('nav.exceptions')),
      link(`#/audit?tenant=${encodeURIComponent(id)}`, t('nav.audit')),
      canWrite() && notifications ? link(`#/tenants/${encodeURIComponent(id)}/notifications`, t('notify.title')) : null,
      link(`#/?tenant=${encodeURIComponent(id)}`, t('nav.overview')),
    ),
    reportJobs ? preparedReports(id) : null,
    section(
      t('targets.title'),
      filters,
      table(targets.items, [
        { head: t('common.name'), cell: (x) => link(`#/targets/${encodeURIComponent(x.id)}`, x.name) },
        { head: t('common.kind'), cell: (x) => t(x.kind === 'host' ? 'kind.host' : 'kind.site') },
        { head: t('common.address'), cell: (x) => h('code', null, x.address) },
        { head: t('common.tags'), cell: (x) => tags(x.tags) },
        { head: t('target.lastScan'), cell: (x) => [statusBadge(x.lastScan), ' ', x.lastScan?.finishedAt ? fmtDateTime(x.lastScan.finishedAt) : ''] },
        { head: t('common.findings'), cell: (x) => counts(x.lastScan?.summary) },
      ], { testid: 'targets', empty: t('targets.none') }),
      pager(targets.page, targets.pageSize, targets.total, (p) => here({ page: p })),
    ),
    canWrite() ? h('div', { class: 'grid2' }, addHostForm(id), addSiteForm(id)) : null,
  );
}

/**
 * "Prepare report": queue the owner report (POST /api/tenants/:id/reports; a worker renders it), show the
 * tenant's recent reports with their status (polled while one is queued or rendering) and a download link once
 * ready. Every role of the tenant may use it (viewers download the owner report too).
 */
function preparedReports(tenantId: string): HTMLElement {
  const base = `/api/tenants/${encodeURIComponent(tenantId)}/reports`;
  const format = select('format', [['pdf', 'PDF'], ['html', 'HTML']], 'pdf');
  const lang = select('lang', [['ja', '日本語'], ['en', 'English']], currentLang());
  const status = formStatus();
  const listEl = h('div', { 'data-testid': 'reports' });
  const btn = h('button', { type: 'submit', class: 'btn primary' }, t('report.prepare'));
  const form = h('form', { class: 'inline-form', 'data-testid': 'prepare-report' }, field(t('report.format'), format), field(t('report.lang'), lang), btn, status.el);
  const el = section(t('report.prepared'), h('p', { class: 'muted' }, t('report.prepareHint')), form, listEl);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const refresh = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!el.isConnected && listEl.childElementCount) return;
    try {
      const items = (await get<{ items: ReportRecord[] }>(base, { limit: 10 })).items;
      replace(listEl, table(items, [
        { head: t('common.created'), cell: (r) => fmtDateTime(r.createdAt) },
        { head: t('report.format'), cell: (r) => `${r.format.toUpperCase()} · ${r.lang === 'ja' ? '日本語' : 'English'}` },
        { head: t('common.status'), cell: (r) => h('span', { class: `badge status-${r.status}`, 'data-status': r.status, title: r.failureReason ?? '' }, t(`report.status.${r.status}` as Key)) },
        { head: '', cell: (r) => (r.status === 'done' ? [download(`/api/reports/${encodeURIComponent(r.id)}/download`, t('report.download')), ' ', h('span', { class: 'muted' }, t('report.size', { size: r.size ?? 0 }))] : r.failureReason ? h('span', { class: 'muted' }, r.failureReason) : '') },
      ], { testid: 'report-list', empty: t('report.none') }));
      if (items.some((r) => r.status === 'queued' || r.status === 'running')) timer = setTimeout(() => void refresh(), 2000);
    } catch (err) {
      status.error(err);
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    btn.disabled = true;
    status.clear();
    api<ReportRecord>('POST', base, { format: format.value, lang: lang.value })
      .then(() => refresh())
      .catch((err: unknown) => status.error(err))
      .finally(() => {
        btn.disabled = false;
      });
  });
  void refresh();
  return el;
}

function commonInputs(): { name: HTMLInputElement; tags: HTMLInputElement; schedule: HTMLInputElement; window: HTMLInputElement } {
  return {
    name: h('input', { type: 'text', name: 'name', required: true, maxlength: 200 }),
    tags: h('input', { type: 'text', name: 'tags' }),
    schedule: h('input', { type: 'text', name: 'schedule', placeholder: '0 3 * * 1' }),
    window: h('input', { type: 'text', name: 'maintenanceWindow', placeholder: 'Sun 02:00-05:00' }),
  };
}

function addHostForm(tenantId: string): HTMLElement {
  const c = commonInputs();
  const address = h('input', { type: 'text', name: 'address', required: true, placeholder: 'host.example.jp:22' });
  const user = h('input', { type: 'text', name: 'sshUser', required: true, autocomplete: 'off' });
  const key = h('textarea', { name: 'sshKey', rows: 4, required: true, autocomplete: 'off', spellcheck: 'false' });
  const known = h('textarea', { name: 'knownHosts', rows: 3, required: true, spellcheck: 'false' });
  const status = formStatus();
  const form = h(
    'form',
    { class: 'card', 'data-testid': 'add-host' },
    h('h2', null, t('targets.addHost')),
    field(t('common.name'), c.name),
    field(t('targets.hostAddress'), address),
    field(t('targets.sshUser'), user),
    field(t('targets.sshKey'), key, t('targets.sshKeyHint')),
    field(t('targets.knownHosts'), known, t('targets.knownHostsHint')),
    field(t('common.tags'), c.tags, t('targets.tagsHint')),
    field(t('targets.schedule'), c.schedule, t('targets.scheduleHint')),
    field(t('targets.window'), c.window),
    status.el,
    h('button', { type: 'submit', class: 'btn primary' }, t('targets.addHost')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = { tenantId, kind: 'host', name: c.name.value.trim(), address: address.value.trim(), sshUser: user.value.trim(), sshKey: key.value, knownHosts: known.value, tags: parseTags(c.tags.value), schedule: c.schedule.value.trim() || null, maintenanceWindow: c.window.value.trim() || null };
    api<{ target?: Target } & Partial<Target>>('POST', '/api/targets', body)
      .then((r) => {
        key.value = '';
        const tid = r.target?.id ?? r.id;
        if (tid) go(`/targets/${encodeURIComponent(tid)}`);
      })
      .catch((err: unknown) => status.error(err));
  });
  return form;
}

function addSiteForm(tenantId: string): HTMLElement {
  const c = commonInputs();
  const url = h('input', { type: 'url', name: 'address', required: true, placeholder: 'https://shop.example.jp/' });
  const status = formStatus();
  const form = h(
    'form',
    { class: 'card', 'data-testid': 'add-site' },
    h('h2', null, t('targets.addSite')),
    field(t('common.name'), c.name),
    field(t('targets.url'), url),
    field(t('common.tags'), c.tags, t('targets.tagsHint')),
    field(t('targets.schedule'), c.schedule, t('targets.scheduleHint')),
    field(t('targets.window'), c.window),
    status.el,
    h('button', { type: 'submit', class: 'btn primary' }, t('targets.addSite')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = { tenantId, kind: 'site', name: c.name.value.trim(), address: url.value.trim(), tags: parseTags(c.tags.value), schedule: c.schedule.value.trim() || null, maintenanceWindow: c.window.value.trim() || null };
    api<{ target?: Target } & Partial<Target>>('POST', '/api/targets', body)
      .then((r) => {
        const tid = r.target?.id ?? r.id;
        if (tid) go(`/targets/${encodeURIComponent(tid)}`);
      })
      .catch((err: unknown) => status.error(err));
  });
  return form;
}
