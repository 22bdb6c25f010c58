/**
 * Would the web server serve this file? nginx: location matching (exact, `^~`, regex in order, longest
 * prefix) against locations that deny; Apache: `<Directory>`/`<Files>`/`<FilesMatch>` deny rules in the main
 * configuration and `.htaccess` files on the way from the document root (`Require all denied`,
 * `Deny from all`, `<Files>`/`<FilesMatch>` blocks). An answer of `unknown` is never read as "safe".
 */
import type { DenyRule, SiteConfig, WebConfig } from './webconf.js';

export type Served = { served: true; why: string } | { served: false; why: string } | { served: 'unknown'; why: string };

export interface HtaccessRules {
  /** The whole directory is denied. */
  all: boolean;
  files: { regex: RegExp; source: string }[];
}

const wildcardRe = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

/** Parse the deny rules of an .htaccess file (Apache 2.2 and 2.4 syntax). */
export function parseHtaccess(text: string): HtaccessRules {
  const out: HtaccessRules = { all: false, files: [] };
  const stack: { kind: string; arg: string; denied: boolean }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const open = /^<(\w+)\s*([^>]*)>$/.exec(line);
    if (open) {
      stack.push({ kind: open[1]!.toLowerCase(), arg: open[2]!.trim().replace(/^"(.*)"$/, '$1'), denied: false });
      continue;
    }
    if (/^<\//.test(line)) {
      const top = stack.pop();
      if (top?.denied) {
        const parts = top.arg.split(/\s+/);
        try {
          if (top.kind === 'files' && parts[0] === '~') out.files.push({ regex: new RegExp(parts.slice(1).join(' ').replace(/^"(.*)"$/, '$1')), source: line });
          else if (top.kind === 'files') out.files.push({ regex: wildcardRe(top.arg), source: `<Files ${top.arg}>` });
          else if (top.kind === 'filesmatch') out.files.push({ regex: new RegExp(top.arg), source: `<FilesMatch ${top.arg}>` });
        } catch (_err) {
          // A PCRE construct JavaScript cannot compile: not a rule we can evaluate; the answer stays "served".
          continue;
        }
      }
      continue;
    }
    const denied = /^Require\s+all\s+denied$/i.test(line) || /^Deny\s+from\s+all$/i.test(line);
    if (!denied) continue;
    const top = stack[stack.length - 1];
    if (top) top.denied = true;
    else out.all = true;
  }
  return out;
}

/** nginx location selection (simplified: nested locations are not descended). */
export function nginxLocation(site: SiteConfig, uri: string): { modifier: string; pattern: string; denied: boolean } | undefined {
  const locs = site.locations ?? [];
  const exact = locs.find((l) => l.modifier === '=' && l.pattern === uri);
  if (exact) return exact;
  let best: (typeof locs)[number] | undefined;
  for (const l of locs) {
    if ((l.modifier === '' || l.modifier === '^~') && uri.startsWith(l.pattern) && (!best || l.pattern.length > best.pattern.length)) best = l;
  }
  if (best?.modifier === '^~') return best;
  for (const l of locs) {
    if (l.modifier !== '~' && l.modifier !== '~*') continue;
    let re: RegExp;
    try {
      re = new RegExp(l.pattern, l.modifier === '~*' ? 'i' : '');
    } catch (_err) {
      continue; // PCRE-only syntax: cannot evaluate here
    }
    if (re.test(uri)) return l;
  }
  return best;
}

const underDir = (abs: string, dir: string) => abs === dir || abs.startsWith(`${dir.replace(/\/$/, '')}/`);

function apacheGlobalDeny(rules: readonly DenyRule[], abs: string): DenyRule | undefined {
  const base = abs.slice(abs.lastIndexOf('/') + 1);
  for (const r of rules) {
    try {
      if (r.kind === 'apache-directory') {
        if (r.pattern.startsWith('~') ? new RegExp(r.pattern.slice(1).trim()).test(abs) : r.pattern.includes('*') ? wildcardRe(`${r.pattern}*`).test(abs) : underDir(abs, r.pattern)) {
          // `<Directory />` with Require all denied is the stock default that DocumentRoot sections re-allow.
          if (r.pattern === '/' || r.pattern === '/usr/share') continue;
          return r;
        }
      } else if (r.kind === 'apache-files' && wildcardRe(r.pattern).test(base)) return r;
      else if (r.kind === 'apache-filesmatch' && new RegExp(r.pattern.replace(/^"(.*)"$/, '$1')).test(base)) return r;
    } catch (_err) {
      continue; // a PCRE pattern JavaScript cannot compile
    }
  }
  return undefined;
}

