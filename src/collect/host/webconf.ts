/**
 * Web server configuration read as files (never `nginx -T`/`apachectl -S`: those open log files and may
 * create them): nginx, Apache httpd and lighttpd with their includes resolved by mamori, bounded (never
 * lighttpd's include_shell). What comes out: sites (names, listen, root, aliases, TLS protocols) and deny rules that
 * decide whether a file under a document root would be served.
 */
import { posix } from 'node:path';
import type { ReadResult, Transport } from '../transport/types.js';

export interface DenyRule {
  /** nginx: a `location` whose block denies (deny all / return 403/404/444 / internal). */
  kind: 'nginx-location' | 'apache-directory' | 'apache-files' | 'apache-filesmatch';
  /** nginx modifier (`=`, `^~`, `~`, `~*`, ``); unused for Apache. */
  modifier?: string;
  pattern: string;
  /** Where in the configuration. */
  file: string;
}

export interface SiteConfig {
  server: 'nginx' | 'apache-httpd' | 'lighttpd';
  names: string[];
  listen: string[];
  root?: string;
  aliases: { url: string; path: string }[];
  tlsProtocols?: string;
  /** nginx locations that are not denied, with their own root/alias, in order (for location matching). */
  locations?: { modifier: string; pattern: string; denied: boolean }[];
  denies: DenyRule[];
  file: string;
  /** Apache `UserDir`: the directory name or path served at /~user/, and users it is disabled for. */
  userDir?: { value: string; disabled: string[] };
}

export interface WebConfig {
  server: SiteConfig['server'];
  files: string[];
  sites: SiteConfig[];
  /** Global deny rules (Apache `<Directory>`/`<Files>` outside a VirtualHost). */
  denies: DenyRule[];
  /** Apache `AllowOverride` per `<Directory>` (anywhere): whether .htaccess files are read there at all. */
  allowOverride?: { dir: string; value: string }[];
  /**
   * What the configuration turns on, for the CVEs that need it (src/core/assess/data/applicability.ts): Apache
   * modules loaded with LoadModule (`mod_proxy`, `mod_php`) and nginx directives in use (`resolver`, `mp4`,
   * `fastcgi_split_path_info`, `http2`, `http3`, `quic`). Empty when none was seen.
   */
  features?: string[];
  problems: string[];
}

/** nginx directives whose modules carry CVEs of their own (see applicability.ts), and the listen flags. */
const NGINX_FEATURES = new Set(['resolver', 'mp4', 'fastcgi_split_path_info', 'fastcgi_pass', 'http2', 'http3', 'quic', 'spdy', 'dav_methods', 'ssi', 'slice', 'mail', 'stream', 'grpc_pass', 'uwsgi_pass', 'scgi_pass']);

export function nginxFeatures(tree: readonly Directive[]): string[] {
  const out = new Set<string>();
  const walk = (list: readonly Directive[]) => {
    for (const d of list) {
      if (NGINX_FEATURES.has(d.name) && !(d.name === 'ssi' && d.args[0] === 'off') && !(d.name === 'http2' && d.args[0] === 'off') && !(d.name === 'http3' && d.args[0] === 'off')) out.add(d.name);
      if (d.name === 'listen') for (const a of d.args) if (['http2', 'quic', 'spdy'].includes(a)) out.add(a);
      if (d.block) walk(d.block);
    }
  };
  walk(tree);
  return [...out].sort();
}

/** `LoadModule proxy_module modules/mod_proxy.so` → `mod_proxy`; `php5_module` (libphp5.so) → `mod_php`. */
export function apacheModule(args: readonly string[]): string | undefined {
  const [name, file] = args;
  if (!name) return undefined;
  if (/^php\d*_module$/.test(name) || /libphp/.test(file ?? '')) return 'mod_php';
  const base = file ? posix.basename(file).replace(/\.so$/, '') : undefined;
  if (base?.startsWith('mod_')) return base;
  return `mod_${name.replace(/_module$/, '')}`;
}

interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
  file: string;
}

const MAX_FILES = 300;
const MAX_FILE_BYTES = 1024 * 1024;

/** nginx keeps a backslash except before quotes and backslash; \t \r \n become control characters (ngx_conf_file.c). */
function unescape(c: string): string {
  if (c === '"' || c === "'" || c === '\\') return c;
  if (c === 't') return '\t';
  if (c === 'r') return '\r';
  if (c === 'n') return '\n';
  return `\\${c}`;
}

/** Tokenize nginx config: words, quoted strings, `;`, `{`, `}`, comments. */
export function tokenizeNginx(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === ';' || c === '{' || c === '}') {
      out.push(c);
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) {
          s += unescape(text[j + 1]!);
          j += 2;
        } else s += text[j++];
      }
      out.push(`\u0001${s}`); // quoted marker so `;` inside quotes is a word
      i = j + 1;
    } else {
      let s = '';
      while (i < text.length && !/[\s;{}]/.test(text[i]!)) {
        if (text[i] === '\\' && i + 1 < text.length) {
          s += unescape(text[i + 1]!);
          i += 2;
        } else s += text[i++];
      }
      out.push(s);
    }
  }
  return out;
}

export function parseNginxText(text: string, file: string): Directive[] {
  const toks = tokenizeNginx(text);
  let i = 0;
  const parseBlock = (): Directive[] => {
    const out: Directive[] = [];
    let words: string[] = [];
    while (i < toks.length) {
      const t = toks[i++]!;
      if (t === ';') {
        if (words.length) out.push({ name: words[0]!, args: words.slice(1), file });
        words = [];
      } else if (t === '{') {
        const block = parseBlock();
        out.push({ name: words[0] ?? '', args: words.slice(1), block, file });
        words = [];
      } else if (t === '}') {
        return out;
      } else words.push(t.replace(/^\u0001/, ''));
    }
    return out;
  };
  return parseBlock();
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
}

