/**
 * A plan file as read back by `patch apply --plan FILE`: checked once here (zod), so what reaches the apply
 * is typed; a wrong field is named with its place (`hosts[0].steps[1].kind: …`). Package names and services
 * are checked again by the apply allowlist's patterns before anything runs.
 */
import { z } from 'zod';
import { SEVERITIES, UPDATE_TOOLS } from '../core/model.js';
import { PLAN_STEP_KINDS, type PatchPlan } from './plan.js';

const str = z.string();
const healthCheck = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('http'), url: str.url().refine((u) => /^https?:\/\//i.test(u), 'an http(s) URL') }),
  z.object({ kind: z.literal('port'), port: z.number().int().min(1).max(65535) }),
]);

const step = z
  .object({
    order: z.number().int().min(1),
    kind: z.enum(PLAN_STEP_KINDS),
    command: str.optional(),
    tool: z.enum(UPDATE_TOOLS).optional(),
    packages: z.array(z.object({ name: str.min(1), from: str.optional(), to: str.optional(), arch: str.optional() }).passthrough()),
    advisories: z.array(str),
    fixes: z.array(str),
    cves: z.array(str).default([]),
    services: z.array(str).optional(),
  })
  .passthrough()
  .refine((s) => s.kind !== 'update' || (s.tool && s.packages.length > 0), 'an update step names its tool and packages');

export const patchPlanSchema = z
  .object({
    schemaVersion: z.literal(1),
    createdAt: str,
    policy: z.object({ days: z.object(Object.fromEntries(SEVERITIES.map((s) => [s, z.number()]))) }).passthrough(),
    hosts: z.array(
      z
        .object({
          target: str.min(1),
          scannedAt: str,
          steps: z.array(step),
          held: z.array(str).default([]),
          healthChecks: z.array(healthCheck).default([]),
          lag: z.array(z.object({ finding: str }).passthrough()).default([]),
          notPlanned: z.array(z.object({ id: str }).passthrough()).default([]),
        })
        .passthrough(),
    ),
  })
  .passthrough();

const pathOf = (path: readonly (string | number)[]): string => path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(top level)';

export function parsePlan(raw: unknown): { ok: true; plan: PatchPlan } | { ok: false; issues: string[] } {
  const r = patchPlanSchema.safeParse(raw);
  if (!r.success) return { ok: false, issues: r.error.issues.slice(0, 5).map((i) => `${pathOf(i.path)}: ${i.message}`) };
  return { ok: true, plan: r.data as unknown as PatchPlan };
}
