/** Scans (status, the stored report document, the rendered report), the diff of two scans, and findings with filters and CSV. */
import { Readable } from 'node:stream';
import { CATEGORIES, SEVERITIES, type Category, type Severity } from '../../core/model.js';
import type { FindingRow } from '../../fleet/types.js';
import { SCAN_STATUSES } from '../../fleet/types.js';
import { renderers } from '../../report/index.js';
import { badRequest, notFound } from '../errors.js';
import { idParams, pageQuery } from '../schemas.js';
import type { RouteModule } from '../types.js';
import { pageOf, scope } from './util.js';

/** `a,b` → ['a','b'] checked against a closed list; names the parameter and the bad value. */
function listParam<T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const values = raw.split(',').map((v) => v.trim()).filter(Boolean);
  const bad = values.find((v) => !allowed.includes(v as T));
  if (bad) throw badRequest(`querystring.${name}: "${bad.slice(0, 50)}" is not one of ${allowed.join(', ')}`);
  return values as T[];
}

/** A CSV cell: quoted when needed; a leading = + - @ is defused so spreadsheets do not run it as a formula. */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * unverifiedSince: the latest-findings list only; set when the scans since the finding's last sighting could not
 * check it (a gap): open, neither verified nor resolved (src/fleet/coverage.ts). Empty when the latest scan saw it.
 */
export const CSV_COLUMNS = ['targetName', 'targetId', 'tenantId', 'scanId', 'findingId', 'severity', 'category', 'title', 'component', 'version', 'package', 'cves', 'kev', 'fixPublishedAt', 'accepted', 'unverifiedSince'] as const;

