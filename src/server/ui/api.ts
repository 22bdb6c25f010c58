/**
 * The dashboard's only door to the server: same-origin JSON requests with the session cookie, the CSRF token on
 * every state change (`X-CSRF-Token`, from the session answers), errors as ApiError carrying the server's
 * `{"error":{"code","message"}}`.
 */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

let csrfToken = '';
let onUnauthorized: (() => void) | undefined;
export const setCsrf = (token: string): void => {
  csrfToken = token;
};
export const whenUnauthorized = (f: () => void): void => {
  onUnauthorized = f;
};

export type Query = Record<string, string | number | boolean | null | undefined | readonly string[]>;
export function qs(q: Query | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === null || v === undefined || v === '' || v === false) continue;
    if (Array.isArray(v)) for (const x of v) p.append(k, x);
    else p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch (err) {
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (res.status === 401 && !opts.quiet401) onUnauthorized?.();
    throw new ApiError(res.status, e?.code ?? `http-${res.status}`, e?.message ?? (res.statusText || `HTTP ${res.status}`));
  }
  return data as T;
}

export const get = <T>(path: string, q?: Query): Promise<T> => api<T>('GET', path + qs(q));

/** List answers come as `{items: [...]}` (or a bare array from older routes). */
export const itemsOf = <T>(x: readonly T[] | { items: readonly T[] }): T[] => [...(Array.isArray(x) ? x : (x as { items: readonly T[] }).items)];
export const list = async <T>(path: string, q?: Query): Promise<T[]> => itemsOf(await get<T[] | { items: T[] }>(path, q));
