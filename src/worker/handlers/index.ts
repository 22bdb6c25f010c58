/**
 * The handlers of the fleet's jobs, built from their dependencies: the explicit registry (kind → handler)
 * both runners take. Kinds owned by other modules (notify, render-report, patch-apply) are added by their
 * modules: `{ ...createHandlers(deps), notify: notifyHandler(...) }`.
 */
import type { JobHandlers } from '../jobs.js';
import type { SmtpConfig } from '../../fleet/notify/deliver.js';
import { knowledgeUpdateHandler, type KnowledgeJobDeps } from './knowledge.js';
import { renderReportHandler } from './report.js';
import { scanHandler, type ScanJobDeps } from './scan.js';

export { scanHandler, type ScanJobDeps } from './scan.js';
export { knowledgeUpdateHandler, type KnowledgeJobDeps } from './knowledge.js';
export { renderReportHandler, resumeQueuedReports, type ReportJobDeps } from './report.js';

export type WorkerDeps = ScanJobDeps & Omit<KnowledgeJobDeps, 'knowledgeDb'> & {
  /** SMTP for reports rendered with `deliver` (MAMORI_SMTP_URL). */
  smtp?: SmtpConfig;
};

/** The registry of the jobs this module handles: scan, knowledge-update and render-report. */
export function createHandlers(deps: WorkerDeps): JobHandlers {
  return {
    scan: scanHandler(deps),
    'knowledge-update': knowledgeUpdateHandler(deps),
    'render-report': renderReportHandler({ store: deps.store, smtp: deps.smtp, clock: deps.clock }),
  };
}
