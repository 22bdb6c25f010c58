/**
 * The scan job: one scan record (created queued by the server or a schedule) → the target and its decrypted
 * credentials from the store → src/scan (scanHost over SSH, scanSite) with the server's knowledge DB, the
 * tenant's accepted risks and the previous scan as baseline → store.finishScan in one transaction (idempotent
 * by scan id). A failed attempt is recorded with its reason (store.failScan) and retried by the runner until the
 * attempts run out; then the scan stays failed with its reason, never dropped.
 *
 * The SSH key and known_hosts exist on disk only while the scan runs: in a fresh 0700 directory under the
 * system temp dir, files 0600, removed in `finally` (the SSH transport reads them from files).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FatalError, UsageError } from '../../core/errors.js';
import type { ExceptionEntry } from '../../core/assess/types.js';
import { messages, type MessageCode } from '../../core/messages/index.js';
import type { Lang, ReportDocument } from '../../core/model.js';
import type { Transport } from '../../collect/transport/types.js';
import type { FleetStore } from '../../fleet/ports.js';
import { SYSTEM_SCOPE, type RiskException, type ScanRecord, type Target, type TargetSecrets } from '../../fleet/types.js';
import { isPermanent, JobInterrupted, PermanentJobError, type JobContext, type JobHandler } from '../jobs.js';
import { abortable } from '../abort.js';
import { redact, reasonOf } from '../redact.js';

export interface ScanJobDeps {
  store: FleetStore;
  /** The server's knowledge DB ($MAMORI_HOME/db.sqlite). Loaded from the embedded snapshot when missing. */
  knowledgeDb: string;
  /** Language of the stored documents (default ja). */
  lang?: Lang;
  clock?: () => Date;
  /** Where the per-scan credential directories are made (default the system temp dir). */
  tmpDir?: string;
  ssh?: {
    /** One command's time limit (default 60 s). */
    timeoutMs?: number;
    sudo?: boolean;
    /**
     * Trust on first use: a host without a stored known_hosts is accepted and its key stored for the next scans.
     * Off by default: without a known_hosts entry a host scan fails with a reason saying what to add.
     */
    acceptNewHostKey?: boolean;
  };
  site?: { budget?: number; ratePerSec?: number; concurrency?: number; maxPages?: number; maxTimeMs?: number; timeoutMs?: number; ca?: string[] };
  /** Called when a scan of a tenant finished (the notify module enqueues its notifications here). */
  onFinished?: (scan: { scanId: string; tenantId: string; targetId: string }) => Promise<void>;
  /** Called when a scan failed for good. */
  onFailed?: (scan: { scanId: string; tenantId: string; targetId: string; reason: string }) => Promise<void>;
}

const SSH_PERMANENT = new Set(['host.err.auth', 'host.err.hostKeyMismatch', 'host.err.hostKeyUnknown', 'host.err.identity', 'host.err.badTarget']);

const en = (code: MessageCode, params?: Record<string, string | number>) => messages.t('en', code, params);

