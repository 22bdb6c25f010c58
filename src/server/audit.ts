/** The audit trail: one append per change, with who (user and token), what, on which object — never secret values. */
import type { FastifyRequest } from 'fastify';
import type { ServerDeps } from './types.js';

export async function audit(
  deps: ServerDeps,
  req: FastifyRequest,
  e: { action: string; objectType: string; objectId?: string | null; tenantId?: string | null; detail?: Record<string, unknown> },
): Promise<void> {
  const p = req.principal;
  await deps.store.appendAudit(
    {
      actorUserId: p?.user.id ?? null,
      actorTokenId: p?.tokenId ?? null,
      action: e.action,
      objectType: e.objectType,
      objectId: e.objectId ?? null,
      tenantId: e.tenantId ?? null,
      detail: { ...(e.detail ?? {}), ip: req.ip },
    },
    deps.clock.now(),
  );
}
