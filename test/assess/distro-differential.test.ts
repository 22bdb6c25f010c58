/**
 * Differential accuracy of the distro matching: for CentOS 6 and CentOS 7 package sets (every host state
 * CentOS's own errata let one rebuild: the packages as of each half-year, with their CentOS release tags),
 * the advisories mamori reports equal the ones computed here independently — straight from Red Hat's Security
 * Data API records, with every version comparison made by the real rpm (`rpm.vercmp()` in rpm's own Lua,
 * Debian package `rpm`), over the same records imported into the knowledge DB.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assess } from '../../src/core/assess/index.js';
import type { Finding, Inventory, Package } from '../../src/core/model.js';
import { importPath } from '../../src/knowledge/index.js';
import { hasRpm, rpmVercmp } from '../helpers/rpm.js';
import { hasSharedData, sharedData, SKIP_NO_DATA, sliceFor } from './helpers.js';

const NOW = new Date('2026-11-23T00:00:00Z');
let dir: string | undefined;
let dbPath = '';

interface Rec {
  cve: string;
  main: Map<string, string[]>; // package → fixed EVRs (general channel)
  els: Map<string, string[]>;
  states: Map<string, string>; // package → fix_state
}

/** Red Hat's records for one RHEL major, read here without mamori's parser. */
function records(major: string): Rec[] {
  const out: Rec[] = [];
  const api = join(sharedData, 'redhat/api');
  for (const y of readdirSync(api)) {
    for (const f of readdirSync(join(api, y))) {
      const d = JSON.parse(readFileSync(join(api, y, f), 'utf8')) as { name: string; affected_release?: { cpe: string; package?: string }[]; package_state?: { cpe: string; package_name: string; fix_state: string }[] };
      const r: Rec = { cve: d.name, main: new Map(), els: new Map(), states: new Map() };
      for (const a of d.affected_release ?? []) {
        const m = a.package && /^(.+)-(\d+):([^-]+-[^-]+)$/.exec(a.package);
        if (!m) continue;
        const to = a.cpe === `cpe:/o:redhat:enterprise_linux:${major}` ? r.main : a.cpe === `cpe:/o:redhat:rhel_els:${major}` ? r.els : undefined;
        if (to) to.set(m[1]!, [...(to.get(m[1]!) ?? []), `${m[2]}:${m[3]}`]);
      }
      for (const p of d.package_state ?? []) if (p.cpe === `cpe:/o:redhat:enterprise_linux:${major}`) r.states.set(p.package_name, p.fix_state);
      out.push(r);
    }
  }
  return out;
}

