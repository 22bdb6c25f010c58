/**
 * Patching in the server (issue 17): a host target's plan from its latest finished scan with the patch lag of
 * every fix against the tenant's policy (GET /api/targets/:id/patch-plan); an operator's approval of that plan
 * for a maintenance window (POST /api/patch-plans {targetId, window:{start,end}}: recorded with the approver,
 * audited, and the patch-apply job queued to start with the window); the approved plans with their outcome,
 * verification and apply log (GET /api/patch-plans, GET /api/patch-plans/:id).
 */
import { approvePatchPlan, getPatchLog, getPatchPlan, listPatchPlans, parseWindow, patchJobKey, refreshVerification, targetPatchPlan } from '../../fleet/patch-plans.js';
import { audit } from '../audit.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { idParams } from '../schemas.js';
import type { RouteModule } from '../types.js';
import { scope, who } from './util.js';

export const patchPlanRoutes: RouteModule = (app, deps) => {
  app.get('/api/targets/:id/patch-plan', {
    config: { summary: "The patch plan of a host from its latest finished scan: updates, restarts, reboot, defences, patch lag against the tenant's policy", tags: ['patching'] },
    schema: { params: idParams },
  }, async (req) => {
    const r = await targetPatchPlan(deps.store, scope(req), (req.params as { id: string }).id, deps.clock.now());
    if (!r.ok) {
      if (r.code === 'not_found') throw notFound('target');
      throw new HttpError(409, r.code, r.message);
    }
    return { targetId: r.target.id, scanId: r.scan.id, scannedAt: r.host.scannedAt, maintenanceWindow: r.target.maintenanceWindow, policy: r.plan.policy, plan: r.host };
  });

  app.post('/api/patch-plans', {
    config: { roles: ['admin', 'operator'], summary: 'Approve the current plan of a host for a maintenance window; the apply runs inside it', tags: ['patching'] },
    schema: {
      body: {
        type: 'object',
        required: ['targetId', 'window'],
        additionalProperties: false,
        properties: { targetId: { type: 'string', minLength: 1, maxLength: 100 }, window: { type: 'object', required: ['start', 'end'], additionalProperties: false, properties: { start: { type: 'string', maxLength: 40 }, end: { type: 'string', maxLength: 40 } } } },
      },
    },
  }, async (req, reply) => {
    const body = req.body as { targetId: string; window: { start: string; end: string } };
    const now = deps.clock.now();
    const w = parseWindow(body.window, now);
    if (!w.ok) throw badRequest(`body.${w.message}`);
    const r = await targetPatchPlan(deps.store, scope(req), body.targetId, now);
    if (!r.ok) {
      if (r.code === 'not_found') throw notFound('target');
      throw new HttpError(409, r.code, r.message);
    }
    const runnable = r.host.steps.some((s) => s.kind === 'update' || s.kind === 'restart');
    if (!runnable) throw new HttpError(409, 'nothing_to_apply', `the plan of "${r.target.name}" has no update or restart to apply`);
    if (!deps.runner) throw new HttpError(503, 'no_runner', 'this server has no job runner: the plan cannot be applied');
    const rec = await approvePatchPlan(deps.store, { target: r.target, scan: r.scan, plan: r.plan, window: w.window, approvedBy: who(req).user.id, now });
    await audit(deps, req, {
      action: 'patch-plan.approve',
      objectType: 'patch-plan',
      objectId: rec.id,
      tenantId: rec.tenantId,
      detail: { targetId: rec.targetId, target: rec.targetName, scanId: rec.scanId, window: rec.window, steps: rec.plan.steps.filter((s) => s.kind !== 'defence' && s.kind !== 'migration').map((s) => `${s.kind}:${s.packages.map((p) => p.name).join(',')}`) },
    });
    await deps.runner.enqueue({ kind: 'patch-apply', payload: { planId: rec.id, tenantId: rec.tenantId, targetId: rec.targetId } }, { singletonKey: patchJobKey(rec), startAfter: new Date(Math.max(Date.parse(rec.window.start), now.getTime())) });
    return reply.code(201).send(rec);
  });

  app.get('/api/patch-plans', {
    config: { summary: 'Approved patch plans with their status, outcome and verification, newest first', tags: ['patching'] },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { tenant: { type: 'string', maxLength: 100 }, target: { type: 'string', maxLength: 100 } } } },
  }, async (req) => {
    const q = req.query as { tenant?: string; target?: string };
    const list = await listPatchPlans(deps.store, scope(req), { ...(q.tenant ? { tenantId: q.tenant } : {}), ...(q.target ? { targetId: q.target } : {}) });
    const items = [];
    for (const rec of list) items.push(await refreshVerification(deps.store, rec));
    return { items };
  });

  app.get('/api/patch-plans/:id', {
    config: { summary: 'One approved patch plan with its apply log (every command and its output)', tags: ['patching'] },
    schema: { params: idParams },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const rec = await getPatchPlan(deps.store, scope(req), id);
    if (!rec) throw notFound('patch plan');
    return { ...(await refreshVerification(deps.store, rec)), log: (await getPatchLog(deps.store, scope(req), id)) ?? [] };
  });
};
