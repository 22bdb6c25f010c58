/** The health check's GET (patch apply compares a page before and after): at most 5 requests, 5 per second. */
import { HttpClient, defaultHttpOptions, textOf } from '../probe/http.js';

export type HealthGet = (url: string) => Promise<{ status: number; body: string } | { error: string }>;

export function healthGet(userAgent: string): HealthGet {
  return async (url) => {
    const client = new HttpClient({ ...defaultHttpOptions(userAgent), budget: 5, ratePerSec: 5 });
    try {
      const r = await client.fetch(url);
      return r.ok ? { status: r.value.status, body: textOf(r.value.body) } : { error: `${r.issue.code}: ${r.issue.message}` };
    } finally {
      await client.close();
    }
  };
}
