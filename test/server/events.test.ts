/**
 * GET /api/jobs and GET /api/events (Server-Sent Events over real HTTP) show a caller the jobs of their tenants
 * only; knowledge updates (no tenant) only to admins. The runner here is a small event source standing in for the
 * in-process runner (its own tests are in src/worker): what is checked is the server's scoping and the stream.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JobEvent, JobInfo } from '../../src/worker/jobs.js';
import { PASSWORDS, bearer, buildFixture, dialects, login, type Fixture } from './helpers.js';

class EventSourceRunner {
  listeners = new Set<(e: JobEvent) => void>();
  jobs: JobInfo[] = [];
  async enqueue(): Promise<string> {
    return 'job';
  }
  list(): JobInfo[] {
    return this.jobs;
  }
  subscribe(l: (e: JobEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(e: JobEvent): void {
    for (const l of this.listeners) l(e);
  }
}

const sqlite = (await dialects())[0]!;

describe('jobs and live events are scoped by tenant', () => {
  let fx: Fixture;
  const runner = new EventSourceRunner();
  let base = '';
  before(async () => {
    const { store, cleanup } = await sqlite.open();
    fx = await buildFixture(store, cleanup, runner);
    await fx.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(fx.app.server.address() as { port: number }).port}`;
  });
  after(async () => fx?.close());

  const job = (tenantId: string | null, id: string): JobInfo => ({ id, kind: tenantId ? 'scan' : 'knowledge-update', status: 'running', attempt: 1, tenantId, queuedAt: '2026-12-01T00:00:00Z', startedAt: null, finishedAt: null, reason: null });

  it('GET /api/jobs lists only the jobs of the caller\'s tenants', async () => {
    runner.jobs = [job(fx.tenantA.id, 'a1'), job(fx.tenantB.id, 'b1'), job(null, 'k1')];
    const viewerB = await login(fx, 'viewer-b@example.jp', PASSWORDS.viewerB);
    const asB = await fx.req({ method: 'GET', url: '/api/jobs', headers: { cookie: `mamori_session=${viewerB.cookie}` } });
    assert.deepEqual((asB.json() as { items: JobInfo[] }).items.map((j) => j.id), ['b1']);
    const asAdmin = await fx.req({ method: 'GET', url: '/api/jobs', headers: bearer(fx.tokens.admin) });
    assert.deepEqual((asAdmin.json() as { items: JobInfo[] }).items.map((j) => j.id), ['a1', 'b1', 'k1']);
    assert.equal((await fx.req({ method: 'GET', url: '/api/jobs' })).statusCode, 401);
  });

  it('GET /api/events streams the caller\'s events only, with the CSP; anonymous is refused', async () => {
    assert.equal((await fetch(`${base}/api/events`)).status, 401);
    const ctl = new AbortController();
    const res = await fetch(`${base}/api/events`, { headers: bearer(fx.tokens.viewerA), signal: ctl.signal });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    const reader = res.body!.getReader();
    const at = '2026-12-01T00:00:00Z';
    // Wait until the server subscribed, then emit one event of each tenant and one of no tenant.
    for (let i = 0; i < 100 && runner.listeners.size === 0; i++) await new Promise((r) => setTimeout(r, 20));
    runner.emit({ type: 'status', jobId: 'b1', kind: 'scan', status: 'running', attempt: 1, tenantId: fx.tenantB.id, at });
    runner.emit({ type: 'status', jobId: 'k1', kind: 'knowledge-update', status: 'running', attempt: 1, tenantId: null, at });
    runner.emit({ type: 'status', jobId: 'a1', kind: 'scan', status: 'done', attempt: 1, tenantId: fx.tenantA.id, scanId: fx.scanA, at });
    let text = '';
    while (!text.includes('"a1"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ctl.abort();
    assert.match(text, /event: status\ndata: \{"type":"status","jobId":"a1"/);
    assert.ok(!text.includes('"b1"'), 'tenant B event not sent to a tenant A viewer');
    assert.ok(!text.includes('"k1"'), 'knowledge update not sent to a viewer');
    for (let i = 0; i < 100 && runner.listeners.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(runner.listeners.size, 0, 'the subscription ends when the client goes');
  });
});
