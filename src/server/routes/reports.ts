/**
 * Reports rendered by the job runner (the `render-report` job, src/worker/handlers/report.ts):
 * POST /api/tenants/:id/reports {format, lang, scanId?, deliver?} queues one (202 with the queued record);
 * GET /api/tenants/:id/reports lists a tenant's reports (no bytes); GET /api/reports/:id one record (to poll);
 * GET /api/reports/:id/download the bytes once done. Viewers may request and download their own tenants'
 * reports (they may download the owner report synchronously too); only admins and operators may have one
 * emailed (`deliver`). Out of scope answers 404 like a missing object.
 *
 * On PostgreSQL deployments this is the way to get a report: the rendering (Chromium for PDFs) runs on
 * `mamori worker` processes, not in the server. GET /api/tenants/:id/report (synchronous) stays for compatibility.
 */
import { REPORT_STATUSES, type ReportStatus } from '../../fleet/types.js';
import { audit } from '../audit.js';
import { forbidden, HttpError, notFound } from '../errors.js';
import { idParams } from '../schemas.js';
import type { RouteModule } from '../types.js';
import { scope, who } from './util.js';

/** Reports of one tenant queued or rendering at once; a further request answers 429 until one is done. */
export const MAX_PENDING_REPORTS = 3;

export const reportRoutes: RouteModule = (app, deps) => {
  app.post('/api/tenants/:id/reports', {
    config: { viewerMayWrite: true, summary: "Queue a report of the tenant (the owner report, or one scan's with scanId) as PDF or HTML in Japanese or English; rendered by a worker (202 with the queued record)", tags: ['reports'] },
    schema: {
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          format: { type: 'string', enum: ['html', 'pdf'], default: 'pdf' },
          lang: { type: 'string', enum: ['ja', 'en'], default: 'ja' },
          scanId: { type: 'string', minLength: 1, maxLength: 100 },
          deliver: { type: 'boolean', default: false, description: "email it to the tenant's report recipients when done (admins and operators)" },
        },
      },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const body = (req.body ?? {}) as { format?: 'html' | 'pdf'; lang?: 'ja' | 'en'; scanId?: string; deliver?: boolean };
    const format = body.format ?? 'pdf';
    const lang = body.lang ?? 'ja';
    const s = scope(req);
    if (!(await deps.store.getTenant(s, id))) throw notFound('tenant');
    if (body.deliver && who(req).user.role === 'viewer') throw forbidden('body.deliver: only an admin or an operator may have a report emailed');
    if (body.scanId) {
      const scan = await deps.store.getScan(s, body.scanId);
      if (!scan || scan.tenantId !== id) throw notFound('scan');
      if (scan.status !== 'done') throw new HttpError(409, 'scan_not_done', `body.scanId: scan ${body.scanId} is ${scan.status}; only a finished scan has a report`);
    }
    if (!deps.runner) throw new HttpError(503, 'no_runner', 'this server has no job runner: the report cannot be rendered; use GET /api/tenants/:id/report');
    // a render is costly (Chromium for a PDF): a tenant has a few waiting at most, so one account cannot flood the workers
    const pending = await deps.store.listReports(s, { tenantId: id, status: ['queued', 'running'] }, MAX_PENDING_REPORTS);
    if (pending.length >= MAX_PENDING_REPORTS) {
      throw new HttpError(429, 'too_many_reports', `${pending.length} reports of this tenant are being prepared; request another when one of them is done (GET /api/tenants/${id}/reports)`);
    }
    const rec = await deps.store.createReport(s, { tenantId: id, scanId: body.scanId ?? null, format, lang, deliver: Boolean(body.deliver) });
    if (!rec) throw notFound('tenant');
    await audit(deps, req, {
      action: 'report.request',
      objectType: 'report',
      objectId: rec.id,
      tenantId: id,
      detail: { format, lang, ...(body.scanId ? { scanId: body.scanId } : {}), deliver: Boolean(body.deliver) },
    });
    try {
      await deps.runner.enqueue({ kind: 'render-report', payload: { tenantId: id, reportId: rec.id, format, lang, ...(body.scanId ? { scanId: body.scanId } : {}), ...(body.deliver ? { deliver: true } : {}) } });
    } catch (err) {
      await deps.store.failReport(rec.id, `the report job could not be queued: ${(err as Error).message}`.slice(0, 500), true);
      throw new HttpError(503, 'not_queued', 'the report job could not be queued; try again later');
    }
    // The record as queued (an in-process runner may already be rendering it: poll GET /api/reports/:id).
    return reply.code(202).send(rec);
  });

  app.get('/api/tenants/:id/reports', {
    config: { summary: "A tenant's rendered reports, newest first (status, size, SHA-256; not the bytes)", tags: ['reports'] },
    schema: {
      params: idParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { status: { type: 'string', enum: REPORT_STATUSES }, limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
      },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const q = req.query as { status?: ReportStatus; limit?: number };
    if (!(await deps.store.getTenant(scope(req), id))) throw notFound('tenant');
    return { items: await deps.store.listReports(scope(req), { tenantId: id, ...(q.status ? { status: [q.status] } : {}) }, q.limit ?? 50) };
  });

  app.get('/api/reports/:id', {
    config: { summary: 'One rendered report: its status, failure reason, size and SHA-256', tags: ['reports'] },
    schema: { params: idParams },
  }, async (req) => {
    const r = await deps.store.getReport(scope(req), (req.params as { id: string }).id);
    if (!r) throw notFound('report');
    return r;
  });

  app.get('/api/reports/:id/download', {
    config: { summary: 'The bytes of a rendered report (PDF or HTML, a download); 409 while it is not done', tags: ['reports'] },
    schema: { params: idParams },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const got = await deps.store.getReportContent(scope(req), id);
    if (!got) {
      const r = await deps.store.getReport(scope(req), id);
      if (!r) throw notFound('report');
      throw new HttpError(409, 'report_not_ready', r.status === 'failed' ? `the report failed: ${r.failureReason ?? 'unknown reason'}` : `the report is ${r.status}; download it when it is done`);
    }
    const filename = (got.report.filename ?? `report.${got.report.format}`).replace(/[^\w.-]+/g, '_');
    reply.header('content-disposition', `attachment; filename="${filename}"`);
    if (got.report.sha256) reply.header('x-content-sha256', got.report.sha256);
    return reply.type(got.report.contentType ?? 'application/octet-stream').send(Buffer.from(got.content));
  });
};
