/**
 * One target: its scans along time, support phases in red/yellow/green, the latest findings with filters, a scan
 * run on demand with live progress (Server-Sent Events, with polling as the fallback), a failed scan with its
 * reason; edit and delete.
 */
import { api, ApiError, get, list } from '../api.js';
import { canWrite, go, hasRoute, type Route } from '../app.js';
import { timeline } from '../charts.js';
import { patchSection } from './patch.js';
import { h, replace } from '../dom.js';
import { currentLang, fmtDate, fmtDateTime, fmtDateTimeSec, t, type Key } from '../i18n/index.js';
import type { Category, FindingHistory, FindingRow, LifecycleEntry, Page, ScanRecord, Severity, Target } from '../types.js';
import { CATEGORIES, SEVERITIES, catLabel, counts, download, errorBox, field, formStatus, link, notCheckedBadge, parseTags, section, select, sevBadge, sevLabel, statusBadge, table, tags } from '../ui.js';

const phaseClass: Record<string, string> = { active: 'green', security: 'yellow', eol: 'red', unknown: 'grey' };

async function lifecycleOf(id: string): Promise<LifecycleEntry[]> {
  try {
    const r = await get<LifecycleEntry[] | { entries?: LifecycleEntry[]; items?: LifecycleEntry[] }>(`/api/targets/${encodeURIComponent(id)}/lifecycle`);
    return Array.isArray(r) ? r : (r.entries ?? r.items ?? []);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return [];
    throw err;
  }
}

