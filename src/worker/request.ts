/**
 * Asking for a scan: the scan record (queued, shown at once in the dashboard) and its job. One queued scan per
 * target: asking again while one waits returns the waiting one (many clicks, a schedule and an API call make
 * one scan). Used by the HTTP server (POST /api/targets/:id/scans), `fleet scan` and the schedules.
 */
import type { FleetStore } from '../fleet/ports.js';
import type { ScanRecord, Scope } from '../fleet/types.js';
import type { JobRunner } from './jobs.js';

export async function requestScan(
  store: FleetStore,
  runner: Pick<JobRunner, 'enqueue'>,
  scope: Scope,
  targetId: string,
  trigger: ScanRecord['trigger'],
  opts: { startAfter?: Date } = {},
): Promise<{ scan: ScanRecord; created: boolean } | undefined> {
  const waiting = await store.listScans(scope, { targetId, status: 'queued' }, { page: 1, pageSize: 1 });
  if (waiting.items[0]) return { scan: waiting.items[0], created: false };
  const scan = await store.createScan(scope, targetId, trigger);
  if (!scan) return undefined;
  await runner.enqueue({ kind: 'scan', payload: { scanId: scan.id, targetId: scan.targetId, tenantId: scan.tenantId } }, { singletonKey: scan.targetId, ...(opts.startAfter ? { startAfter: opts.startAfter } : {}) });
  return { scan, created: true };
}
