/**
 * A small client of the fleet server's JSON API for `token create` and `fleet …`: Bearer token or a sign-in
 * session (cookie + CSRF token). A refused request becomes a FatalError quoting the server's error message.
 */
import { FatalError } from './errors.js';
import type { CommandContext } from './context.js';

export interface ApiAnswer<T> {
  status: number;
  body: T;
  setCookie: string | undefined;
}

export class FleetClient {
  cookie: string | undefined;
  csrfToken: string | undefined;

  constructor(
    readonly base: string,
    private readonly ctx: CommandContext,
    private readonly token?: string,
  ) {}

  /** The answer; non-2xx answers too when `allow` lists their status, others throw. */
  async call<T>(method: string, path: string, body?: unknown, allow: number[] = []): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    else if (this.cookie) {
      headers.cookie = this.cookie;
      if (this.csrfToken && method !== 'GET') headers['x-csrf-token'] = this.csrfToken;
    }
    let res: Response;
    try {
      res = await fetch(new URL(path, this.base), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'error' });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const reason = e.cause?.code ?? e.cause?.message ?? e.message;
      throw new FatalError(this.ctx.t('fleetcmd.err.connect', { url: this.base, reason }), { code: 'fleetcmd.err.connect', params: { url: this.base, reason } });
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { error: { code: 'not_json', message: text.slice(0, 200) } };
      }
    }
    const setCookie = res.headers.get('set-cookie') ?? undefined;
    const m = setCookie && /mamori_session=([^;]*)/.exec(setCookie);
    if (m) this.cookie = m[1] ? `mamori_session=${m[1]}` : undefined;
    if (!res.ok && !allow.includes(res.status)) {
      const message = (parsed as { error?: { message?: string } } | undefined)?.error?.message ?? res.statusText;
      const what = `${method} ${path.split('?')[0]}`;
      throw new FatalError(this.ctx.t('fleetcmd.err.http', { status: res.status, what, message }), { code: 'fleetcmd.err.http', params: { status: res.status, what, message } });
    }
    return { status: res.status, body: parsed as T, setCookie };
  }
}
