/**
 * The report document of docs/contract.md as read back at the edge (`mamori report`, later a server's upload
 * or a worker's queue): the zod schema and its parser, with the evidence checked per category against the
 * types of src/core/evidence.ts. Parsed once; everything after reads typed values. Its own module so zod loads
 * only when a saved scan is read. Known fields are checked, extra fields kept (the contract grows by adding).
 */
import { z } from 'zod';
import { CATEGORIES, LANGS, SEVERITIES, SUPPORT_PHASES, TARGET_KINDS, UPDATE_TOOLS, summarize, type Category, type ReportDocument } from '../model.js';

const str = z.string();
const opt = <T extends z.ZodTypeAny>(t: T) => t.optional();
const priority = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const message = z.object({ code: str, params: opt(z.record(z.union([z.string(), z.number()]))) }).passthrough();

const num = z.number();
const cveEvidence = z
  .object({
    id: str,
    severity: opt(z.enum(SEVERITIES)),
    cvss: opt(num),
    cvssVersion: opt(str),
    epss: opt(num),
    kev: opt(z.object({ dateAdded: str }).passthrough()),
    fixedIn: opt(str),
    feed: opt(str),
    record: opt(str),
  })
  .passthrough();
const cveList = opt(z.array(z.union([cveEvidence, str])));
const open = <T extends z.ZodRawShape>(shape: T) => z.object(shape).passthrough();
const webCheck = open({ check: opt(str), references: opt(z.array(str)) });
const dataExposure = open({ kinds: opt(z.record(num)), records: opt(num), samples: opt(z.array(z.unknown())), served: opt(z.union([z.boolean(), z.literal('unknown')])) });

/** The evidence of each category (src/core/evidence.ts): the fields reporters read, with their types. */
const EVIDENCE: Record<Category, z.ZodTypeAny> = {
  vulnerability: open({ cves: cveList, cve: opt(cveEvidence), kev: opt(z.boolean()), distroBuild: opt(z.boolean()), fixedOnlyOnLaterLines: opt(num) }),
  'missing-security-update': open({ cves: cveList, advisories: opt(z.array(z.unknown())), installed: opt(str), fixedVersion: opt(str) }),
  'end-of-life': open({ phase: opt(z.enum(SUPPORT_PHASES)), securitySupportEnd: opt(str), daysLeft: opt(num) }),
  'outdated-application': open({ status: opt(str), detectedBy: opt(str) }),
  'personal-data-exposure': dataExposure,
  'sensitive-file-exposure': dataExposure,
  'plaintext-transport': webCheck,
  'weak-tls': webCheck,
  certificate: webCheck,
  'security-header': webCheck,
  cookie: webCheck,
  'information-disclosure': webCheck,
};

const finding = z
  .object({
    id: str.min(1),
    category: z.enum(CATEGORIES),
    severity: z.enum(SEVERITIES),
    title: str,
    message: opt(message),
    component: opt(z.object({ name: str, version: opt(str) }).passthrough()),
    cves: opt(z.array(str)),
    location: opt(str),
    evidence: opt(z.record(z.unknown())),
    remediation: z
      .object({
        priority,
        action: str,
        actionMessage: opt(message),
        command: opt(str),
        reviewBy: opt(str),
        steps: opt(z.array(z.object({ priority, action: str, command: opt(str), reviewBy: opt(str) }).passthrough())),
        update: opt(
          z
            .object({
              tool: opt(z.enum(UPDATE_TOOLS)),
              packages: z.array(z.object({ name: str.min(1), from: opt(str), to: opt(str), arch: opt(str) }).passthrough()),
              advisories: z.array(str),
              restart: z.array(str),
              reboot: z.boolean(),
              publishedAt: opt(str),
            })
            .passthrough(),
        ),
      })
      .passthrough(),
    damage: opt(z.object({ customers: str, organisation: str, code: opt(str) }).passthrough()),
    confidence: opt(z.number()),
    source: opt(str),
    rank: opt(z.number()),
  })
  .passthrough()
  .superRefine((f, ctx) => {
    if (f.evidence === undefined) return;
    const r = EVIDENCE[f.category].safeParse(f.evidence);
    if (!r.success) for (const i of r.error.issues) ctx.addIssue({ ...i, path: ['evidence', ...i.path] });
  });

/** The report document of docs/contract.md, as read back from a file: known fields checked, extra fields kept. */
export const reportDocumentSchema = z
  .object({
    schemaVersion: z.literal(1),
    tool: z.object({ name: z.literal('mamori'), version: str }).passthrough(),
    // Parsing a date string reads no clock (the purity rule is about now).
    // eslint-disable-next-line no-restricted-globals
    scannedAt: str.refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO-8601 date and time'),
    target: z.object({ kind: z.enum(TARGET_KINDS), name: str }).passthrough(),
    lang: opt(z.enum(LANGS)),
    knowledge: z
      .object({ feeds: z.array(z.object({ name: str, updatedAt: str.nullable(), records: z.number() }).passthrough()) })
      .passthrough()
      .default({ feeds: [] }),
    inventory: z
      .object({
        os: opt(z.object({ family: str, name: str, version: str }).passthrough()),
        packages: z.array(z.object({ name: str, version: str, ecosystem: str }).passthrough()).default([]),
        components: z.array(z.object({ name: str, version: opt(str), detectedBy: str }).passthrough()).default([]),
        pendingUpdates: z.array(z.object({ package: str, installed: str, candidate: str, security: z.boolean() }).passthrough()).default([]),
      })
      .passthrough(),
    findings: z.array(finding),
    gaps: z.array(z.object({ what: str, why: str }).passthrough()).default([]),
    summary: opt(z.object(Object.fromEntries(SEVERITIES.map((s) => [s, z.number()]))).passthrough()),
    lifecycle: opt(
      z.array(
        z
          .object({
            component: str,
            phase: z.enum(SUPPORT_PHASES),
            version: opt(str),
            cycle: opt(str),
            releaseDate: opt(str),
            activeSupportEnd: opt(str),
            securitySupportEnd: opt(str),
          })
          .passthrough(),
      ),
    ),
  })
  .passthrough();

/** `findings[3].severity` from a zod path. */
export function pathOf(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(top level)';
}

export type ParseResult = { ok: true; doc: ReportDocument } | { ok: false; issues: string[] };

export function parseReportDocument(raw: unknown): ParseResult {
  const r = reportDocumentSchema.safeParse(raw);
  if (!r.success) return { ok: false, issues: r.error.issues.slice(0, 5).map((i) => `${pathOf(i.path)}: ${i.message}`) };
  const doc = r.data as unknown as ReportDocument;
  if (!r.data.summary) doc.summary = summarize(doc.findings);
  return { ok: true, doc };
}
