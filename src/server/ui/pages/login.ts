/** Sign-in: password, then the TOTP second factor; an admin without one sets it up here first (RFC 6238 app). */
import { api, setCsrf } from '../api.js';
import { h, replace } from '../dom.js';
import { t } from '../i18n/index.js';
import type { SessionAnswer } from '../types.js';
import { field, formStatus } from '../ui.js';

export function renderLogin(main: HTMLElement, done: (s: SessionAnswer) => void): void {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const status = formStatus();
  const form = h(
    'form',
    { class: 'card login', 'data-testid': 'login-form' },
    h('h1', null, t('login.title')),
    field(t('login.email'), email),
    field(t('login.password'), password),
    status.el,
    h('button', { type: 'submit', class: 'btn primary' }, t('login.submit')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    status.clear();
    api<SessionAnswer>('POST', '/api/session', { email: email.value, password: password.value }, { quiet401: true })
      .then((s) => {
        setCsrf(s.csrfToken);
        if (s.mfa === 'required') totpStep(main, done);
        else if (s.mfa === 'setup') void totpSetup(main, done);
        else done(s);
      })
      .catch((err: unknown) => status.error(err));
  });
  replace(main, form);
  email.focus();
}

function codeInput(): HTMLInputElement {
  return h('input', { type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, required: true });
}

function totpStep(main: HTMLElement, done: (s: SessionAnswer) => void): void {
  const code = codeInput();
  const status = formStatus();
  const form = h(
    'form',
    { class: 'card login', 'data-testid': 'totp-form' },
    h('h1', null, t('login.totpTitle')),
    h('p', null, t('login.totpHelp')),
    field(t('login.code'), code),
    status.el,
    h('button', { type: 'submit', class: 'btn primary' }, t('login.verify')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    api<SessionAnswer>('POST', '/api/session/totp', { code: code.value.trim() }, { quiet401: true })
      .then((s) => {
        setCsrf(s.csrfToken);
        done(s);
      })
      .catch((err: unknown) => status.error(err));
  });
  replace(main, form);
  code.focus();
}

async function totpSetup(main: HTMLElement, done: (s: SessionAnswer) => void): Promise<void> {
  const status = formStatus();
  let setup: { secret: string; otpauthUri: string };
  try {
    setup = await api<{ secret: string; otpauthUri: string }>('POST', '/api/me/totp/setup', {}, { quiet401: true });
  } catch (err) {
    replace(main, h('div', { class: 'card login' }, h('h1', null, t('login.setupTitle')), status.el));
    status.error(err);
    return;
  }
  const code = codeInput();
  const form = h(
    'form',
    { class: 'card login', 'data-testid': 'totp-setup-form' },
    h('h1', null, t('login.setupTitle')),
    h('p', null, t('login.setupHelp')),
    h('dl', { class: 'kv' },
      h('dt', null, t('login.secret')), h('dd', null, h('code', { 'data-testid': 'totp-secret', class: 'secret' }, setup.secret)),
      h('dt', null, t('login.uri')), h('dd', null, h('code', { 'data-testid': 'totp-uri', class: 'secret' }, setup.otpauthUri))),
    field(t('login.code'), code),
    status.el,
    h('button', { type: 'submit', class: 'btn primary' }, t('login.enable')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    api<Partial<SessionAnswer> | undefined>('POST', '/api/me/totp/enable', { code: code.value.trim() }, { quiet401: true })
      .then(async (r) => {
        if (r?.csrfToken && r.user) {
          setCsrf(r.csrfToken);
          done(r as SessionAnswer);
          return;
        }
        try {
          const s = await api<SessionAnswer>('GET', '/api/session', undefined, { quiet401: true });
          setCsrf(s.csrfToken);
          done(s);
        } catch {
          // the second factor is set up; the session still waits for a code of it
          totpStep(main, done);
        }
      })
      .catch((err: unknown) => status.error(err));
  });
  replace(main, form);
  code.focus();
}