/** Expand a path that may contain glob characters in its last component (what configs use: `conf.d/*.conf`). */
async function expand(t: Transport, path: string): Promise<string[]> {
  if (!/[*?[]/.test(path)) return [path];
  const dir = posix.dirname(path);
  const base = posix.basename(path);
  if (/[*?[]/.test(dir)) {
    // `sites-enabled/*/x.conf` style: expand the directory part one level.
    const dirs = await expand(t, dir);
    return (await Promise.all(dirs.map((d) => expand(t, posix.join(d, base))))).flat();
  }
  const ents = await t.listDir(dir);
  if (!ents) return [];
  const re = globToRegExp(base);
  return ents
    .filter((e) => re.test(e.name) && e.type !== 'd')
    .map((e) => posix.join(dir, e.name))
    .sort();
}

/**
 * What loading a configuration file found: the file itself, its problems, then the records of its includes in
 * configuration order (reserved before they load, since they load at once).
 */
interface Loaded {
  files: string[];
  problems: string[];
  includes: Loaded[];
  /** Reads started so far for the whole configuration (shared by every record). */
  read: { n: number; stopped?: boolean };
  /** Apache: the `ServerRoot` in effect where this file was included (relative includes resolve against it). */
  serverRoot?: string;
}

const newLoaded = (read: Loaded['read'] = { n: 0 }, serverRoot?: string): Loaded => ({ files: [], problems: [], includes: [], read, ...(serverRoot ? { serverRoot } : {}) });

/** A record for an include, placed after those already reserved in `st`. */
function reserve(st: Loaded, serverRoot = st.serverRoot): Loaded {
  const sub = newLoaded(st.read, serverRoot);
  st.includes.push(sub);
  return sub;
}

function flatten(st: Loaded): { files: string[]; problems: string[] } {
  const subs = st.includes.map(flatten);
  return { files: [...st.files, ...subs.flatMap((x) => x.files)], problems: [...st.problems, ...subs.flatMap((x) => x.problems)] };
}

/** Read one configuration file, counted against the include limits; undefined once they are reached. */
async function readCounted(t: Transport, path: string, st: Loaded, depth: number): Promise<ReadResult | undefined> {
  if (st.read.n >= MAX_FILES || depth > 12) {
    // Said once: an include bomb would otherwise add a line per file it names.
    if (!st.read.stopped) st.problems.push(`include limit reached at ${path}`);
    st.read.stopped = true;
    return undefined;
  }
  st.read.n++; // counted when started: includes load concurrently
  return t.readFile(path, MAX_FILE_BYTES);
}

async function loadNginx(t: Transport, path: string, prefix: string, st: Loaded, depth = 0): Promise<Directive[]> {
  const r = await readCounted(t, path, st, depth);
  if (!r) return [];
  if (!r.ok) {
    st.problems.push(`${path}: ${r.failure} (${r.detail})`);
    return [];
  }
  st.files.push(path);
  const dirs = parseNginxText(r.data.toString('utf8'), path);
  // Every include of this file is read at once (one round trip per level over SSH, not one per file); each
  // included file keeps its own record so files and problems come out in configuration order.
  const resolve = (list: Directive[]): Promise<Directive[]>[] =>
    list.map(async (d) => {
      if (d.name === 'include' && d.args[0] && !d.block) {
        const target = posix.isAbsolute(d.args[0]) ? d.args[0] : posix.join(prefix, d.args[0]);
        const slot = reserve(st);
        return included(slot, await expand(t, target), (f, sub) => loadNginx(t, f, prefix, sub, depth + 1));
      }
      if (d.block) return [{ ...d, block: (await Promise.all(resolve(d.block))).flat() }];
      return [d];
    });
  return (await Promise.all(resolve(dirs))).flat();
}

/** Load included files concurrently, each into its own record under `slot`, in order. */
async function included<T>(slot: Loaded, files: readonly string[], load: (file: string, sub: Loaded) => Promise<T[]>): Promise<T[]> {
  return (await Promise.all(files.map((f) => load(f, reserve(slot))))).flat();
}

const denies = (block: Directive[] | undefined) =>
  (block ?? []).some((d) => (d.name === 'deny' && d.args[0] === 'all') || (d.name === 'return' && /^(403|404|444)$/.test(d.args[0] ?? '')) || d.name === 'internal');

/** `prefix`: nginx's --prefix, against which a relative `root html;` resolves (source builds' default config). */
export function nginxSites(tree: Directive[], confFile: string, prefix?: string): WebConfig {
  const at = (p: string) => (posix.isAbsolute(p) || !prefix ? p : posix.join(prefix, p));
  const cfg: WebConfig = { server: 'nginx', files: [], sites: [], denies: [], problems: [] };
  const http = tree.filter((d) => d.name === 'http');
  for (const h of http) {
    const httpTls = h.block?.find((d) => d.name === 'ssl_protocols')?.args.join(' ');
    const httpRoot0 = h.block?.find((d) => d.name === 'root')?.args[0];
    const httpRoot = httpRoot0 === undefined ? undefined : at(httpRoot0);
    for (const s of h.block?.filter((d) => d.name === 'server') ?? []) {
      const b = s.block ?? [];
      const site: SiteConfig = {
        server: 'nginx',
        names: b.filter((d) => d.name === 'server_name').flatMap((d) => d.args),
        listen: b.filter((d) => d.name === 'listen').map((d) => d.args.join(' ')),
        aliases: [],
        denies: [],
        locations: [],
        file: s.file,
      };
      if (!site.listen.length) site.listen.push('80');
      const root0 = b.find((d) => d.name === 'root')?.args[0];
      const root = root0 === undefined ? httpRoot : at(root0);
      if (root) site.root = root;
      const tls = b.find((d) => d.name === 'ssl_protocols')?.args.join(' ') ?? httpTls;
      if (tls) site.tlsProtocols = tls;
      const walkLoc = (list: Directive[]) => {
        for (const l of list.filter((d) => d.name === 'location')) {
          const [a, b2] = l.args;
          const modifier = b2 === undefined ? '' : a!;
          const pattern = b2 === undefined ? (a ?? '') : b2;
          const denied = denies(l.block);
          site.locations!.push({ modifier, pattern, denied });
          if (denied) site.denies.push({ kind: 'nginx-location', modifier, pattern, file: l.file });
          const lroot0 = l.block?.find((d) => d.name === 'root')?.args[0];
          const lroot = lroot0 === undefined ? undefined : at(lroot0);
          const alias0 = l.block?.find((d) => d.name === 'alias')?.args[0];
          const alias = alias0 === undefined ? undefined : at(alias0);
          if (alias && !denied && modifier !== '~' && modifier !== '~*') site.aliases.push({ url: pattern, path: alias });
          else if (lroot && lroot !== site.root && !denied && (modifier === '' || modifier === '^~')) {
            // Prefix locations only: a regex is no path, and `=` names one URI, not a tree.
            // `location /../../x { root /var/www; }`: the joined path must stay under the root once resolved.
            const path = posix.join(lroot, pattern);
            const base = posix.normalize(lroot).replace(/\/+$/, '') || '/';
            if (path === base || path.startsWith(base === '/' ? '/' : `${base}/`)) site.aliases.push({ url: pattern, path });
            else cfg.problems.push(`${l.file}: location ${pattern} with root ${lroot} resolves to ${path}, outside that root: not walked`);
          }
          if (l.block) walkLoc(l.block);
        }
      };
      walkLoc(b);
      cfg.sites.push(site);
    }
  }
  void confFile;
  return cfg;
}

/** With `optional: true` a missing main file gives undefined (well-known paths tried on the off chance). */
type ReadOpts = { optional?: boolean; prefix?: string };
type ReadResultOf<O> = O extends { optional: true } ? WebConfig | undefined : WebConfig;

/** The main file itself does not exist (a well-known path tried on the off chance): no configuration at all. */
const mainMissing = (st: Loaded, path: string) => st.files.length === 0 && st.problems.length <= 1 && (st.problems[0] ?? `${path}: missing`).startsWith(`${path}: missing`);

/** Includes resolve against the main file's directory; `prefix` (nginx's --prefix) is for relative roots. */
export async function readNginxConfig<O extends ReadOpts>(t: Transport, confPath: string, opts?: O): Promise<ReadResultOf<O>> {
  const st = newLoaded();
  const tree = await loadNginx(t, confPath, posix.dirname(confPath), st);
  if (opts?.optional && mainMissing(st, confPath)) return undefined as ReadResultOf<O>;
  const cfg = nginxSites(tree, confPath, opts?.prefix);
  const features = nginxFeatures(tree);
  if (features.length) cfg.features = features;
  const loaded = flatten(st);
  cfg.files = loaded.files;
  cfg.problems = [...loaded.problems, ...cfg.problems];
  return cfg;
}

// ---------------------------------------------------------------- Apache httpd

interface ApacheLine {
  text: string;
  file: string;
}

async function loadApache(t: Transport, path: string, serverRoot: string, st: Loaded, optional: boolean, depth = 0): Promise<ApacheLine[]> {
  const r = await readCounted(t, path, st, depth);
  if (!r) return [];
  if (!r.ok) {
    if (!optional || r.failure !== 'missing') st.problems.push(`${path}: ${r.failure} (${r.detail})`);
    return [];
  }
  st.files.push(path);
  const lines = r.data.toString('utf8').replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  // The ServerRoot in effect at each line (the last one above it, or the one this file was included under).
  let current = st.serverRoot;
  const roots = lines.map((raw) => {
    const sr = /^ServerRoot\s+"?(\/[^"]*?)"?\s*$/i.exec(raw.trim());
    if (sr) current = posix.normalize(sr[1]!);
    return current;
  });
  // Includes are read at once (see loadNginx), their lines kept in place.
  const parts = lines.map(async (raw, i): Promise<ApacheLine[]> => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return [];
    const inc = /^(Include|IncludeOptional)\s+"?([^"]+?)"?\s*$/i.exec(line);
    if (!inc) return [{ text: line, file: path }];
    const p = inc[2]!;
    const root = roots[i] ?? serverRoot;
    const target = posix.isAbsolute(p) ? p : posix.join(root, p);
    const slot = reserve(st, roots[i]);
    return included(slot, await expandApache(t, target), (f, sub) => loadApache(t, f, serverRoot, sub, /optional/i.test(inc[1]!) || /[*?]/.test(p), depth + 1));
  });
  return (await Promise.all(parts)).flat();
}