/** System trust anchors for the certificate checks of site scans (Debian, RHEL paths). */
function systemTrustAnchors(): string[] {
  for (const p of ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt']) if (existsSync(p)) return [readFileSync(p, 'utf8')];
  return [];
}

/** Accepted risks of the tenant that apply to this target, as the assessment takes them. */
export function exceptionEntries(list: RiskException[], targetId: string): ExceptionEntry[] {
  const out: ExceptionEntry[] = [];
  for (const e of list) {
    if (e.revokedAt || (e.targetId && e.targetId !== targetId)) continue;
    const base = { reason: e.reason, expires: e.expiresAt.slice(0, 10), status: 'accepted' as const };
    if (e.findingId) out.push({ ...base, id: e.findingId });
    else if (e.cve) out.push({ ...base, cve: e.cve.toUpperCase() });
  }
  return out;
}

/** The previous finished scan's document of the target (the baseline: new and resolved findings). */
async function previousDocument(store: FleetStore, targetId: string, scanId: string): Promise<ReportDocument | undefined> {
  const page = await store.listScans(SYSTEM_SCOPE, { targetId, status: 'done' }, { page: 1, pageSize: 20 });
  const prev = page.items.filter((s) => s.id !== scanId && s.finishedAt).sort((a, b) => (b.finishedAt! < a.finishedAt! ? -1 : 1))[0];
  return prev ? store.getScanDocument(SYSTEM_SCOPE, prev.id) : undefined;
}

/** `HOST[:PORT]` or `[V6]:PORT` of a host target → the `USER@HOST[:PORT]` the SSH transport takes. */
export function sshSpec(target: Target): string {
  if (!target.sshUser) throw new PermanentJobError(en('job.err.noSshUser'));
  const a = target.address.trim();
  const ok = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(a);
  if (!ok) throw new PermanentJobError(en('job.err.badAddress', { address: a }));
  return `${target.sshUser}@${a}`;
}

/** Write the credentials into a fresh private directory; `dispose` removes it. */
export function credentialDir(secrets: TargetSecrets, base = tmpdir()): { dir: string; identity: string; knownHosts: string; dispose(): void } {
  const dir = mkdtempSync(join(base, 'mamori-scan-')); // mode 0700
  const identity = join(dir, 'id');
  const knownHosts = join(dir, 'known_hosts');
  try {
    writeFileSync(identity, secrets.sshKey!.endsWith('\n') ? secrets.sshKey! : `${secrets.sshKey!}\n`, { mode: 0o600, flag: 'wx' });
    writeFileSync(knownHosts, secrets.knownHosts ?? '', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, identity, knownHosts, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whether an error of a scan can go away on a retry. */
export function permanentScanError(err: unknown): boolean {
  if (isPermanent(err)) return true;
  if (err instanceof UsageError) return true;
  if (err instanceof FatalError && err.ref && SSH_PERMANENT.has(err.ref.code)) return true;
  return false;
}

/** Run the scan of one target: the document, or an error. */
async function runScan(deps: ScanJobDeps, target: Target, scan: ScanRecord, ctx: JobContext): Promise<{ doc: ReportDocument; learnedKnownHosts?: string }> {
  const [scanMod, { loadEmbedded }] = await Promise.all([import('../../scan/index.js'), import('../../knowledge/snapshot/index.js')]);
  await loadEmbedded(deps.knowledgeDb);
  const clock = deps.clock ?? (() => new Date());
  const lang = deps.lang ?? 'ja';
  const [exceptions, baselineDoc] = await Promise.all([deps.store.listExceptions(SYSTEM_SCOPE, { tenantId: target.tenantId }, clock()), previousDocument(deps.store, target.id, scan.id)]);
  const choices = { lang, exceptions: exceptionEntries(exceptions, target.id), ...(baselineDoc ? { baseline: { findings: baselineDoc.findings.map((f) => ({ id: f.id, title: f.title, category: f.category })), suppressed: baselineDoc.suppressed?.map((x) => ({ id: x.id })) } } : {}) };
  const ports = {
    knowledge: scanMod.sqliteKnowledge(deps.knowledgeDb, clock),
    clock,
    progress: (e: { code: MessageCode; params?: Record<string, string | number> }) => ctx.progress(e),
  };
  if (target.kind === 'site') {
    let url: string;
    try {
      url = scanMod.siteUrl(target.address);
    } catch (err) {
      throw new PermanentJobError(reasonOf(err));
    }
    const s = deps.site ?? {};
    // The site scan bounds itself (maxTimeMs, request budget); on abort its result is dropped.
    const doc = await abortable(
      scanMod.scanSite({ ...choices, url, ca: s.ca ?? systemTrustAnchors(), budget: s.budget, ratePerSec: s.ratePerSec, concurrency: s.concurrency, maxPages: s.maxPages, maxTimeMs: s.maxTimeMs, timeoutMs: s.timeoutMs }, ports),
      ctx.signal,
      () => undefined,
    );
    return { doc };
  }
  const spec = sshSpec(target);
  const secrets = await deps.store.getTargetSecrets(target.id);
  if (!secrets.sshKey) throw new PermanentJobError(en('job.err.noKey'));
  const tofu = Boolean(deps.ssh?.acceptNewHostKey) && !secrets.knownHosts?.trim();
  if (!secrets.knownHosts?.trim() && !tofu) throw new PermanentJobError(en('job.err.noKnownHosts'));
  const creds = credentialDir(secrets, deps.tmpDir);
  let transport: Transport | undefined;
  let aborted = false;
  try {
    ctx.progress({ code: 'job.scan.connect', params: { target: target.name } });
    const factory = async () => {
      const t = await scanMod.openHostTransport({ ssh: spec, identity: creds.identity, knownHosts: creds.knownHosts, acceptNewHostKey: tofu, sudo: Boolean(deps.ssh?.sudo), timeoutMs: deps.ssh?.timeoutMs ?? 60_000 });
      transport = t;
      if (aborted) await t.close();
      return t;
    };
    const doc = await abortable(scanMod.scanHost({ ...choices, docroots: [] }, { ...ports, transport: factory }), ctx.signal, () => {
      aborted = true;
      void transport?.close();
    });
    const learned = tofu ? readFileSync(creds.knownHosts, 'utf8') : undefined;
    return { doc, ...(learned?.trim() ? { learnedKnownHosts: learned } : {}) };
  } finally {
    creds.dispose();
  }
}

export function scanHandler(deps: ScanJobDeps): JobHandler<'scan'> {
  const { store } = deps;
  return async (payload, ctx) => {
    const { scanId } = payload;
    let scan = await store.getScan(SYSTEM_SCOPE, scanId);
    if (!scan) {
      ctx.log('warn', 'scan record not found; nothing to do', { scanId });
      return;
    }
    if (scan.status === 'done' || scan.status === 'failed') {
      ctx.log('info', 'scan already finished; nothing to do', { scanId, status: scan.status });
      return;
    }
    if (scan.status === 'running') {
      // A re-delivered job whose previous attempt died (worker killed, lease expired): hand the scan back first.
      if (ctx.attempt <= 1) {
        ctx.log('warn', 'scan is running elsewhere; not started twice', { scanId });
        return;
      }
      await store.failScan(scanId, en('job.err.interrupted', { why: 'its worker stopped' }), false);
    }
    if (!(await store.startScan(scanId))) {
      ctx.log('warn', 'scan was taken by another runner', { scanId });
      return;
    }
    scan = (await store.getScan(SYSTEM_SCOPE, scanId)) ?? scan;
    const target = await store.getTarget(SYSTEM_SCOPE, scan.targetId);
    const name = target?.name ?? scan.targetId;
    try {
      if (!target) throw new PermanentJobError(en('job.err.targetGone'));
      ctx.progress({ code: 'job.scan.start', params: { target: name, attempt: ctx.attempt, max: ctx.maxAttempts } });
      ctx.log('info', 'scan started', { scanId, targetId: target.id, tenantId: target.tenantId, kind: target.kind, attempt: ctx.attempt });
      const { doc, learnedKnownHosts } = await runScan(deps, target, scan, ctx);
      if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error(String(ctx.signal.reason));
      const { addKnowledgeSnapshot, readSnapshot, knowledgeVersion } = await import('../../scan/knowledge.js');
      await addKnowledgeSnapshot(doc, { gaps: [] }, deps.knowledgeDb);
      const version = knowledgeVersion(await readSnapshot(deps.knowledgeDb));
      await store.finishScan(scanId, doc, version);
      if (learnedKnownHosts) {
        await store.upsertTarget(SYSTEM_SCOPE, { tenantId: target.tenantId, name: target.name, kind: target.kind, address: target.address, sshUser: target.sshUser, tags: target.tags, schedule: target.schedule, maintenanceWindow: target.maintenanceWindow }, { knownHosts: learnedKnownHosts });
        ctx.log('info', 'host key stored on first use', { scanId, targetId: target.id });
      }
      const s = doc.summary;
      ctx.progress({ code: 'job.scan.done', params: { target: name, critical: s.critical ?? 0, high: s.high ?? 0, medium: s.medium ?? 0, low: s.low ?? 0 } });
      ctx.log('info', 'scan finished', { scanId, targetId: target.id, findings: doc.findings.length, knowledgeVersion: version });
      await deps.onFinished?.({ scanId, tenantId: target.tenantId, targetId: target.id });
    } catch (err) {
      // Handed back by the runner (stop, lost lease): queued again whatever the attempt.
      const interrupted = ctx.signal.aborted && ctx.signal.reason instanceof JobInterrupted;
      const permanent = !interrupted && permanentScanError(err);
      const final = !interrupted && (permanent || ctx.attempt >= ctx.maxAttempts);
      const reason = interrupted ? en('job.err.interrupted', { why: reasonOf(ctx.signal.reason) }) : reasonOf(err);
      await store.failScan(scanId, reason, final);
      ctx.log(final ? 'error' : 'warn', final ? 'scan failed' : 'scan attempt failed', { scanId, targetId: scan.targetId, attempt: ctx.attempt, final, reason });
      if (final) {
        ctx.progress({ code: 'job.scan.failed', params: { target: name, reason } });
        if (deps.onFailed) await deps.onFailed({ scanId, tenantId: scan.tenantId, targetId: scan.targetId, reason }).catch((e: unknown) => ctx.log('error', 'failed-scan notification not sent', { scanId, error: redact(String(e)) }));
      }
      throw permanent ? new PermanentJobError(reason) : new Error(reason);
    }
  };
}