export const scanRoutes: RouteModule = (app, deps) => {
  app.get('/api/scans', {
    config: { summary: 'Scans (paged; filters: tenant, target, status)', tags: ['scans'] },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { tenant: { type: 'string', maxLength: 100 }, target: { type: 'string', maxLength: 100 }, status: { type: 'string', enum: SCAN_STATUSES }, ...pageQuery } } },
  }, async (req) => {
    const q = req.query as { tenant?: string; target?: string; status?: (typeof SCAN_STATUSES)[number]; page?: number; pageSize?: number };
    return deps.store.listScans(scope(req), { tenantId: q.tenant, targetId: q.target, status: q.status }, pageOf(q));
  });

  app.get('/api/scans/:id', { config: { summary: 'One scan: status, attempts, failure reason, summary', tags: ['scans'] }, schema: { params: idParams } }, async (req) => {
    const s = await deps.store.getScan(scope(req), (req.params as { id: string }).id);
    if (!s) throw notFound('scan');
    return s;
  });

  app.get('/api/scans/:id/document', { config: { summary: "The scan's full report document (the JSON of the contract)", tags: ['scans'] }, schema: { params: idParams } }, async (req) => {
    const d = await deps.store.getScanDocument(scope(req), (req.params as { id: string }).id);
    if (!d) throw notFound('scan document');
    return d;
  });

  app.get('/api/scans/:id/report', {
    config: { summary: "The scan's report as HTML or PDF, in Japanese or English (a download)", tags: ['scans'] },
    schema: { params: idParams, querystring: { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['html', 'pdf'], default: 'html' }, lang: { type: 'string', enum: ['ja', 'en'], default: 'ja' } } } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const q = req.query as { format: 'html' | 'pdf'; lang: 'ja' | 'en' };
    const doc = await deps.store.getScanDocument(scope(req), id);
    if (!doc) throw notFound('scan document');
    const body = await renderers[q.format]!(doc, { lang: q.lang });
    const safeName = `mamori-${doc.target.name.replace(/[^\w.-]+/g, '_').slice(0, 60)}-${id.slice(0, 8)}.${q.format}`;
    reply.header('content-disposition', `attachment; filename="${safeName}"`);
    return reply.type(q.format === 'pdf' ? 'application/pdf' : 'text/html; charset=utf-8').send(typeof body === 'string' ? body : Buffer.from(body));
  });

  app.get('/api/diff', {
    config: { summary: 'What changed between two scans of a target: new, resolved, unchanged findings, and those absent because a scan did not check them (notChecked: not resolved; notCheckedBefore: not new)', tags: ['findings'] },
    schema: { querystring: { type: 'object', required: ['from', 'to'], additionalProperties: false, properties: { from: { type: 'string', minLength: 1, maxLength: 100 }, to: { type: 'string', minLength: 1, maxLength: 100 } } } },
  }, async (req) => {
    const q = req.query as { from: string; to: string };
    const d = await deps.store.diffScans(scope(req), q.from, q.to);
    if (!d) throw notFound('scan');
    return d;
  });

  app.get('/api/findings', {
    config: { summary: "Findings of each target's latest scan (or of one scan), filtered; format=csv for a spreadsheet", tags: ['findings'] },
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          tenant: { type: 'string', maxLength: 100 },
          target: { type: 'string', maxLength: 100 },
          scan: { type: 'string', maxLength: 100 },
          severity: { type: 'string', maxLength: 100, description: 'comma-separated: critical,high,…' },
          category: { type: 'string', maxLength: 400, description: 'comma-separated categories' },
          cve: { type: 'string', maxLength: 40 },
          package: { type: 'string', maxLength: 200 },
          tag: { type: 'string', maxLength: 64 },
          kev: { type: 'boolean' },
          q: { type: 'string', maxLength: 200 },
          format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
          ...pageQuery,
        },
      },
      response: {
        200: {
          description: "A page of findings. Without `scan`, matches are counted up to 10,000 (or up to the end of the page asked for, when further): beyond, `total` is that figure and `totalIsLowerBound` is true (there are more; show it as \"10,000+\"). With `scan`, the count is exact.",
          type: 'object',
          required: ['items', 'total', 'totalIsLowerBound', 'page', 'pageSize'],
          properties: {
            items: { type: 'array', items: { type: 'object', additionalProperties: true } },
            total: { type: 'integer', description: 'the matches; a lower bound when totalIsLowerBound' },
            totalIsLowerBound: { type: 'boolean', description: 'true when counting stopped at total: there are more matches' },
            page: { type: 'integer' },
            pageSize: { type: 'integer' },
          },
        },
      },
    },
  }, async (req, reply) => {
    const q = req.query as Record<string, string | number | boolean | undefined>;
    const filter = {
      tenantId: q.tenant as string | undefined,
      targetId: q.target as string | undefined,
      scanId: q.scan as string | undefined,
      severity: listParam<Severity>('severity', q.severity as string | undefined, SEVERITIES),
      category: listParam<Category>('category', q.category as string | undefined, CATEGORIES),
      cve: q.cve as string | undefined,
      package: q.package as string | undefined,
      tag: q.tag as string | undefined,
      kev: q.kev as boolean | undefined,
      q: q.q as string | undefined,
    };
    if (q.format !== 'csv') return deps.store.listFindings(scope(req), filter, pageOf(q as { page?: number; pageSize?: number }));
    // Streamed a batch at a time (the store reads on from the last row, keyset), never the whole CSV in memory. The
    // first batch is read before the answer starts, so a failure there is a clean error; a later one aborts the
    // transfer (no final chunk), so a cut export never looks complete. No row cap: with memory bounded by the batch,
    // the export is whole (it stopped silently at 200,000 rows when it was built in memory).
    const batches = deps.store.findingsInOrder(scope(req), filter, 500)[Symbol.asyncIterator]();
    const first = await batches.next();
    const line = (f: FindingRow & { targetName: string }) => `${CSV_COLUMNS.map((c) => csvCell(f[c])).join(',')}\r\n`;
    async function* csv() {
      let next = first;
      yield `\uFEFF${CSV_COLUMNS.join(',')}\r\n`;
      try {
        while (!next.done) {
          yield next.value.map(line).join('');
          next = await batches.next();
        }
      } finally {
        await batches.return?.();
      }
    }
    reply.header('content-disposition', 'attachment; filename="mamori-findings.csv"');
    return reply.type('text/csv; charset=utf-8').send(Readable.from(csv(), { objectMode: false }));
  });
};
