/** The dashboard's state shared by the pages: who is signed in, and how to move between pages. */
import type { SessionAnswer, User } from './types.js';

export interface Route {
  path: string[];
  query: URLSearchParams;
}

export const app: { session: SessionAnswer | null; rerender: () => void } = {
  session: null,
  rerender: () => undefined,
};

let routes: Promise<Set<string>> | undefined;
/** The API's routes (from /api/openapi.json, once): pages offer only what this server has. */
export function hasRoute(path: string): Promise<boolean> {
  routes ??= fetch('/api/openapi.json', { credentials: 'same-origin' })
    .then((r) => (r.ok ? (r.json() as Promise<{ paths?: Record<string, unknown> }>) : { paths: {} }))
    .then((d) => new Set(Object.keys(d.paths ?? {})))
    .catch(() => new Set<string>());
  return routes.then((s) => s.has(path));
}

export const me = (): User => {
  if (!app.session) throw new Error('not signed in');
  return app.session.user;
};
export const isAdmin = (): boolean => app.session?.user.role === 'admin';
export const canWrite = (): boolean => app.session?.user.role === 'admin' || app.session?.user.role === 'operator';

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [p = '/', q = ''] = raw.split('?', 2);
  return { path: p.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q) };
}

/** Moves to a page (`#/path?query`); the router renders it. */
export function go(path: string, query?: Record<string, string | number | null | undefined>): void {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== null && v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  const next = `#${path}${s ? `?${s}` : ''}`;
  if (location.hash === next) app.rerender();
  else location.hash = next;
}
