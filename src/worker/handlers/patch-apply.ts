/**
 * The `patch-apply` job: an approved plan (src/fleet/patch-plans.ts) applied to its host inside the approved
 * maintenance window, with src/remediate/apply.ts over SSH with the target's stored key — the same steps as
 * `mamori patch apply --yes` (the operator's approval is the confirmation): pre-check and simulation, record,
 * update, restart, health checks, rollback on failure. The apply log (every command and its output) is stored
 * with the plan, and the verification rescan is requested (trigger `patch-verify`); its result is compared with
 * the plan when it is done (refreshVerification).
 *
 * Never retried once the server may have changed: a failure after the first mutating command is final.
 */
import type { SshTransport } from '../../collect/transport/ssh.js';
import type { FleetStore } from '../../fleet/ports.js';
import { claimPatchPlan, patchJobKey, patchPlanForJob, savePatchLog, updatePatchPlan } from '../../fleet/patch-plans.js';
import { SYSTEM_SCOPE } from '../../fleet/types.js';
import { defaultUserAgent } from '../../scan/version.js';
import { PermanentJobError, type JobHandler, type JobRunner } from '../jobs.js';
import { reasonOf } from '../redact.js';
import { requestScan } from '../request.js';
import { credentialDir, sshSpec } from './scan.js';

export interface PatchApplyJobDeps {
  store: FleetStore;
  /** To request the verification scan. */
  runner: Pick<JobRunner, 'enqueue'>;
  clock?: () => Date;
  tmpDir?: string;
  ssh?: { sudo?: boolean; /** Per-command limit (package managers are slow): default 30 min. */ timeoutMs?: number };
  /** Health-check attempts (tests lower it). */
  healthAttempts?: number;
}

