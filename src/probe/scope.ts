/**
 * Where a site scan may send requests: the origin it was given (scheme + host + port) and that host's
 * http/https counterpart (on the port given with --http-port / --https-port or the default one; on any port
 * when the counterpart's port is unknown and only the site's own redirect can tell it). Nothing else: the
 * HTTP client checks every request and every redirect hop against the scope, and what it refused is kept so
 * the scan can list it as a gap ("redirects to X: not in scope; scan it explicitly").
 */

export type ScopeRefusalKind = 'redirect' | 'sitemap' | 'request';

export interface ScopeRefusal {
  /** The origin that is not in scope. */
  target: string;
  /** The first URL refused there. */
  url: string;
  /** Where it came from: the page that redirected, robots.txt, … */
  from: string;
  kind: ScopeRefusalKind;
  /** How many requests to that origin were refused. */
  count: number;
}

const defaultPort = (scheme: string) => (scheme === 'https:' ? 443 : 80);

export class SiteScope {
  private readonly exact = new Set<string>();
  /** `scheme//hostname` of a counterpart whose port is not known: any port on that host and scheme. */
  private readonly anyPort = new Set<string>();
  private readonly refusals = new Map<string, ScopeRefusal>();

  /**
   * `given`: the URL the user gave. `ports`: the counterpart ports when known (undefined: not known, any port
   * of that scheme on the same host is the counterpart).
   */
  constructor(given: URL, ports: { http?: number; https?: number }) {
    this.exact.add(given.origin);
    for (const [scheme, port] of [
      ['http:', ports.http],
      ['https:', ports.https],
    ] as const) {
      if (scheme === given.protocol) continue;
      if (port === undefined) this.anyPort.add(`${scheme}//${given.hostname}`);
      else this.exact.add(new URL(`${scheme}//${given.host.replace(/:\d+$/, '')}${port === defaultPort(scheme) ? '' : `:${port}`}`).origin);
    }
  }

  /** May a request go to this URL? Only http(s) URLs on an origin in scope. */
  allows(url: string | URL): boolean {
    let u: URL;
    try {
      u = typeof url === 'string' ? new URL(url) : url;
    } catch (_err) {
      return false; // not a URL: nowhere to send it
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    return this.exact.has(u.origin) || this.anyPort.has(`${u.protocol}//${u.hostname}`);
  }

  /** Remember a refused URL (one entry per target origin and kind, counted). */
  refuse(url: string, from: string, kind: ScopeRefusalKind): void {
    let target: string;
    try {
      target = new URL(url).origin;
    } catch (_err) {
      target = url; // not a URL: named as it is
    }
    const key = `${kind} ${target}`;
    const r = this.refusals.get(key);
    if (r) r.count++;
    else this.refusals.set(key, { target, url, from, kind, count: 1 });
  }

  /** What was refused, one entry per target origin and kind, in the order first seen. */
  get refused(): ScopeRefusal[] {
    return [...this.refusals.values()];
  }

  /** The origins in scope, for reports (`scheme://host:*` for a counterpart on any port). */
  describe(): string[] {
    return [...this.exact, ...[...this.anyPort].map((a) => `${a}:*`)];
  }
}
