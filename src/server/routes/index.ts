/**
 * The explicit registry of route files: one file per area + one line here. Other modules (jobs, notifications,
 * patching, knowledge) add their routes the same way: a `RouteModule` (src/server/types.ts) in a file of this
 * folder and its line below. Each route states its protection in `config` (auth, roles, viewerMayWrite);
 * without it a route under /api needs a signed-in user with the second factor done, and viewers only read.
 */
import type { RouteModule } from '../types.js';
import { exceptionRoutes } from './exceptions.js';
import { jobsOpsRoutes } from './jobs-ops.js';
import { fleetRoutes } from './fleet.js';
import { jobRoutes } from './jobs.js';
import { peopleRoutes } from './people.js';
import { scanRoutes } from './scans.js';
import { sessionRoutes } from './session.js';
import { systemRoutes } from './system.js';
import { targetRoutes } from './targets.js';
import { tenantRoutes } from './tenants.js';
import { notificationRoutes } from './notifications.js';
import { patchPlanRoutes } from './patch-plans.js';
import { reportRoutes } from './reports.js';

export const routeModules: readonly RouteModule[] = [
  systemRoutes,
  sessionRoutes,
  tenantRoutes,
  targetRoutes,
  scanRoutes,
  exceptionRoutes,
  peopleRoutes,
  fleetRoutes,
  jobRoutes,
  notificationRoutes,
  patchPlanRoutes,
  jobsOpsRoutes,
  reportRoutes,
];
