/**
 * Whether a CVE matched by version applies to the server in front of us: its conditions (data/applicability.ts)
 * evaluated against the inventory. Three answers, never "safe" by default:
 * - `applies`: every condition is met (or the CVE has none);
 * - `not-applicable`: a condition is known not to hold (the reason names what was found instead);
 * - `unknown`: mamori cannot tell (a site scan does not see the PHP SAPI); the CVE stays, with the condition named.
 */
import type { Inventory, MessageRef, TargetKind } from '../model.js';
import { APPLICABILITY, type Requirement, type Sapi, type WebServerName } from './data/applicability.js';
import { msg } from './context.js';

export type Applicability =
  | { status: 'applies' }
  | { status: 'not-applicable'; reason: MessageRef; source: string }
  | { status: 'unknown'; condition: MessageRef; source: string };

const SAPI_NAME: Record<Sapi, string> = { cgi: 'CGI (php-cgi)', fpm: 'PHP-FPM', apache2handler: 'mod_php' };
const SERVER_NAME: Record<WebServerName, string> = { 'apache-httpd': 'Apache httpd', nginx: 'nginx', lighttpd: 'lighttpd', iis: 'IIS' };
const WEB_SERVERS = Object.keys(SERVER_NAME) as WebServerName[];

/** What the inventory tells about the platform, PHP's SAPIs and the web servers (computed once per inventory). */
export interface ServerFacts {
  /** `linux` when an OS (or a distribution build) was seen, undefined when not known. */
  platform?: 'linux' | 'windows';
  osName?: string;
  /** SAPIs seen; `complete` when a host scan looked for PHP and this is all it found. */
  sapis: Set<Sapi>;
  sapisComplete: boolean;
  /** Web servers seen (host configuration, processes, banners). */
  servers: Set<WebServerName>;
  /** Per server whose configuration was read: the features in use; `complete` when absence means "not used". */
  features: Map<string, { set: Set<string>; complete: boolean }>;
}

export function serverFacts(inv: Inventory, kind: TargetKind): ServerFacts {
  const os = inv.os && inv.os.family !== 'unknown' ? inv.os : undefined;
  const distroBuilt = inv.components.some((c) => c.distroBuild);
  // A host scan runs POSIX commands over SSH: the host is a Unix even when its release file was unreadable.
  const platform = os || kind === 'host' || distroBuilt ? 'linux' : undefined;
  const sapis = new Set<Sapi>();
  for (const p of inv.php ?? []) {
    const s = sapiOf(p.sapi, p.binary);
    if (s) sapis.add(s);
  }
  for (const p of inv.packages) {
    if (/^(php\d*(\.\d+)?|php\d+-php)-cgi$/.test(p.name)) sapis.add('cgi');
    if (/^(php\d*(\.\d+)?|php\d+-php)-fpm$/.test(p.name)) sapis.add('fpm');
    if (/^(libapache2-mod-php\d*(\.\d+)?|php\d*|php\d+-php)$/.test(p.name) && p.ecosystem === 'rpm') sapis.add('apache2handler');
    if (/^libapache2-mod-php/.test(p.name)) sapis.add('apache2handler');
  }
  const servers = new Set<WebServerName>();
  const features = new Map<string, { set: Set<string>; complete: boolean }>();
  for (const w of inv.webServers ?? []) {
    if ((WEB_SERVERS as string[]).includes(w.server)) servers.add(w.server as WebServerName);
    const set = new Set(w.features ?? []);
    if (set.has('mod_php')) sapis.add('apache2handler');
    // Apache built from source may compile modules in: only LoadModule lines make absence mean "not loaded".
    const complete = w.files.length > 0 && !w.partial && (w.server === 'nginx' || (w.server === 'apache-httpd' && set.size > 0));
    const prev = features.get(w.server);
    features.set(w.server, { set: new Set([...(prev?.set ?? []), ...set]), complete: (prev?.complete ?? true) && complete });
  }
  for (const c of inv.components) if ((WEB_SERVERS as string[]).includes(c.name)) servers.add(c.name as WebServerName);
  const nginxFastcgi = features.get('nginx')?.set.has('fastcgi_pass') ?? false;
  // A host scan that looked for PHP binaries and modules; nginx passing to FastCGI with no php-fpm found may be php-cgi -b.
  const sapisComplete = kind === 'host' && (inv.php?.length ?? 0) > 0 && !(nginxFastcgi && !sapis.has('fpm'));
  return { ...(platform ? { platform } : {}), ...(os ? { osName: `${os.name || os.family}` } : {}), sapis, sapisComplete, servers, features };
}

