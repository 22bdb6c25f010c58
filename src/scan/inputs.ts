/**
 * The inputs a scan takes besides its target, parsed once at the edge: accepted findings (--ignore-file, a YAML
 * list) and an earlier report (--baseline, JSON). The front end reads the text; a bad text is a UsageError
 * naming the file and the entry. Their own module so yaml and zod load only when either is given.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { EXCEPTION_STATUSES, type ExceptionEntry } from '../core/assess/index.js';
import { CATEGORIES } from '../core/model.js';
import { UsageError } from '../core/errors.js';

const ignoreEntry = z
  .object({
    id: z.string().regex(/^[A-Z]+-[\w.-]+$/, 'a finding id such as VULN-3f0c12ab34cd').optional(),
    cve: z.string().regex(/^(CVE-\d{4}-\d{4,}|GHSA-[\w-]+)$/i, 'a CVE id such as CVE-2012-1823').optional(),
    reason: z.string().min(1, 'say why (reason)'),
    expires: z
      .union([z.string(), z.date()])
      .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
      .pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD'))
      .optional(),
    status: z.enum(EXCEPTION_STATUSES).default('accepted'),
  })
  .strict()
  .refine((e) => Boolean(e.id) !== Boolean(e.cve), 'give exactly one of id or cve');
const ignoreFile = z.union([z.array(ignoreEntry), z.object({ ignore: z.array(ignoreEntry) }).transform((o) => o.ignore)]);

/** Validate the text of an ignore file (YAML list) read from `path`; bad text is a usage error naming the entry. */
export function parseIgnoreFile(text: string, path: string): ExceptionEntry[] {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? [];
  } catch (err) {
    throw new UsageError({ code: 'assess.err.ignoreFile', params: { file: path, reason: (err as Error).message } });
  }
  const r = ignoreFile.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new UsageError({ code: 'assess.err.ignoreFile', params: { file: path, reason: `${i.path.join('.') || 'file'}: ${i.message}` } });
  }
  return r.data.map((e) => ({ ...e, ...(e.cve ? { cve: e.cve.toUpperCase() } : {}) }));
}

const baselineDoc = z.object({
  findings: z.array(z.object({ id: z.string(), title: z.string().default(''), category: z.enum(CATEGORIES) }).passthrough()),
  suppressed: z.array(z.object({ id: z.string() }).passthrough()).optional(),
});

export type Baseline = z.infer<typeof baselineDoc>;

/** Validate the text of an earlier JSON report read from `path` (the baseline). */
export function parseBaseline(text: string, path: string): Baseline {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError({ code: 'assess.err.baseline', params: { file: path, reason: (err as Error).message } });
  }
  const r = baselineDoc.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new UsageError({ code: 'assess.err.baseline', params: { file: path, reason: `${i.path.join('.')}: ${i.message}` } });
  }
  return r.data;
}