async function expandApache(t: Transport, path: string): Promise<string[]> {
  if (/[*?[]/.test(path)) return expand(t, path);
  // `Include conf.d/` (a directory): every file in it. A file lists as nothing over SSH (`find FILE -mindepth 1`).
  const ents = await t.listDir(path);
  if (ents?.length) return ents.filter((e) => e.type !== 'd').map((e) => posix.join(path, e.name)).sort();
  return [path];
}

const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1');

/** `serverRoot`: against which a relative DocumentRoot or Alias path resolves (as httpd's ap_server_root_relative). */
export function apacheSites(lines: readonly ApacheLine[], serverRoot?: string): WebConfig {
  const at = (p: string) => (posix.isAbsolute(p) || !serverRoot ? p : posix.join(serverRoot, p));
  const cfg: WebConfig = { server: 'apache-httpd', files: [], sites: [], denies: [], problems: [] };
  const main: SiteConfig = { server: 'apache-httpd', names: [], listen: [], aliases: [], denies: [], file: lines[0]?.file ?? '' };
  let cur: SiteConfig = main;
  const stack: { kind: string; arg: string; denied: boolean; file: string }[] = [];
  const globalListen: string[] = [];
  let globalTls: string | undefined;
  for (const { text, file } of lines) {
    const open = /^<(\w+)\s*([^>]*)>$/.exec(text);
    if (open) {
      const kind = open[1]!.toLowerCase();
      if (kind === 'virtualhost') {
        cur = { server: 'apache-httpd', names: [], listen: open[2]!.split(/\s+/).filter(Boolean), aliases: [], denies: [], file };
        if (globalTls) cur.tlsProtocols = globalTls;
      }
      stack.push({ kind, arg: unquote(open[2]!.trim()), denied: false, file });
      continue;
    }
    const close = /^<\/(\w+)>$/.exec(text);
    if (close) {
      const top = stack.pop();
      if (top && top.denied) {
        const parts = top.arg.split(/\s+/);
        const rule: DenyRule | undefined =
          top.kind === 'directory' ? { kind: 'apache-directory', pattern: top.arg, file: top.file }
          : top.kind === 'directorymatch' ? { kind: 'apache-directory', pattern: `~${top.arg}`, file: top.file }
          : top.kind === 'files' ? (parts[0] === '~' ? { kind: 'apache-filesmatch', pattern: unquote(parts.slice(1).join(' ')), file: top.file } : { kind: 'apache-files', pattern: top.arg, file: top.file })
          : top.kind === 'filesmatch' ? { kind: 'apache-filesmatch', pattern: top.arg, file: top.file }
          : top.kind === 'location' || top.kind === 'locationmatch' ? { kind: 'nginx-location', modifier: top.kind === 'locationmatch' ? '~' : '^~', pattern: top.arg, file: top.file }
          : undefined;
        if (rule) (cur === main ? cfg.denies : cur.denies).push(rule);
      }
      if (close[1]!.toLowerCase() === 'virtualhost') {
        cfg.sites.push(cur);
        cur = main;
      }
      continue;
    }
    const m = /^(\S+)\s*(.*)$/.exec(text);
    if (!m) continue;
    const name = m[1]!.toLowerCase();
    const args = m[2]!.match(/"[^"]*"|\S+/g)?.map(unquote) ?? [];
    const top = stack[stack.length - 1];
    if (top && (name === 'require' ? args.join(' ').toLowerCase() === 'all denied' : name === 'deny' ? args.join(' ').toLowerCase() === 'from all' : false)) top.denied = true;
    if (name === 'allowoverride' && top?.kind === 'directory') (cfg.allowOverride ??= []).push({ dir: top.arg.replace(/\/+$/, '') || '/', value: args.join(' ') });
    switch (name) {
      case 'documentroot':
        if (args[0]) cur.root = at(args[0]);
        break;
      case 'alias':
      case 'scriptalias':
        if (args[0] && args[1]) cur.aliases.push({ url: args[0], path: at(args[1]) });
        break;
      case 'servername':
      case 'serveralias':
        cur.names.push(...args);
        break;
      case 'listen':
        if (args[0]) globalListen.push(args.join(' '));
        break;
      case 'userdir': {
        const ud = (cur.userDir ??= { value: '', disabled: [] });
        if (args[0]?.toLowerCase() === 'disabled') {
          if (args.length === 1) ud.value = '';
          else ud.disabled.push(...args.slice(1));
        } else if (args[0]?.toLowerCase() === 'enabled') ud.disabled = ud.disabled.filter((u) => !args.slice(1).includes(u));
        else if (args[0]) ud.value = args[0];
        break;
      }
      case 'loadmodule': {
        const mod = apacheModule(args);
        if (mod && !(cfg.features ??= []).includes(mod)) cfg.features.push(mod);
        break;
      }
      case 'sslprotocol':
        if (cur === main) globalTls = args.join(' ');
        else cur.tlsProtocols = args.join(' ');
        break;
    }
  }
  main.listen = globalListen;
  if (globalTls) main.tlsProtocols = globalTls;
  if (main.root || !cfg.sites.length) cfg.sites.unshift(main);
  return cfg;
}

export async function readApacheConfig<O extends ReadOpts>(t: Transport, serverRoot: string, confFile: string, opts?: O): Promise<ReadResultOf<O>> {
  const st = newLoaded();
  const path = posix.isAbsolute(confFile) ? confFile : posix.join(serverRoot, confFile);
  const lines = await loadApache(t, path, serverRoot, st, false);
  if (opts?.optional && mainMissing(st, path)) return undefined as ReadResultOf<O>;
  // The last ServerRoot read, as Apache reads the files one after the other.
  const lastRoot = lines
    .map((l) => /^ServerRoot\s+"?(\/[^"]*?)"?\s*$/i.exec(l.text)?.[1])
    .filter((x): x is string => Boolean(x))
    .pop();
  const cfg = apacheSites(lines, lastRoot ? posix.normalize(lastRoot) : serverRoot);
  Object.assign(cfg, flatten(st));
  return cfg;
}

