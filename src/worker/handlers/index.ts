/**
 * The handlers of the fleet's jobs, built from their dependencies: the explicit registry (kind → handler)
 * both runners take. Kinds owned by other modules (notify, render-report, patch-apply) are added by their
 * modules: `{ ...createHandlers(deps), notify: notifyHandler(...) }`.
 */
import type { JobHandlers } from '../jobs.js';
import { knowledgeUpdateHandler, type KnowledgeJobDeps } from './knowledge.js';
import { scanHandler, type ScanJobDeps } from './scan.js';

export { scanHandler, type ScanJobDeps } from './scan.js';
export { knowledgeUpdateHandler, type KnowledgeJobDeps } from './knowledge.js';

export type WorkerDeps = ScanJobDeps & Omit<KnowledgeJobDeps, 'knowledgeDb'>;

/** The registry of the jobs this module handles: scan and knowledge-update. */
export function createHandlers(deps: WorkerDeps): JobHandlers {
  return {
    scan: scanHandler(deps),
    'knowledge-update': knowledgeUpdateHandler(deps),
  };
}
