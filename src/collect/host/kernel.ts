/**
 * Kernel: the running one (`uname -r`) against the newest installed kernel package, reboot required
 * (Debian/Ubuntu `/var/run/reboot-required`, RHEL family `needs-restarting -r`, else newest ≠ running), and
 * as root the processes still mapping deleted (replaced) libraries, bounded.
 */
import { gapOf } from '../../core/gaps.js';
import type { Gap, KernelInfo, OsFamily, Package } from '../../core/model.js';
import { isMissing, type Transport } from '../transport/types.js';
import { rpmvercmp as rpmvercmpShared } from '../../core/versioning/rpm/index.js';

/** rpmvercmp from the shared versioning module (also orders Debian kernel ABI strings such as 6.1.0-18-amd64). */
export const rpmvercmp = (a: string, b: string): number => rpmvercmpShared(a, b);

/** Kernel release strings of installed kernel packages (comparable to `uname -r`). */
export function installedKernels(family: OsFamily | undefined, packages: readonly Package[]): string[] {
  const out: string[] = [];
  for (const p of packages) {
    if (p.ecosystem === 'dpkg') {
      const m = /^linux-image-(\d+\.\d+\.\d+.*)$/.exec(p.name);
      if (m && !/-dbg$|-unsigned/.test(m[1]!)) out.push(m[1]!);
    } else if (p.ecosystem === 'rpm') {
      if (/^(kernel|kernel-core|kernel-PAE|kernel-xen|kernel-uek|kernel-uek-core)$/.test(p.name)) {
        const suffix = p.name === 'kernel-PAE' ? 'PAE' : p.name === 'kernel-xen' ? 'xen' : '';
        // uname -r: 3.10.0-1160.el7.x86_64 (EL7+), 2.6.32-754.el6.x86_64 (EL6), 2.6.18-419.el5 / 2.6.18-419.el5PAE (EL5).
        const vr = `${p.version.replace(/^\d+:/, '')}`;
        out.push(family === 'centos' && /el5/.test(vr) ? `${vr}${suffix}` : `${vr}${p.arch && !/el5/.test(vr) ? `.${p.arch}` : ''}${suffix && !/el5/.test(vr) ? `.${suffix}` : ''}`);
      }
    } else if (p.ecosystem === 'apk') {
      const m = /^linux-(lts|virt|edge|rpi\d?)$/.exec(p.name);
      // apk linux-lts 6.6.31-r0 → uname 6.6.31-0-lts
      if (m) out.push(`${p.version.replace(/-r(\d+)$/, '-$1')}-${m[1]}`);
    }
  }
  return out;
}

/** `find /proc … -exec grep -H -F '(deleted)'` → pid → deleted shared objects. */
export function parseDeletedMaps(text: string, maxPids = 200): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const line of text.split('\n')) {
    const m = /^\/proc\/(\d+)\/maps:\S+\s+\S+\s+\S+\s+\S+\s+\d+\s+(\/\S.*?) \(deleted\)$/.exec(line);
    if (!m) continue;
    const file = m[2]!;
    if (!/\.so(\.|$)|\/lib\//.test(file) || /^\/(dev|memfd:|SYSV|tmp|run|var)/.test(file)) continue;
    const pid = Number(m[1]);
    const list = out.get(pid) ?? [];
    if (!out.has(pid)) {
      if (out.size >= maxPids) continue;
      out.set(pid, list);
    }
    if (!list.includes(file)) list.push(file);
  }
  return out;
}

/** Processes mapping deleted (replaced) libraries, with their names (root only). */
async function staleProcesses(t: Transport): Promise<{ procs: NonNullable<KernelInfo['staleProcesses']> } | { failure: string }> {
  const r = await t.run('deletedMaps');
  if (r.failure) return { failure: `${r.failure}: ${r.stderr.trim().slice(0, 200)}` };
  const pids = parseDeletedMaps(r.stdout.toString('utf8'));
  const procs: NonNullable<KernelInfo['staleProcesses']> = [];
  await Promise.all(
    [...pids].slice(0, 50).map(async ([pid, libs]) => {
      const c = await t.readFile(`/proc/${pid}/comm`, 256);
      procs.push({ pid, command: c.ok ? c.data.toString('utf8').trim() : '?', libraries: libs.sort() });
    }),
  );
  return { procs: procs.sort((a, b) => a.pid - b.pid) };
}

export async function collectKernel(t: Transport, family: OsFamily | undefined, packagesP: Promise<readonly Package[]> | readonly Package[], isRoot: boolean, gaps: Gap[]): Promise<KernelInfo | undefined> {
  // Everything this needs from the target is asked at once; the package list (which may take long) last.
  const rpmFamily = family !== undefined && ['rhel', 'centos', 'almalinux', 'rocky', 'oracle', 'fedora', 'amazon'].includes(family);
  const rebootFileP = family === 'debian' || family === 'ubuntu' ? t.readFile('/var/run/reboot-required', 4096) : undefined;
  const needsRestartingP = rpmFamily ? t.run('needsRestarting') : undefined;
  const staleP = isRoot ? staleProcesses(t) : undefined;
  const u = await t.run('uname');
  const packages = await packagesP;
  const running = u.stdout.toString('utf8').trim();
  if (u.failure || u.code !== 0 || !running) {
    gaps.push(gapOf('host.gap.command', { code: 'host.gap.what.kernel' }, { code: 'host.gap.why.commandFailed', params: { command: 'uname -r', reason: `${u.failure ?? u.code} ${u.stderr.trim()}` } }));
    return undefined;
  }
  const k: KernelInfo = { running };
  const kernels = installedKernels(family, packages).sort(rpmvercmp);
  const newest = kernels[kernels.length - 1];
  if (newest) k.newestInstalled = newest;
  if (rebootFileP) {
    const r = await rebootFileP;
    if (r.ok) k.rebootRequired = true;
    else if (r.failure === 'missing') k.rebootRequired = newest !== undefined && rpmvercmp(newest, running) > 0;
    else gaps.push({ what: '/var/run/reboot-required', why: `${r.failure}: ${r.detail}`, code: 'host.gap.read' });
  } else if (needsRestartingP) {
    const r = await needsRestartingP;
    if (!isMissing(r) && !r.failure && (r.code === 0 || r.code === 1) && /reboot/i.test(r.stdout.toString('utf8'))) k.rebootRequired = r.code === 1;
    else if (newest) k.rebootRequired = rpmvercmp(newest, running) > 0;
  } else if (newest) k.rebootRequired = rpmvercmp(newest, running) > 0;
  if (staleP) {
    const r = await staleP;
    if ('failure' in r) gaps.push(gapOf('host.gap.command', { code: 'host.gap.what.staleProcesses' }, r.failure));
    else k.staleProcesses = r.procs;
  } else gaps.push(gapOf('host.gap.notRoot', { code: 'host.gap.what.staleProcesses' }, { code: 'host.gap.why.needsRoot' }));
  return k;
}