/**
 * `abs`: the file's absolute path; `root`: the document root (URL `/`, or `urlPrefix` for an Alias);
 * `htaccess`: parsed .htaccess by directory (absolute), for the directories from root to the file.
 */
export function wouldServe(abs: string, root: string, configs: readonly WebConfig[], htaccess: ReadonlyMap<string, HtaccessRules>, urlPrefix = '/'): Served {
  const rel = abs.slice(root.replace(/\/$/, '').length + 1);
  const base = abs.slice(abs.lastIndexOf('/') + 1);
  const servers = configs.filter((c) => c.sites.some((s) => s.root === root || s.aliases.some((a) => a.path.replace(/\/$/, '') === root.replace(/\/$/, ''))));
  // .htaccess applies when Apache serves the root, and is the best evidence when no configuration names it.
  const apacheLike = servers.length === 0 || servers.some((c) => c.server === 'apache-httpd');
  let ignoredHtaccess: string | undefined;
  if (apacheLike) {
    const parts = rel.split('/');
    let dir = root.replace(/\/$/, '');
    for (let i = 0; i < parts.length; i++) {
      const h = htaccess.get(dir);
      const rule = h?.all ? 'denies all' : h?.files.find((x) => x.regex.test(base))?.source;
      if (rule) {
        const why = `${dir}/.htaccess ${rule}`;
        // Apache reads .htaccess only where AllowOverride permits; with no configuration, that is unknown.
        if (!servers.length) return { served: 'unknown', why: `${why} (applies only if Apache serves this directory with AllowOverride)` };
        const ao = allowOverrideFor(servers, dir);
        if (ao !== undefined && !/^none$/i.test(ao)) return { served: false, why };
        ignoredHtaccess = `${why}, but ${ao === undefined ? 'no AllowOverride applies here (Apache 2.4 default: None)' : 'AllowOverride None'} makes Apache ignore it`;
        break;
      }
      dir = `${dir}/${parts[i]}`;
    }
  }
  if (!servers.length) return { served: 'unknown', why: 'no web server configuration names this document root' };
  for (const c of servers) {
    if (c.server === 'apache-httpd') {
      const g = apacheGlobalDeny([...c.denies, ...c.sites.flatMap((s) => s.denies)], abs);
      if (g) return { served: false, why: `${g.file}: ${g.kind} ${g.pattern}` };
    }
    if (c.server === 'nginx') {
      const uri = `${urlPrefix.replace(/\/$/, '')}/${rel}`;
      const sites = c.sites.filter((s) => s.root === root || s.aliases.some((a) => a.path.replace(/\/$/, '') === root.replace(/\/$/, '')));
      const allDeny = sites.length > 0 && sites.every((s) => nginxLocation(s, uri)?.denied);
      if (allDeny) {
        const l = nginxLocation(sites[0]!, uri)!;
        return { served: false, why: `nginx location ${l.modifier ? `${l.modifier} ` : ''}${l.pattern} denies` };
      }
    }
  }
  return { served: true, why: ignoredHtaccess ?? `served from ${root} by ${servers.map((s) => s.server).join(', ')}` };
}

/** The AllowOverride of the longest `<Directory>` that contains `dir`, in Apache configurations. */
function allowOverrideFor(configs: readonly WebConfig[], dir: string): string | undefined {
  let best: { dir: string; value: string } | undefined;
  for (const c of configs)
    for (const a of c.allowOverride ?? []) {
      if (a.dir.includes('*')) continue;
      if ((a.dir === '/' || underDir(dir, a.dir)) && (!best || a.dir.length >= best.dir.length)) best = a;
    }
  return best?.value;
}
