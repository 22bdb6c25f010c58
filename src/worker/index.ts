/**
 * The fleet's jobs (level 5): the job model and runner port (./jobs.ts), the handlers (./handlers), the
 * in-process runner of the embedded server (./inprocess.ts), asking for a scan (./request.ts) and schedules
 * (./schedule.ts). The pg-boss runner (`mamori worker`) runs the same handlers over the same job model.
 */
export * from './jobs.js';
export { createHandlers, scanHandler, knowledgeUpdateHandler, type WorkerDeps, type ScanJobDeps, type KnowledgeJobDeps } from './handlers/index.js';
export { InProcessRunner, type InProcessOptions, type LogEntry } from './inprocess.js';
export { requestScan } from './request.js';
export { evaluateSchedules, startScheduler, setTagSchedules, getTagSchedules, parseCron, parseWindow, cronNext, cronMatches, inWindow, nextWindowStart, jitterMs, windowOpen, CronError, WindowError, type TagSchedule, type ScheduleFired, type ScheduleProblem, type SchedulerOptions, type MaintenanceWindow } from './schedule.js';
export { redact, reasonOf } from './redact.js';
