/**
 * The outside check of a temporary defence: the one harmless GET its data describes (`DefenceSnippets.check`),
 * sent to the site, and whether the answer shows the defence works. GET only, one request, bounded in time
 * and size, on the origin given.
 */
import { request } from 'undici';
import type { DefenceSnippets } from '../core/assess/data/defences.js';

export interface DefenceCheckResult {
  key: string;
  url: string;
  status?: number;
  works: boolean;
  detail: string;
}

const MAX_BODY = 256 * 1024;

/** `base` is the site's origin (`https://shop.example.jp`); `phpPage` a PHP page of it for `{php}` (default `/index.php`). */
export async function checkDefence(base: string, d: DefenceSnippets, opts: { phpPage?: string; timeoutMs?: number; userAgent: string }): Promise<DefenceCheckResult> {
  const url = new URL(d.check.path.replace('{php}', opts.phpPage ?? '/index.php'), base).href;
  try {
    // The check's own headers win (Shellshock's probe is its User-Agent); names compared without case.
    const headers: Record<string, string> = { 'user-agent': opts.userAgent };
    for (const [k, v] of Object.entries(d.check.headers ?? {})) headers[k.toLowerCase()] = v;
    const res = await request(url, { method: 'GET', headers, headersTimeout: opts.timeoutMs ?? 10_000, bodyTimeout: opts.timeoutMs ?? 10_000 });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of res.body) {
      const b = c as Buffer;
      if (size + b.length > MAX_BODY) {
        chunks.push(b.subarray(0, MAX_BODY - size));
        break;
      }
      chunks.push(b);
      size += b.length;
    }
    res.body.destroy();
    const body = Buffer.concat(chunks).toString('utf8');
    const byStatus = d.check.expectStatus?.includes(res.statusCode) ?? false;
    const leaked = d.check.bodyMustNotContain !== undefined && body.includes(d.check.bodyMustNotContain);
    const works = byStatus || (d.check.bodyMustNotContain !== undefined && !leaked);
    const detail = byStatus ? `answered ${res.statusCode}` : leaked ? `answered ${res.statusCode} and the body shows the attack worked` : d.check.bodyMustNotContain !== undefined ? `answered ${res.statusCode}; the body does not show the attack` : `answered ${res.statusCode}, expected ${d.check.expectStatus?.join(' or ')}`;
    return { key: d.key, url, status: res.statusCode, works, detail };
  } catch (err) {
    return { key: d.key, url, works: false, detail: `no answer: ${(err as Error).message}` };
  }
}
