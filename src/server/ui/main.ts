/**
 * mamori's dashboard: a single page over the fleet server's JSON API. Hash routes (`#/targets/ID`), so the server
 * serves three files and nothing else; every page is built with DOM calls (see dom.ts) under a strict CSP.
 */
import { api, setCsrf, whenUnauthorized } from './api.js';
import { app, canWrite, isAdmin, parseHash, type Route } from './app.js';
import { h, replace } from './dom.js';
import { currentLang, setLang, t, type Lang } from './i18n/index.js';
import { renderLogin } from './pages/login.js';
import { renderOverview } from './pages/overview.js';
import { renderTenant, renderTenants } from './pages/tenants.js';
import { renderTarget } from './pages/target.js';
import { renderDiff } from './pages/diff.js';
import { renderFindings } from './pages/findings.js';
import { renderExceptions } from './pages/exceptions.js';
import { renderAccount, renderTokens, renderUsers } from './pages/users.js';
import { renderAudit } from './pages/audit.js';
import { renderNotifications } from './pages/notifications.js';
import { renderJobs } from './pages/jobs.js';
import type { SessionAnswer } from './types.js';
import { errorBox } from './ui.js';

type Page = (main: HTMLElement, route: Route) => Promise<void> | void;

function pageFor(r: Route): Page | undefined {
  const [a, b, c] = r.path;
  if (!a) return renderOverview;
  if (a === 'tenants' && !b) return renderTenants;
  if (a === 'tenants' && b && c === 'notifications') return (m) => renderNotifications(m, b);
  if (a === 'tenants' && b && !c) return (m, route) => renderTenant(m, b, route);
  if (a === 'targets' && b && !c) return (m, route) => renderTarget(m, b, route);
  if (a === 'diff') return renderDiff;
  if (a === 'findings') return renderFindings;
  if (a === 'exceptions') return renderExceptions;
  if (a === 'users' && isAdmin()) return renderUsers;
  if (a === 'tokens') return renderTokens;
  if (a === 'account') return renderAccount;
  if (a === 'audit') return renderAudit;
  // admins and operators (the API refuses viewers too)
  if (a === 'jobs' && canWrite()) return renderJobs;
  return undefined;
}

const root = document.getElementById('app')!;
let renderSeq = 0;

function navLink(href: string, label: string, current: boolean): HTMLElement {
  return h('li', null, h('a', { href, 'aria-current': current ? 'page' : null }, label));
}

function langSwitch(): HTMLElement {
  const other: Lang = currentLang() === 'ja' ? 'en' : 'ja';
  return h(
    'button',
    { type: 'button', class: 'btn lang', lang: other, 'data-testid': 'lang-switch', 'aria-label': t('nav.switchLang'), onclick: () => { setLang(other); void render(); } },
    other === 'ja' ? '日本語' : 'English',
  );
}

async function logout(): Promise<void> {
  try {
    await api('DELETE', '/api/session');
  } catch {
    // signed out either way
  }
  app.session = null;
  setCsrf('');
  location.hash = '#/';
  void render();
}

function layout(route: Route): HTMLElement {
  const [a] = route.path;
  const main = h('main', { id: 'main', tabindex: -1 });
  const user = app.session!.user;
  const nav = h(
    'nav',
    { class: 'nav', 'aria-label': t('nav.label') },
    h(
      'ul',
      null,
      navLink('#/', t('nav.overview'), !a),
      navLink('#/tenants', t('nav.tenants'), a === 'tenants' || a === 'targets'),
      navLink('#/findings', t('nav.findings'), a === 'findings' || a === 'diff'),
      navLink('#/exceptions', t('nav.exceptions'), a === 'exceptions'),
      canWrite() ? navLink('#/jobs', t('nav.jobs'), a === 'jobs') : null,
      navLink('#/audit', t('nav.audit'), a === 'audit'),
      isAdmin() ? navLink('#/users', t('nav.users'), a === 'users') : null,
      navLink('#/tokens', t('nav.tokens'), a === 'tokens'),
    ),
  );
  const header = h(
    'header',
    { class: 'top' },
    h('a', { href: '#/', class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '守'), 'mamori'),
    nav,
    h(
      'div',
      { class: 'who' },
      h('a', { href: '#/account', class: 'user', 'data-testid': 'current-user' }, user.email),
      langSwitch(),
      h('button', { type: 'button', class: 'btn', onclick: () => void logout() }, t('nav.logout')),
    ),
  );
  return h('div', { class: 'shell' }, h('a', { href: '#main', class: 'skip', onclick: (e: Event) => { e.preventDefault(); main.focus(); } }, t('nav.skip')), header, main);
}

async function render(): Promise<void> {
  const seq = ++renderSeq;
  document.documentElement.lang = currentLang();
  document.title = 'mamori';
  if (!app.session) {
    try {
      const s = await api<SessionAnswer>('GET', '/api/session', undefined, { quiet401: true });
      app.session = s;
      setCsrf(s.csrfToken);
    } catch {
      app.session = null;
    }
  }
  if (seq !== renderSeq) return;
  if (!app.session) {
    const main = h('main', { id: 'main', tabindex: -1 });
    replace(root, h('div', { class: 'shell login-shell' }, h('a', { href: '#main', class: 'skip', onclick: (e: Event) => { e.preventDefault(); main.focus(); } }, t('nav.skip')), h('div', { class: 'login-lang' }, langSwitch()), main));
    renderLogin(main, (s) => {
      app.session = s;
      setCsrf(s.csrfToken);
      void render();
    });
    return;
  }
  const route = parseHash(location.hash);
  const shell = layout(route);
  replace(root, shell);
  const main = shell.querySelector('main')!;
  const page = pageFor(route);
  if (!page) {
    replace(main, h('h1', null, t('error.pageNotFound')), h('p', null, h('a', { href: '#/' }, t('nav.overview'))));
    return;
  }
  main.setAttribute('aria-busy', 'true');
  try {
    await page(main, route);
  } catch (err) {
    main.appendChild(errorBox(err));
  } finally {
    main.removeAttribute('aria-busy');
  }
  const h1 = main.querySelector('h1');
  if (h1) document.title = `${h1.textContent ?? ''} — mamori`;
}

app.rerender = () => void render();
whenUnauthorized(() => {
  if (app.session) {
    app.session = null;
    void render();
  }
});
window.addEventListener('hashchange', () => {
  void render().then(() => document.getElementById('main')?.focus({ preventScroll: true }));
});
void render();