export function patchApplyHandler(deps: PatchApplyJobDeps): JobHandler<'patch-apply'> {
  const { store } = deps;
  return async (payload, ctx) => {
    const now = (deps.clock ?? (() => new Date()))();
    const rec = await patchPlanForJob(store, payload.tenantId, payload.planId);
    if (!rec || rec.targetId !== payload.targetId) throw new PermanentJobError(`patch plan ${payload.planId} not found for this target`);
    if (rec.status !== 'approved') {
      ctx.log('info', 'patch plan is not waiting to be applied; nothing to do', { planId: rec.id, status: rec.status });
      return;
    }
    const start = Date.parse(rec.window.start);
    const end = Date.parse(rec.window.end);
    if (now.getTime() > end) {
      await updatePatchPlan(store, rec.tenantId, rec.id, { status: 'expired', result: { status: 'expired', reason: `the maintenance window ended at ${rec.window.end} before the plan could run`, changed: false, startedAt: now.toISOString(), finishedAt: now.toISOString() } }, { from: ['approved'] });
      throw new PermanentJobError(`the maintenance window of plan ${rec.id} has ended`);
    }
    // Early (a runner without startAfter, or a clock skew): fail the attempt; the retry comes later.
    if (now.getTime() < start) throw new Error(`the maintenance window of plan ${rec.id} starts at ${rec.window.start}`);
    const target = await store.getTarget(SYSTEM_SCOPE, rec.targetId);
    if (!target) throw new PermanentJobError('the target was deleted');
    const secrets = await store.getTargetSecrets(target.id);
    if (!secrets.sshKey) throw new PermanentJobError('the target has no stored SSH key');
    if (!secrets.knownHosts?.trim()) throw new PermanentJobError('the target has no stored known_hosts entry: scan it once to learn the host key, or add it');
    const spec = sshSpec(target);
    // Claimed once (approved → running, atomically): a second job of the same plan, on this worker or another
    // (a duplicate delivery, a job queued again), finds it taken and does nothing. While another plan of the same
    // server is being applied, this attempt fails and the retry comes later (inside the window, or it expires).
    const claim = await claimPatchPlan(store, rec.tenantId, rec.id);
    if ('busy' in claim) throw new Error(`plan ${claim.busy.id} is being applied to this server; plan ${rec.id} waits for it to finish`);
    if ('taken' in claim) {
      ctx.log('info', 'patch plan taken by another job; nothing to do', { planId: rec.id });
      return;
    }
    ctx.progress({ code: 'patch.job.start', params: { target: target.name } });
    const creds = credentialDir(secrets, deps.tmpDir);
    const startedAt = now.toISOString();
    let log: unknown[] = [];
    try {
      const [{ openHostTransport }, { applyHost }, { sshRunner }, { healthGet }] = await Promise.all([
        import('../../scan/transport.js'),
        import('../../remediate/apply.js'),
        import('../../remediate/runner.js'),
        import('../../remediate/http-check.js'),
      ]);
      const httpGet = healthGet(defaultUserAgent);
      const t = await openHostTransport({ ssh: spec, identity: creds.identity, knownHosts: creds.knownHosts, acceptNewHostKey: false, sudo: Boolean(deps.ssh?.sudo), timeoutMs: deps.ssh?.timeoutMs ?? 1_800_000 });
      try {
        if (t.kind !== 'ssh') throw new PermanentJobError('a host target is reached over SSH');
        const runner = sshRunner(t as SshTransport, { sudo: Boolean(deps.ssh?.sudo) });
        try {
          const result = await applyHost(runner, rec.plan, { httpGet, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), ...(deps.healthAttempts ? { attempts: deps.healthAttempts } : {}) });
          log = runner.log;
          const finishedAt = (deps.clock ?? (() => new Date()))().toISOString();
          await savePatchLog(store, rec.tenantId, rec.id, log);
          const status = result.status === 'applied' ? 'applied' : result.status === 'rolled-back' ? 'rolled-back' : result.status === 'refused' ? 'refused' : result.status === 'nothing-to-do' ? 'nothing-to-do' : 'failed';
          let verifyScanId: string | undefined;
          if (result.changed || result.status === 'nothing-to-do') {
            const v = await requestScan(store, deps.runner, SYSTEM_SCOPE, target.id, 'patch-verify');
            verifyScanId = v?.scan.id;
          }
          await updatePatchPlan(store, rec.tenantId, rec.id, {
            status,
            result: { status: result.status, ...(result.reason ? { reason: result.reason } : {}), changed: result.changed, rebootPending: result.rebootPending, startedAt, finishedAt },
            ...(verifyScanId ? { verifyScanId } : {}),
          });
          ctx.log(status === 'applied' || status === 'nothing-to-do' ? 'info' : 'warn', 'patch plan applied', { planId: rec.id, targetId: target.id, status, changed: result.changed, commands: log.length });
        } finally {
          if (!log.length && runner.log.length) await savePatchLog(store, rec.tenantId, rec.id, runner.log);
        }
      } finally {
        await t.close();
      }
    } catch (err) {
      const reason = reasonOf(err);
      await updatePatchPlan(store, rec.tenantId, rec.id, { status: 'failed', result: { status: 'failed', reason, changed: false, startedAt, finishedAt: new Date().toISOString() } });
      // Whether anything changed is unknown here: never retried automatically.
      throw new PermanentJobError(reason);
    } finally {
      creds.dispose();
    }
  };
}

/**
 * At start: queue again the apply of every approved plan whose window has not ended (the in-process runner
 * keeps non-scan jobs in memory, so a restart between the approval and the window would lose them). A plan left
 * `running` by a stopped server stays so (whether it changed the server is unknown): it is never re-run.
 */
export async function resumeApprovedPatchPlans(store: FleetStore, runner: Pick<JobRunner, 'enqueue'>, now: Date): Promise<number> {
  const { listPatchPlans } = await import('../../fleet/patch-plans.js');
  let queued = 0;
  for (const rec of await listPatchPlans(store, SYSTEM_SCOPE)) {
    if (rec.status !== 'approved' || Date.parse(rec.window.end) <= now.getTime()) continue;
    await runner.enqueue({ kind: 'patch-apply', payload: { planId: rec.id, tenantId: rec.tenantId, targetId: rec.targetId } }, { singletonKey: patchJobKey(rec), startAfter: new Date(Math.max(Date.parse(rec.window.start), now.getTime())) });
    queued++;
  }
  return queued;
}
