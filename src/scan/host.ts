/**
 * The host scan, step by step: open the transport (local, SSH, or whatever the factory gives), collect the
 * inventory, web stack, document roots and their personal data (src/collect/host), close the transport,
 * report progress, then assess and assemble the report (./assemble.ts).
 */
import { systemClock, type ReportChoices, type ScanPorts, type TransportFactory } from './ports.js';
import { assembleReport, type Collected } from './assemble.js';
import type { ReportDocument } from '../core/model.js';

export interface HostScanOptions extends ReportChoices {
  /** Document roots to walk besides those the web server configuration names: absolute paths on the target. */
  docroots: string[];
}

export async function scanHost(o: HostScanOptions, ports: ScanPorts & { transport: TransportFactory }): Promise<ReportDocument> {
  const started = (ports.clock ?? systemClock)();
  const transport = await ports.transport();
  ports.progress?.({ code: 'progress.host.collect' });
  const [{ collectHost }, { loadPii }] = await Promise.all([import('../collect/host/index.js'), import('../collect/host/pii-bridge.js')]);
  let res;
  try {
    const pii = await loadPii();
    res = await collectHost(transport, { docroots: o.docroots, pii: pii.ok ? pii.mod : undefined });
  } finally {
    await transport.close();
  }
  ports.progress?.({
    code: 'host.done',
    params: {
      packages: res.inventory.packages.length,
      updates: res.inventory.pendingUpdates.length,
      security: res.inventory.pendingUpdates.filter((u) => u.security).length,
      components: res.inventory.components.length,
      files: res.stats.files,
      docroots: res.inventory.docroots?.length ?? 0,
      gaps: res.gaps.length,
    },
  });
  ports.progress?.({ code: 'progress.assess' });
  const collected: Collected = { target: { kind: 'host', name: transport.name }, inventory: res.inventory, findings: res.findings, gaps: res.gaps, scannedAt: started };
  return assembleReport(collected, ports.knowledge, o);
}