function sapiOf(sapi: string, binary: string): Sapi | undefined {
  if (/fpm/.test(sapi) || /php-?fpm/.test(binary)) return 'fpm';
  if (/^cgi/.test(sapi) || /php-?cgi/.test(binary)) return 'cgi';
  if (sapi === 'apache2handler' || sapi === 'apache' || binary === 'mod_php') return 'apache2handler';
  return undefined;
}

type One = { met: true } | { met: false; reason: MessageRef } | { met: 'unknown'; condition: MessageRef };

function evaluate(req: Requirement, f: ServerFacts): One {
  switch (req.kind) {
    case 'os': {
      const condition = msg('assess.applic.cond.windows');
      if (!f.platform) return { met: 'unknown', condition };
      if (f.platform === 'windows') return { met: true };
      return { met: false, reason: msg('assess.applic.reason.notWindows', { os: f.osName ?? 'Linux/UNIX' }) };
    }
    case 'sapi': {
      const needed = req.any.map((s) => SAPI_NAME[s]).join(' / ');
      if (req.any.some((s) => f.sapis.has(s))) return { met: true };
      if (f.sapisComplete) {
        const found = [...f.sapis].map((s) => SAPI_NAME[s]).join(', ') || 'CLI';
        return { met: false, reason: msg('assess.applic.reason.sapi', { found, needed }) };
      }
      return { met: 'unknown', condition: msg('assess.applic.cond.sapi', { needed }) };
    }
    case 'webServer': {
      const needed = req.any.map((s) => SERVER_NAME[s]).join(' / ');
      if (req.any.some((s) => f.servers.has(s))) return { met: true };
      if (f.servers.size) return { met: false, reason: msg('assess.applic.reason.webServer', { found: [...f.servers].map((s) => SERVER_NAME[s]).join(', '), needed }) };
      return { met: 'unknown', condition: msg('assess.applic.cond.webServer', { needed }) };
    }
    case 'feature': {
      const server = SERVER_NAME[req.server];
      const feature = req.any.join(' / ');
      const seen = f.features.get(req.server);
      if (seen && req.any.some((x) => seen.set.has(x))) return { met: true };
      if (seen?.complete) return { met: false, reason: msg('assess.applic.reason.feature', { server, feature }) };
      return { met: 'unknown', condition: msg('assess.applic.cond.feature', { server, feature }) };
    }
  }
}

/** The CVE's applicability to this server for `product`: the first unmet condition decides; else any unknown one. */
export function applicabilityOf(facts: ServerFacts, product: string, cve: string): Applicability {
  const rules = APPLICABILITY[cve]?.filter((r) => r.product === product);
  if (!rules?.length) return { status: 'applies' };
  let unknown: { condition: MessageRef; source: string } | undefined;
  for (const rule of rules) {
    for (const req of rule.requires) {
      const r = evaluate(req, facts);
      if (r.met === false) return { status: 'not-applicable', reason: r.reason, source: rule.source };
      if (r.met === 'unknown' && !unknown) unknown = { condition: r.condition, source: rule.source };
    }
  }
  return unknown ? { status: 'unknown', ...unknown } : { status: 'applies' };
}
