/**
 * What the server's operations routes (src/server/routes/jobs-ops.ts) read, whichever runner it has: the
 * metrics registry, the queue (pg-boss: depth and dead letters from PostgreSQL; in process: the store's queued
 * and failed scans), and the knowledge DB whose bundle workers download.
 */
import { join } from 'node:path';
import { bundleCache } from '../knowledge/export/version.js';
import type { FleetStore } from '../fleet/ports.js';
import { SYSTEM_SCOPE, type Scope } from '../fleet/types.js';
import type { JobRunner } from './jobs.js';
import { Gauge, Registry } from './metrics.js';
import type { PgBossJobRunner } from './pgboss-runner.js';

export interface DeadLetter {
  id: string;
  queue: string;
  scanId: string | null;
  targetId: string | null;
  tenantId: string | null;
  reason: string;
  at: string;
}

/** Jobs waiting or running, by queue and state (pg-boss: its job table; in process: the runner's jobs). */
export interface QueueDepth {
  queue: string;
  state: string;
  count: number;
}

/** The tenants a scope sees, as the store reads it: 'all' for admins only; a non-admin with 'all' sees none. */
export const scopeTenants = (scope: Scope): 'all' | readonly string[] => (scope.tenantIds === 'all' ? (scope.role === 'admin' ? 'all' : []) : scope.tenantIds);

export interface ServerOps {
  registry: Registry;
  /** Which runner the server has: its dead letters and queue depth come from it. */
  runner: 'pg-boss' | 'in-process';
  /**
   * Jobs that failed for good, newest first, in the scope: filtered by tenant where they are read (the SQL of
   * pg-boss or of the store), then `limit` applied, so a caller gets up to `limit` of their own. Jobs of no
   * tenant (knowledge updates) only for admins.
   */
  deadLetters(limit: number, scope: Scope): Promise<DeadLetter[]>;
  /** The whole queue by queue and state, every tenant: for admins only (the route checks). */
  queueDepth(): Promise<QueueDepth[]>;
  /** The bundle of the server's knowledge DB (null: no DB yet). */
  knowledgeBundle(): Promise<{ version: string; file: string; bytes: number } | null>;
}

export function serverOps(o: { store: FleetStore; runner: Pick<JobRunner, 'list'>; pgboss?: PgBossJobRunner; knowledgeDb: string; home: string }): ServerOps {
  const registry = new Registry();
  const bundles = bundleCache(o.knowledgeDb, join(o.home, 'bundles'));
  registry.register(
    new Gauge('mamori_scans', 'Scans by status in the store (queued and running: the scan queue).', async () => {
      const out = [];
      for (const status of ['queued', 'running'] as const) out.push({ labels: { status }, value: (await o.store.listScans(SYSTEM_SCOPE, { status }, { page: 1, pageSize: 1 })).total });
      return out;
    }),
  );
  if (o.pgboss) {
    const engine = o.pgboss.engine;
    registry.register(new Gauge('mamori_queue_depth', 'Jobs waiting or running in the cluster, by queue and state (created, retry, active).', async () => (await engine.depth()).map((d) => ({ labels: { queue: d.queue, state: d.state }, value: d.count }))));
    registry.register(new Gauge('mamori_cluster_scans_last_minute', 'Scans completed by all workers in the last 60 seconds.', async () => [{ labels: {}, value: await engine.clusterScansLastMinute() }]));
    registry.register(new Gauge('mamori_dead_letters', 'Jobs that failed for good (dead-letter queue, kept 14 days).', async () => [{ labels: {}, value: (await engine.deadLetters(10_000)).length }]));
  } else {
    registry.register(
      new Gauge('mamori_cluster_scans_last_minute', 'Scans finished by the in-process runner in the last 60 seconds.', () => {
        const since = Date.now() - 60_000;
        return [{ labels: {}, value: o.runner.list().filter((j) => j.kind === 'scan' && j.status === 'done' && j.finishedAt && Date.parse(j.finishedAt) > since).length }];
      }),
    );
  }
  return {
    registry,
    runner: o.pgboss ? 'pg-boss' : 'in-process',
    knowledgeBundle: () => bundles.current(),
    async queueDepth() {
      if (o.pgboss) return o.pgboss.engine.depth();
      const by = new Map<string, QueueDepth>();
      for (const j of o.runner.list()) {
        if (j.status !== 'queued' && j.status !== 'retrying' && j.status !== 'running') continue;
        const k = `${j.kind}\u0000${j.status}`;
        const d = by.get(k) ?? { queue: j.kind, state: j.status, count: 0 };
        d.count++;
        by.set(k, d);
      }
      return [...by.values()].sort((a, b) => a.queue.localeCompare(b.queue) || a.state.localeCompare(b.state));
    },
    async deadLetters(limit, scope) {
      if (o.pgboss) {
        return (await o.pgboss.engine.deadLetters(limit, scopeTenants(scope))).map((d) => ({
          id: d.id,
          queue: String(d.data.queue ?? 'unknown'),
          scanId: d.data.scanId ?? null,
          targetId: d.data.targetId ?? null,
          tenantId: d.data.tenantId ?? null,
          reason: d.reason,
          at: d.createdOn,
        }));
      }
      // in process: a scan whose attempts ran out stays failed with its reason (the store is the dead-letter list)
      const page = await o.store.listScans(scope, { status: 'failed' }, { page: 1, pageSize: limit });
      return page.items.map((s) => ({ id: s.id, queue: 'scan', scanId: s.id, targetId: s.targetId, tenantId: s.tenantId, reason: s.failureReason ?? 'unknown', at: s.finishedAt ?? s.queuedAt }));
    },
  };
}
