/**
 * Pending updates that mamori's own matching found to be security fixes. Yum on CentOS has no updateinfo, so
 * `yum check-update` cannot say which of its updates fix vulnerabilities; the distro matcher can (it puts the
 * pending updates of an affected source package in the finding's `evidence.pendingUpdates`). This marks them
 * in the report's inventory: `security: true`, the advisories, and `securityFrom: "mamori"`.
 */
import type { Finding, Inventory, PendingUpdate } from '../model.js';

export function markSecurityUpdates(inv: Inventory, findings: readonly Finding[]): Inventory {
  const marks = new Map<string, string[]>();
  for (const f of findings) {
    if (f.category !== 'missing-security-update' || !f.source?.startsWith('distro:')) continue;
    const ev = f.evidence as { pendingUpdates?: PendingUpdate[]; advisories?: string[] } | undefined;
    for (const u of ev?.pendingUpdates ?? []) if (u.security) marks.set(`${u.package}\u0000${u.candidate}`, ev?.advisories ?? []);
  }
  if (!marks.size) return inv;
  return {
    ...inv,
    pendingUpdates: inv.pendingUpdates.map((u) => {
      const adv = marks.get(`${u.package}\u0000${u.candidate}`);
      if (!adv || u.security) return u;
      return { ...u, security: true, advisories: [...new Set([...(u.advisories ?? []), ...adv])].sort(), securityFrom: 'mamori' as const };
    }),
  };
}
