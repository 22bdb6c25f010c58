/** Small helpers the route files share. */
import type { FastifyRequest } from 'fastify';
import type { Scope } from '../../fleet/types.js';
import { unauthorized } from '../errors.js';
import type { Principal } from '../types.js';

export function who(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthorized();
  return req.principal;
}

export const scope = (req: FastifyRequest): Scope => who(req).scope;

export const pageOf = (q: { page?: number; pageSize?: number }) => ({ page: q.page ?? 1, pageSize: q.pageSize ?? 50 });

/** Whether the scope may see this tenant (admins all, others their own). */
export const inScope = (s: Scope, tenantId: string): boolean => s.tenantIds === 'all' || s.tenantIds.includes(tenantId);
