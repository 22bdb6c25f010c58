/** What the dashboard reads from the API: the fleet's domain types (type-only imports: nothing of the server is bundled). */
export type { FindingHistory, FindingRow, Page, ReportRecord, RiskException, Role, ScanDiff, ScanRecord, SeverityCounts, Target, Tenant, User, AuditEntry } from '../../fleet/types.js';
export type { FleetOverview, TokenRecord } from '../../fleet/ports.js';
export type { Category, LifecycleEntry, Severity, SupportPhase } from '../../core/model.js';
import type { ScanRecord, Target, User } from '../../fleet/types.js';

export interface SessionAnswer {
  user: User;
  csrfToken: string;
  mfa?: 'none' | 'required' | 'setup';
}
export type TargetWithScan = Target & { lastScan: ScanRecord | null };