export async function renderTarget(main: HTMLElement, id: string, route: Route): Promise<void> {
  const enc = encodeURIComponent(id);
  const sev = route.query.getAll('severity') as Severity[];
  const cat = route.query.get('category') ?? '';
  const [target, scans, lifecycle, findings, history] = await Promise.all([
    get<Target>(`/api/targets/${enc}`),
    get<Page<ScanRecord>>(`/api/targets/${enc}/scans`, { page: 1, pageSize: 50 }),
    lifecycleOf(id),
    get<Page<FindingRow & { targetName: string }>>('/api/findings', { target: id, severity: sev[0] ?? '', category: cat, pageSize: 200 }),
    list<FindingHistory>(`/api/targets/${enc}/history`).catch(() => [] as FindingHistory[]),
  ]);
  const lastDone = scans.items.find((x) => x.status === 'done');
  const patch = target.kind === 'host' && lastDone && (await hasRoute('/api/targets/{id}/patch-plan')) ? await patchSection(target) : null;
  const doc = lastDone ? await get<{ gaps?: { what: string; why: string }[] }>(`/api/scans/${encodeURIComponent(lastDone.id)}/document`).catch(() => undefined) : undefined;
  const firstSeen = new Map(history.map((x) => [x.findingId, x]));
  const latest = scans.items[0];
  const progress = h('div', { class: 'progress', 'aria-live': 'polite', 'data-testid': 'scan-progress' });

  // -- actions
  const runStatus = formStatus();
  const runBtn = h('button', { type: 'button', class: 'btn primary', 'data-testid': 'run-scan' }, t('target.runScan'));
  runBtn.addEventListener('click', () => {
    runBtn.disabled = true;
    api<{ scan: ScanRecord }>('POST', `/api/targets/${enc}/scans`, {})
      .then((r) => follow(r.scan, progress, runBtn))
      .catch((err: unknown) => {
        runBtn.disabled = false;
        runStatus.error(err);
      });
  });
  const editArea = h('div');
  const editBtn = h('button', { type: 'button', class: 'btn', 'aria-expanded': 'false' }, t('common.edit'));
  editBtn.addEventListener('click', () => {
    const open = editBtn.getAttribute('aria-expanded') === 'true';
    editBtn.setAttribute('aria-expanded', String(!open));
    replace(editArea, open ? null : editForm(target));
  });
  const delBtn = h('button', { type: 'button', class: 'btn danger' }, t('common.delete'));
  delBtn.addEventListener('click', () => {
    if (delBtn.dataset.armed !== '1') {
      delBtn.dataset.armed = '1';
      delBtn.textContent = t('target.confirmDelete', { name: target.name });
      return;
    }
    api('DELETE', `/api/targets/${enc}`)
      .then(() => go(`/tenants/${encodeURIComponent(target.tenantId)}`))
      .catch((err: unknown) => runStatus.error(err));
  });

  // -- scans: timeline, list, pick two for the diff
  const done = scans.items.filter((x) => x.status === 'done');
  const fromSel = select('from', done.map((x) => [x.id, fmtDateTimeSec(x.finishedAt)] as const), done[1]?.id ?? '');
  const toSel = select('to', done.map((x) => [x.id, fmtDateTimeSec(x.finishedAt)] as const), done[0]?.id ?? '');
  const diffForm = h('form', { class: 'filters', 'data-testid': 'diff-pick' }, field(t('diff.from'), fromSel), field(t('diff.to'), toSel), h('button', { type: 'submit', class: 'btn' }, t('diff.compare')));
  diffForm.addEventListener('submit', (e) => {
    e.preventDefault();
    go('/diff', { target: id, from: fromSel.value, to: toSel.value });
  });

  // -- findings filters
  const sevSel = select('severity', [['', t('common.all')], ...SEVERITIES.map((x) => [x, sevLabel(x)] as const)], sev[0] ?? '');
  const catSel = select('category', [['', t('common.all')], ...CATEGORIES.map((x) => [x, catLabel(x)] as const)], cat);
  const ff = h('form', { class: 'filters', 'data-testid': 'finding-filters' }, field(t('common.severity'), sevSel), field(t('common.category'), catSel), h('button', { type: 'submit', class: 'btn' }, t('common.apply')));
  ff.addEventListener('submit', (e) => {
    e.preventDefault();
    go(`/targets/${enc}`, { severity: sevSel.value, category: catSel.value });
  });

  replace(
    main,
    h('p', { class: 'crumbs' }, link('#/tenants', t('tenants.title')), ' / ', link(`#/tenants/${encodeURIComponent(target.tenantId)}`, t('targets.title')), ' / '),
    h('h1', { 'data-testid': 'target-name' }, target.name),
    h('dl', { class: 'kv' },
      h('dt', null, t('common.kind')), h('dd', null, t(target.kind === 'host' ? 'kind.host' : 'kind.site')),
      h('dt', null, t('common.address')), h('dd', null, h('code', null, target.address)),
      target.sshUser ? [h('dt', null, t('targets.sshUser')), h('dd', null, target.sshUser)] : null,
      h('dt', null, t('common.tags')), h('dd', null, tags(target.tags)),
      h('dt', null, t('targets.schedule')), h('dd', null, target.schedule ?? t('target.onDemand')),
      target.maintenanceWindow ? [h('dt', null, t('targets.window')), h('dd', null, target.maintenanceWindow)] : null),
    h(
      'div',
      { class: 'actions' },
      canWrite() ? [runBtn, editBtn, delBtn] : null,
      lastDone ? download(`/api/scans/${encodeURIComponent(lastDone.id)}/report?format=pdf&lang=${currentLang()}`, t('report.scanPdf')) : null,
      lastDone ? download(`/api/scans/${encodeURIComponent(lastDone.id)}/report?format=html&lang=${currentLang()}`, t('report.scanHtml')) : null,
    ),
    runStatus.el,
    progress,
    editArea,
    latest?.status === 'failed' ? h('p', { class: 'error', role: 'alert', 'data-testid': 'scan-failed' }, t('target.failed', { when: fmtDateTime(latest.finishedAt ?? latest.queuedAt), reason: latest.failureReason ?? t('common.unknown') })) : null,
    section(
      t('target.timeline'),
      scans.items.length ? timeline(scans.items) : h('p', { class: 'empty' }, t('target.noScans')),
      table(scans.items, [
        { head: t('common.status'), cell: (x) => statusBadge(x) },
        { head: t('target.queued'), cell: (x) => fmtDateTime(x.queuedAt) },
        { head: t('target.finished'), cell: (x) => fmtDateTime(x.finishedAt) },
        { head: t('common.findings'), cell: (x) => counts(x.summary) },
        { head: t('target.reason'), cell: (x) => (x.failureReason ? h('span', { class: 'reason' }, x.failureReason) : '') },
        { head: t('target.trigger'), cell: (x) => t(`trigger.${x.trigger}` as Key) },
      ], { testid: 'scans', empty: t('target.noScans') }),
      done.length >= 2 ? diffForm : null,
    ),
    section(
      t('target.support'),
      table(lifecycle, [
        { head: t('common.component'), cell: (x) => [x.component, x.version ? ` ${x.version}` : ''] },
        { head: t('target.phase'), cell: (x) => h('span', { class: `phase ${phaseClass[x.phase] ?? 'grey'}`, 'data-phase': x.phase }, t(`phase.${x.phase}` as Key)) },
        { head: t('target.supportEnd'), cell: (x) => fmtDate(x.securitySupportEnd ?? x.activeSupportEnd) },
        { head: t('target.daysLeft'), cell: (x) => (x.daysLeft === undefined ? (x.reason ?? '—') : x.daysLeft < 0 ? t('target.endedAgo', { n: -x.daysLeft }) : t('target.daysLeftN', { n: x.daysLeft })), class: 'num' },
      ], { testid: 'lifecycle', empty: t('target.noLifecycle') }),
    ),
    lastDone
      ? section(
          t('target.gaps'),
          h('p', { class: 'hint' }, t('target.knowledge', { version: lastDone.knowledgeVersion ?? t('common.unknown') })),
          table(doc?.gaps ?? [], [
            { head: t('target.gapWhat'), cell: (g) => g.what },
            { head: t('target.reason'), cell: (g) => g.why },
          ], { testid: 'gaps', empty: doc ? t('target.noGaps') : t('common.unknown') }),
        )
      : null,
    patch,
    section(
      t('target.findings'),
      ff,
      findingsTable(findings.items, firstSeen, target),
    ),
  );
  if (latest && (latest.status === 'queued' || latest.status === 'running')) follow(latest, progress, runBtn);
}