/** CentOS package states over time, from CentOS's own errata (binaries named like their source). */
function hosts(major: string, sources: Set<string>, epochs: Map<string, string>): { at: string; packages: Package[] }[] {
  const timeline: { date: string; name: string; vr: string }[] = [];
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  for (const f of walk(join(sharedData, `centos/cyberwatch-errata/CentOS_${major}`))) {
    const text = readFileSync(f, 'utf8');
    const date = /Security announcement date: (\d{4}-\d\d-\d\d)/.exec(text)?.[1];
    if (!date) continue;
    for (const m of text.split('# Last versions recommanded')[0]!.matchAll(/^#\s+- ([\w.+-]+)\.(?:x86_64|noarch):(\S+)$/gm)) if (sources.has(m[1]!)) timeline.push({ date, name: m[1]!, vr: m[2]! });
  }
  timeline.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const years = [...new Set(timeline.map((t) => t.date.slice(0, 4)))];
  const states: { at: string; packages: Package[] }[] = [];
  for (const y of years) {
    for (const md of ['-01-01', '-07-01']) {
      const at = `${y}${md}`;
      const latest = new Map<string, string>();
      for (const t of timeline) if (t.date < at) latest.set(t.name, t.vr);
      if (latest.size < 3) continue;
      const packages: Package[] = [...latest].map(([name, version]) => ({ name, version, source: name, sourceVersion: version, ecosystem: 'rpm', arch: 'x86_64', vendor: 'CentOS', ...(epochs.get(name) && epochs.get(name) !== '0' ? { epoch: epochs.get(name)! } : {}) }));
      states.push({ at, packages });
    }
  }
  return states;
}

/**
 * The rebuild's view, written here on its own: CentOS drops Red Hat's `_M` minor tag (and may add `.centos`);
 * where it did, Red Hat's `elN_M` is read as `elN`; where it kept `_M`, both are compared as published.
 */
function centosPair(installed: string, fixed: string): [string, string] {
  const rel = installed.split('-').pop()!;
  if (!/\.centos\b/.test(rel) && !/el\d+\.\d/.test(rel)) return [installed, fixed];
  const inst = installed.replace(/\.centos(?=\.|$)/, '');
  if (/el\d+_\d+/.test(inst.split('-').pop()!)) return [inst, fixed];
  const i = fixed.lastIndexOf('-');
  return [inst, `${fixed.slice(0, i)}-${fixed.slice(i + 1).replace(/(el\d+)_\d+/g, '$1')}`];
}

function expected(recs: Rec[], pkgs: Package[]): string[] {
  const jobs: { key: string; kind: string; pair: [string, string] }[] = [];
  const out = new Set<string>();
  for (const p of pkgs) {
    const installed = `${p.epoch ?? '0'}:${p.version}`;
    for (const r of recs) {
      const main = r.main.get(p.name);
      const els = r.els.get(p.name);
      const fixes = main ?? els;
      if (fixes) for (const fx of fixes) jobs.push({ key: `${p.name} ${r.cve}`, kind: main ? 'fixed' : 'els', pair: centosPair(installed, fx) });
      else {
        const st = r.states.get(p.name);
        if (st && st !== 'Not affected') out.add(`${p.name} ${r.cve} open`);
      }
    }
  }
  const cmp = rpmVercmp(jobs.map((j) => j.pair));
  jobs.forEach((j, i) => {
    if (cmp[i]! < 0) out.add(`${j.key} ${j.kind}`);
  });
  return [...out].sort();
}

function reported(findings: Finding[]): string[] {
  const out: string[] = [];
  for (const f of findings) {
    if (!f.source?.startsWith('distro:')) continue;
    const state = (f.evidence as { state?: string }).state;
    const kind = f.category === 'missing-security-update' ? 'fixed' : state === 'extended-support-only' ? 'els' : 'open';
    for (const c of f.cves ?? []) out.push(`${f.component!.name} ${c} ${kind}`);
  }
  return out.sort();
}

before(() => {
  if (!hasSharedData || !hasRpm()) return;
  dir = mkdtempSync(join(tmpdir(), 'mamori-differential-'));
  dbPath = join(dir, 'db.sqlite');
  importPath(dbPath, join(sharedData, 'redhat/api'), {});
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const major of ['6', '7']) {
  test(`CentOS ${major}: every package of every host state gets exactly the advisories rpm's own comparison gives`, (t) => {
    if (!hasSharedData) return t.skip(SKIP_NO_DATA);
    if (!hasRpm()) return t.skip('rpm not installed (Debian package "rpm", scripts/system-deps.txt): no independent comparison');
    if (!existsSync(join(sharedData, 'centos/cyberwatch-errata'))) return t.skip('../shared/data/centos not found');
    const recs = records(major);
    const sources = new Set(recs.flatMap((r) => [...r.main.keys(), ...r.els.keys(), ...r.states.keys()]));
    const epochs = new Map<string, string>();
    for (const r of recs) for (const [n, fx] of r.main) epochs.set(n, fx[0]!.split(':')[0]!);
    const states = hosts(major, sources, epochs);
    assert.ok(states.length >= 4, `${states.length} host states`);
    let compared = 0;
    let advisories = 0;
    const names = new Set<string>();
    for (const h of states) {
      const inv: Inventory = { os: { family: 'centos', name: `CentOS ${major}`, version: major === '6' ? '6.10' : '7.9.2009' }, packages: h.packages, components: [], pendingUpdates: [] };
      const out = assess({ target: { kind: 'host', name: `centos${major}-${h.at}` }, inventory: inv, findings: [], knowledge: sliceFor(dbPath, inv), now: NOW, lang: 'en' });
      const exp = expected(recs, h.packages);
      assert.deepEqual(reported(out.findings), exp, `CentOS ${major} as of ${h.at}`);
      compared += h.packages.length;
      advisories += exp.length;
      for (const p of h.packages) names.add(p.name);
    }
    t.diagnostic(`CentOS ${major}: ${states.length} host states, ${compared} packages (${[...names].sort().join(' ')}), ${advisories} advisories agreed`);
    assert.ok(advisories > 20);
  });
}
