/** People and scripts: users and roles (admin), API tokens (shown once), the own account (password, TOTP). */
import { api, list } from '../api.js';
import { go, isAdmin, me } from '../app.js';
import { h, replace } from '../dom.js';
import { fmtDate, fmtDateTime, t, type Key } from '../i18n/index.js';
import type { Role, Tenant, TokenRecord, User } from '../types.js';
import { field, formStatus, notice, section, select, table } from '../ui.js';

const ROLES: Role[] = ['admin', 'operator', 'viewer'];

export async function renderUsers(main: HTMLElement): Promise<void> {
  const [users, tenants] = await Promise.all([list<User>('/api/users'), list<Tenant>('/api/tenants')]);
  const tenantName = new Map(tenants.map((x) => [x.id, x.name]));
  const email = h('input', { type: 'email', name: 'email', required: true, autocomplete: 'off' });
  const password = h('input', { type: 'password', name: 'password', required: true, minlength: 12, autocomplete: 'new-password' });
  const role = select('role', ROLES.map((r) => [r, t(`role.${r}` as Key)] as const), 'viewer');
  const tenantSel = h('select', { name: 'tenantIds', multiple: true, size: Math.min(6, Math.max(2, tenants.length)) }, tenants.map((x) => h('option', { value: x.id }, x.name)));
  const status = formStatus();
  const form = h('form', { class: 'card', 'data-testid': 'user-form' }, h('h2', null, t('users.add')), field(t('login.email'), email), field(t('login.password'), password, t('users.passwordHint')), field(t('users.role'), role), field(t('users.tenants'), tenantSel, t('users.tenantsHint')), status.el, h('button', { type: 'submit', class: 'btn primary' }, t('users.add')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const tenantIds = [...tenantSel.selectedOptions].map((o) => o.value);
    api('POST', '/api/users', { email: email.value.trim(), password: password.value, role: role.value, tenantIds })
      .then(() => go('/users'))
      .catch((err: unknown) => status.error(err));
  });
  const listStatus = formStatus();
  replace(
    main,
    h('h1', null, t('users.title')),
    section(
      t('users.list'),
      listStatus.el,
      table(users, [
        { head: t('login.email'), cell: (u) => u.email },
        { head: t('users.role'), cell: (u) => t(`role.${u.role}` as Key) },
        { head: t('users.tenants'), cell: (u) => (u.role === 'admin' ? t('common.allTenants') : u.tenantIds.map((x) => tenantName.get(x) ?? x).join(', ')) },
        { head: 'TOTP', cell: (u) => (u.totpEnabled ? t('common.yes') : t('common.no')) },
        { head: t('common.status'), cell: (u) => (u.disabledAt ? t('users.disabled') : t('users.active')) },
        {
          head: t('common.actions'),
          cell: (u) =>
            u.id === me().id
              ? ''
              : h('button', { type: 'button', class: 'btn small', onclick: () => void api('PATCH', `/api/users/${encodeURIComponent(u.id)}`, { disabled: !u.disabledAt }).then(() => go('/users')).catch((err: unknown) => listStatus.error(err)) }, u.disabledAt ? t('users.enable') : t('users.disable')),
        },
      ], { testid: 'users' }),
    ),
    form,
  );
}

export async function renderTokens(main: HTMLElement): Promise<void> {
  const tokens = await list<TokenRecord>('/api/tokens');
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 100 });
  const status = formStatus();
  const shown = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'inline-form', 'data-testid': 'token-form' }, field(t('tokens.name'), name), h('button', { type: 'submit', class: 'btn primary' }, t('tokens.create')), status.el);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    api<{ token: string | { token?: string }; record?: TokenRecord }>('POST', '/api/tokens', { name: name.value.trim() })
      .then((r) => {
        const value = typeof r.token === 'string' ? r.token : (r.token?.token ?? '');
        replace(shown, h('div', { class: 'notice', role: 'status' }, h('p', null, t('tokens.once')), h('code', { class: 'secret', 'data-testid': 'new-token' }, value)));
        name.value = '';
      })
      .catch((err: unknown) => status.error(err));
  });
  const listStatus = formStatus();
  replace(
    main,
    h('h1', null, t('tokens.title')),
    h('p', { class: 'hint' }, t('tokens.help')),
    section(t('tokens.create'), form, shown),
    section(
      t('tokens.list'),
      listStatus.el,
      table(tokens, [
        { head: t('tokens.name'), cell: (x) => x.name },
        { head: t('common.created'), cell: (x) => fmtDate(x.createdAt) },
        { head: t('tokens.lastUsed'), cell: (x) => fmtDateTime(x.lastUsedAt) },
        { head: t('common.status'), cell: (x) => (x.revokedAt ? t('tokens.revoked') : t('users.active')) },
        { head: t('common.actions'), cell: (x) => (x.revokedAt ? '' : h('button', { type: 'button', class: 'btn small', onclick: () => void api('DELETE', `/api/tokens/${encodeURIComponent(x.id)}`).then(() => go('/tokens')).catch((err: unknown) => listStatus.error(err)) }, t('tokens.revoke'))) },
      ], { testid: 'tokens', empty: t('tokens.none') }),
    ),
  );
}

export function renderAccount(main: HTMLElement): void {
  const u = me();
  const current = h('input', { type: 'password', name: 'current', required: true, autocomplete: 'current-password' });
  const next = h('input', { type: 'password', name: 'password', required: true, minlength: 12, autocomplete: 'new-password' });
  const status = formStatus();
  const form = h('form', { class: 'card' }, h('h2', null, t('account.password')), field(t('account.current'), current), field(t('account.new'), next, t('users.passwordHint')), status.el, h('button', { type: 'submit', class: 'btn primary' }, t('common.save')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    api('POST', '/api/me/password', { currentPassword: current.value, newPassword: next.value })
      .then(() => {
        status.ok(t('account.changed'));
        current.value = '';
        next.value = '';
      })
      .catch((err: unknown) => status.error(err));
  });
  replace(
    main,
    h('h1', null, t('account.title')),
    h('dl', { class: 'kv' }, h('dt', null, t('login.email')), h('dd', null, u.email), h('dt', null, t('users.role')), h('dd', null, t(`role.${u.role}` as Key)), h('dt', null, 'TOTP'), h('dd', null, u.totpEnabled ? t('common.yes') : t('common.no'))),
    u.totpEnabled || isAdmin() ? null : notice(t('account.totpHint')),
    form,
  );
}