/**
 * lighttpd: variables (`var.server_root = "/var/www"`, used as `server_root + "/lighttpd"`), `include` of
 * files and globs (relative to the main file's directory; `include_shell` is never run), every
 * `server.document-root` (also inside `$HTTP["host"]` conditions, one site each) and `alias.url` pairs.
 */
export async function readLighttpdConfig<O extends ReadOpts>(t: Transport, path: string, opts?: O): Promise<ReadResultOf<O>> {
  const cfg: WebConfig = { server: 'lighttpd', files: [], sites: [], denies: [], problems: [] };
  const vars = new Map<string, string>();
  const base = posix.dirname(path);
  let port = '80';
  const roots: { root: string; file: string }[] = [];
  const aliases: { url: string; path: string }[] = [];
  const evalExpr = (expr: string): string | undefined => {
    let out = '';
    for (const part of expr.match(/"(?:[^"\\]|\\.)*"|[^+\s]+/g) ?? []) {
      if (part.startsWith('"')) out += part.slice(1, -1).replace(/\\(.)/g, '$1');
      else {
        const v = vars.get(part.replace(/^var\./, ''));
        if (v === undefined) return undefined;
        out += v;
      }
    }
    return out;
  };
  const load = async (file: string, depth: number): Promise<boolean> => {
    if (cfg.files.length >= MAX_FILES || depth > 12) {
      cfg.problems.push(`include limit reached at ${file}`);
      return true;
    }
    const r = await t.readFile(file, MAX_FILE_BYTES);
    if (!r.ok) {
      if (depth === 0 && opts?.optional && r.failure === 'missing') return false;
      cfg.problems.push(`${file}: ${r.failure} (${r.detail})`);
      return true;
    }
    cfg.files.push(file);
    // One statement per line, except lists in parentheses that span lines (`alias.url = ( … )`).
    const stmts: string[] = [];
    for (const raw of r.data.toString('utf8').split(/\r?\n/)) {
      const line = raw.replace(/^\s*#.*$/, '').trim();
      const prev = stmts[stmts.length - 1];
      if (prev !== undefined && (prev.match(/\(/g)?.length ?? 0) > (prev.match(/\)/g)?.length ?? 0)) stmts[stmts.length - 1] = `${prev} ${line}`;
      else if (line) stmts.push(line);
    }
    for (const line of stmts) {
      if (/^include_shell\s/.test(line)) {
        cfg.problems.push(`${file}: ${line}: not run (no command from a configuration file is run); what it includes is not checked`);
        continue;
      }
      const inc = /^include\s+(.+)$/.exec(line);
      if (inc) {
        const target = evalExpr(inc[1]!);
        if (target === undefined) {
          cfg.problems.push(`${file}: include ${inc[1]}: unknown variable, not followed`);
          continue;
        }
        for (const f of await expand(t, posix.isAbsolute(target) ? target : posix.join(base, target))) await load(f, depth + 1);
        continue;
      }
      const m = /^(?:\$\w+\[[^\]]*\]\s*[=!~]+\s*"[^"]*"\s*\{\s*)?([\w.-]+)\s*(\+?=|:=)\s*(.+?)\s*\}?$/.exec(line);
      if (!m) continue;
      const [, name, , expr] = m as unknown as [string, string, string, string];
      if (name.startsWith('var.')) {
        const v = evalExpr(expr);
        if (v !== undefined) vars.set(name.slice(4), v);
      } else if (name === 'server.document-root') {
        const v = evalExpr(expr);
        if (v !== undefined) roots.push({ root: v, file });
        else cfg.problems.push(`${file}: server.document-root = ${expr}: unknown variable`);
      } else if (name === 'server.port') port = expr.replace(/"/g, '');
      else if (name === 'alias.url') {
        for (const pair of expr.matchAll(/"([^"]+)"\s*=>\s*((?:"[^"]*"|[\w.]+)(?:\s*\+\s*(?:"[^"]*"|[\w.]+))*)/g)) {
          const target = evalExpr(pair[2]!);
          if (target !== undefined) aliases.push({ url: pair[1]!, path: target });
        }
      }
    }
    return true;
  };
  if (!(await load(path, 0))) return undefined as ReadResultOf<O>;
  if (!roots.length) roots.push({ root: '', file: path });
  for (const [i, r] of roots.entries()) cfg.sites.push({ server: 'lighttpd', names: [], listen: [port], aliases: i === 0 ? aliases : [], denies: [], file: r.file, ...(r.root ? { root: r.root } : {}) });
  return cfg as ReadResultOf<O>;
}