function findingsTable(rows: readonly FindingRow[], hist: Map<string, FindingHistory>, target: Target): HTMLElement {
  return table(rows, [
    { head: t('common.severity'), cell: (x) => sevBadge(x.severity) },
    { head: t('common.category'), cell: (x) => catLabel(x.category as Category) },
    {
      head: t('common.finding'),
      cell: (x) => {
        // Kept from an earlier scan: the latest one could not check it (unknown, not resolved).
        const since = x.unverifiedSince ?? hist.get(x.findingId)?.unverifiedSince ?? null;
        return [
          x.title, x.kev ? h('span', { class: 'badge kev' }, 'KEV') : null, x.accepted ? h('span', { class: 'badge accepted' }, t('findings.accepted')) : null,
          notCheckedBadge(since),
        ];
      },
    },
    { head: t('common.package'), cell: (x) => [x.package ?? x.component ?? '—', x.version ? ` ${x.version}` : ''] },
    { head: 'CVE', cell: (x) => x.cves.slice(0, 4).join(', ') + (x.cves.length > 4 ? ` +${x.cves.length - 4}` : '') },
    { head: t('findings.firstSeen'), cell: (x) => fmtDate(hist.get(x.findingId)?.firstSeenAt) },
    {
      head: t('common.actions'),
      cell: (x) => (canWrite() && !x.accepted ? link(`#/exceptions?tenant=${encodeURIComponent(target.tenantId)}&target=${encodeURIComponent(target.id)}&finding=${encodeURIComponent(x.findingId)}`, t('findings.accept')) : ''),
    },
  ], { testid: 'findings', empty: t('findings.none') });
}

/** Live progress of one scan: SSE events where the server sends them, polling the scan until it ends either way. */
function follow(scan: ScanRecord, el: HTMLElement, btn: HTMLButtonElement): void {
  btn.disabled = true;
  const line = h('span', { 'data-testid': 'progress-text' }, t('target.progress', { status: t(`scan.status.${scan.status}` as Key) }));
  const detail = h('span', { class: 'muted' });
  replace(el, h('span', { class: 'spinner', 'aria-hidden': 'true' }), line, ' ', detail);
  let es: EventSource | undefined;
  void hasRoute('/api/events').then((yes) => {
    if (!yes || !el.isConnected) return;
    es = new EventSource('/api/events');
    es.onmessage = (ev: MessageEvent<string>) => onEvent(ev.data);
    for (const name of ['progress', 'scan', 'job', 'status']) es.addEventListener(name, (ev) => onEvent((ev as MessageEvent<string>).data));
  });
  function onEvent(data: string): void {
    try {
      const d = JSON.parse(data) as Record<string, unknown>;
      const sid = d.scanId ?? (d.scan as { id?: string } | undefined)?.id ?? d.id;
      if (sid !== scan.id && d.targetId !== scan.targetId) return;
      const msg = [d.step, d.message, d.progress].filter((x) => typeof x === 'string' || typeof x === 'number').join(' · ');
      if (msg) detail.textContent = msg;
      const st = (d.status ?? (d.scan as { status?: string } | undefined)?.status) as ScanRecord['status'] | undefined;
      if (st && ['queued', 'running', 'done', 'failed'].includes(st)) line.textContent = t('target.progress', { status: t(`scan.status.${st}` as Key) });
    } catch {
      // not JSON: ignore
    }
  }
  const poll = async (): Promise<void> => {
    if (!el.isConnected) {
      es?.close();
      return;
    }
    try {
      const s = await get<ScanRecord | { scan: ScanRecord }>(`/api/scans/${encodeURIComponent(scan.id)}`);
      const cur = 'scan' in s ? s.scan : s;
      line.textContent = t('target.progress', { status: t(`scan.status.${cur.status}` as Key) });
      if (cur.status === 'done' || cur.status === 'failed') {
        es?.close();
        go(location.hash.replace(/^#/, '').split('?')[0] ?? '/');
        return;
      }
    } catch (err) {
      el.appendChild(errorBox(err));
    }
    setTimeout(() => void poll(), 1000);
  };
  setTimeout(() => void poll(), 500);
}

function editForm(target: Target): HTMLElement {
  const name = h('input', { type: 'text', name: 'name', value: target.name, required: true });
  const address = h('input', { type: 'text', name: 'address', value: target.address, required: true });
  const tagsIn = h('input', { type: 'text', name: 'tags', value: target.tags.join(', ') });
  const schedule = h('input', { type: 'text', name: 'schedule', value: target.schedule ?? '' });
  const win = h('input', { type: 'text', name: 'maintenanceWindow', value: target.maintenanceWindow ?? '' });
  const user = h('input', { type: 'text', name: 'sshUser', value: target.sshUser ?? '' });
  const key = h('textarea', { name: 'sshKey', rows: 3, spellcheck: 'false' });
  const known = h('textarea', { name: 'knownHosts', rows: 2, spellcheck: 'false' });
  const status = formStatus();
  const host = target.kind === 'host';
  const form = h(
    'form',
    { class: 'card', 'data-testid': 'edit-target' },
    h('h2', null, t('target.edit')),
    field(t('common.name'), name),
    field(host ? t('targets.hostAddress') : t('targets.url'), address),
    host ? field(t('targets.sshUser'), user) : null,
    host ? field(t('targets.sshKey'), key, t('target.keepSecret')) : null,
    host ? field(t('targets.knownHosts'), known, t('target.keepSecret')) : null,
    field(t('common.tags'), tagsIn, t('targets.tagsHint')),
    field(t('targets.schedule'), schedule, t('targets.scheduleHint')),
    field(t('targets.window'), win),
    status.el,
    h('button', { type: 'submit', class: 'btn primary' }, t('common.save')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body: Record<string, unknown> = { name: name.value.trim(), address: address.value.trim(), tags: parseTags(tagsIn.value), schedule: schedule.value.trim() || null, maintenanceWindow: win.value.trim() || null };
    if (host) {
      body.sshUser = user.value.trim();
      if (key.value.trim()) body.sshKey = key.value;
      if (known.value.trim()) body.knownHosts = known.value;
    }
    api('PATCH', `/api/targets/${encodeURIComponent(target.id)}`, body)
      .then(() => go(`/targets/${encodeURIComponent(target.id)}`))
      .catch((err: unknown) => status.error(err));
  });
  return form;
}
