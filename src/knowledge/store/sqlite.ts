/**
 * The SQLite store (better-sqlite3). Raw upstream records are kept (gzip) with source, fetch time and digest;
 * normalised rows point at their raw record, so a re-import of a changed record replaces exactly its rows and
 * a parser fix re-normalises from the raw records without a download.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Advisory, CveRecord, EpssEntry, KevEntry, KnowledgeQuery, KnowledgeSlice, LifecycleCycle } from '../../core/knowledge.js';
import { SNAPSHOT_KINDS, type SnapshotKind } from '../../core/model.js';
import type { FeedStatus, Normalized, Rejection } from '../types.js';
import { countRecords } from '../types.js';
import { KNOWN_FEEDS } from '../feeds/registry.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import type { FeedWriter, PutResult } from './ports.js';

export const STALE_DAYS = 7;
const CHUNK = 500;

export class KnowledgeDbError extends Error {
  /** `locked`: another mamori holds the DB's lock (a refresh can skip; nothing is wrong). */
  constructor(
    message: string,
    readonly code?: 'locked',
  ) {
    super(message);
    this.name = 'KnowledgeDbError';
  }
}

export type { PutResult } from './ports.js';

export function digestOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

type Db = Database.Database;

export function migrate(db: Db): void {
  const v = db.pragma('user_version', { simple: true }) as number;
  if (v > SCHEMA_VERSION) throw new KnowledgeDbError(`the knowledge DB has schema ${v}, newer than this mamori (${SCHEMA_VERSION}); update mamori`);
  for (let i = v; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

/** Open for building (the aside copy): WAL while writing, migrated. */
export function openWritable(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // a build copy: a crash discards it, and commit fsyncs once
  migrate(db);
  return db;
}

/** Open the published DB read-only; a file that is not a mamori DB or is damaged throws a clear error. */
export function openReadonly(path: string): Db {
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const v = db.pragma('user_version', { simple: true }) as number;
    if (v === 0 || v > SCHEMA_VERSION) {
      db.close();
      throw new KnowledgeDbError(v === 0 ? `${path} is not a mamori knowledge DB` : `${path} has schema ${v}, newer than this mamori (${SCHEMA_VERSION})`);
    }
    db.prepare('SELECT count(*) FROM feeds').get();
  } catch (err) {
    if (err instanceof KnowledgeDbError) throw err;
    throw new KnowledgeDbError(`the knowledge DB ${path} is damaged or not a database (${(err as Error).message}); run \`mamori db update\` or \`mamori db import\` to rebuild it`);
  }
  return db;
}

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');

export class KnowledgeStore implements FeedWriter {
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(
    readonly db: Db,
    private readonly nowFn: () => Date = () => new Date(),
  ) {}

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  close(): void {
    this.db.close();
  }

  // ---- write side (used on the aside copy only) ----

  /** Store one raw record and its normalised rows; a record that failed as a whole keeps the previous rows. */
  putRaw(p: { feed: string; format: string; key: string; source: string; fetchedAt: string; bytes: Uint8Array; out: Normalized; force?: boolean }): PutResult {
    const digest = digestOf(p.bytes);
    const prev = this.stmt('SELECT id, digest, feed FROM raw WHERE format = ? AND rkey = ?').get(p.format, p.key) as { id: number; digest: string; feed: string } | undefined;
    if (prev && prev.digest === digest && !p.force) return { status: 'unchanged', records: 0, rejected: 0 };
    const records = countRecords(p.out);
    const failedWhole = records === 0 && p.out.rejected.length > 0;
    return this.db.transaction((): PutResult => {
      this.stmt('DELETE FROM rejected WHERE feed = ? AND rkey = ?').run(p.feed, p.key);
      this.insertRejected(p.feed, p.key, p.out.rejected);
      if (failedWhole && prev) return { status: 'kept-previous', records: 0, rejected: p.out.rejected.length };
      if (prev) this.deleteRows(prev.id);
      const body = gzipSync(p.bytes, { level: 1 });
      const info = this.stmt(
        `INSERT INTO raw (feed, format, rkey, source, fetched_at, digest, size, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (format, rkey) DO UPDATE SET feed = excluded.feed, source = excluded.source, fetched_at = excluded.fetched_at, digest = excluded.digest, size = excluded.size, body = excluded.body`,
      ).run(p.feed, p.format, p.key, p.source, p.fetchedAt, digest, p.bytes.length, body);
      const rawId = prev ? prev.id : Number(info.lastInsertRowid);
      this.insertRows(rawId, p.out);
      return { status: prev ? 'replaced' : 'new', records, rejected: p.out.rejected.length };
    })();
  }

  private insertRejected(feed: string, key: string, rej: readonly Rejection[]): void {
    const ins = this.stmt('INSERT INTO rejected (feed, rkey, ref, reason) VALUES (?, ?, ?, ?)');
    for (const r of rej) ins.run(feed, key, r.ref.slice(0, 300), r.reason.slice(0, 500));
  }

  private deleteRows(rawId: number): void {
    for (const t of ['advisories', 'lifecycle', 'kev', 'epss', 'cve_records', 'cpe_map']) this.stmt(`DELETE FROM ${t} WHERE raw_id = ?`).run(rawId);
  }

  private insertRows(rawId: number, out: Normalized): void {
    const adv = this.stmt(
      `INSERT INTO advisories (feed, adv_id, kind, platform, package, fix_state, cves, body, raw_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (feed, adv_id, platform, package) DO UPDATE SET kind = excluded.kind, fix_state = excluded.fix_state, cves = excluded.cves, body = excluded.body, raw_id = excluded.raw_id`,
    );
    for (const a of out.advisories) {
      adv.run(a.feed, a.id, a.scope.kind, a.scope.platform, a.scope.package, a.fixState, a.cves.join(' '), JSON.stringify(a), rawId);
    }
    const lc = this.stmt(
      `INSERT INTO lifecycle (feed, product, cycle, source, body, raw_id) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (product, cycle, source) DO UPDATE SET feed = excluded.feed, body = excluded.body, raw_id = excluded.raw_id`,
    );
    for (const c of out.lifecycle) lc.run(c.source === 'distro-info-data' ? 'distro-info' : c.source, c.product, c.cycle, c.source, JSON.stringify(c), rawId);
    const kev = this.stmt('INSERT INTO kev (cve, body, raw_id) VALUES (?, ?, ?) ON CONFLICT (cve) DO UPDATE SET body = excluded.body, raw_id = excluded.raw_id');
    for (const k of out.kev) kev.run(k.cve, JSON.stringify(k), rawId);
    const ep = this.stmt(
      'INSERT INTO epss (cve, epss, percentile, score_date, raw_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT (cve) DO UPDATE SET epss = excluded.epss, percentile = excluded.percentile, score_date = excluded.score_date, raw_id = excluded.raw_id',
    );
    for (const e of out.epss) ep.run(e.cve, e.epss, e.percentile, e.date ?? null, rawId);
    const cr = this.stmt('INSERT INTO cve_records (id, feed, body, raw_id) VALUES (?, ?, ?, ?) ON CONFLICT (id, feed) DO UPDATE SET body = excluded.body, raw_id = excluded.raw_id');
    for (const c of out.cves) {
      const { feed, ...rec } = c;
      cr.run(c.id, feed ?? 'cve', JSON.stringify(rec), rawId);
    }
    const cp = this.stmt("INSERT INTO cpe_map (feed, package, cpe, grp, raw_id) VALUES ('debian-cpe', ?, ?, ?, ?)");
    for (const c of out.cpe) cp.run(c.package, c.cpe, c.group, rawId);
  }

  getMeta(key: string): string | undefined {
    return (this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  markFeed(name: string, updatedAt: string, source: string): void {
    this.stmt('INSERT INTO feeds (name, updated_at, source, error, error_at) VALUES (?, ?, ?, NULL, NULL) ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at, source = excluded.source, error = NULL, error_at = NULL').run(
      name,
      updatedAt,
      source,
    );
  }

  markFeedError(name: string, error: string, at: string): void {
    this.stmt('INSERT INTO feeds (name, error, error_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET error = excluded.error, error_at = excluded.error_at').run(name, error.slice(0, 500), at);
  }

  httpValidators(url: string): { etag: string | null; lastModified: string | null } | undefined {
    const r = this.stmt('SELECT etag, last_modified FROM http_cache WHERE url = ?').get(url) as { etag: string | null; last_modified: string | null } | undefined;
    return r ? { etag: r.etag, lastModified: r.last_modified } : undefined;
  }

  setHttpValidators(url: string, etag: string | null, lastModified: string | null, at: string): void {
    this.stmt('INSERT INTO http_cache (url, etag, last_modified, fetched_at) VALUES (?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, fetched_at = excluded.fetched_at').run(
      url,
      etag,
      lastModified,
      at,
    );
  }

  rawBody(format: string, key: string): Uint8Array | undefined {
    const r = this.stmt('SELECT body FROM raw WHERE format = ? AND rkey = ?').get(format, key) as { body: Buffer } | undefined;
    return r ? gunzipSync(r.body) : undefined;
  }

  /** CPEs Debian links to a source package, with their aliases (for matching NVD CPE data to packages). */
  cpesForPackage(pkg: string): string[] {
    const direct = (this.stmt('SELECT cpe FROM cpe_map WHERE package = ?').all(pkg) as { cpe: string }[]).map((r) => r.cpe);
    const out = new Set(direct);
    for (const c of direct) {
      const groups = (this.stmt("SELECT grp FROM cpe_map WHERE package = '' AND cpe = ?").all(c) as { grp: string }[]).map((r) => r.grp);
      for (const g of groups) for (const r of this.stmt("SELECT cpe FROM cpe_map WHERE package = '' AND grp = ?").all(g) as { cpe: string }[]) out.add(r.cpe);
    }
    return [...out];
  }

  debianCodenames(): Map<string, string> {
    const m = new Map<string, string>();
    const rows = this.stmt("SELECT cycle, body FROM lifecycle WHERE product = 'debian' AND source = 'distro-info-data'").all() as { cycle: string; body: string }[];
    for (const r of rows) {
      const c = JSON.parse(r.body) as { codename?: string };
      if (c.codename) m.set(c.codename.toLowerCase().split(' ')[0]!, r.cycle);
    }
    return m;
  }

  batch<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Every raw record, for re-normalising after a parser fix. */
  *rawRecords(): Generator<{ feed: string; format: string; key: string; source: string; fetchedAt: string; bytes: Uint8Array }> {
    const ids = (this.db.prepare('SELECT id FROM raw ORDER BY fetched_at, id').all() as { id: number }[]).map((r) => r.id);
    const get = this.db.prepare('SELECT feed, format, rkey, source, fetched_at, body FROM raw WHERE id = ?');
    for (const id of ids) {
      const r = get.get(id) as { feed: string; format: string; rkey: string; source: string; fetched_at: string; body: Buffer } | undefined;
      if (r) yield { feed: r.feed, format: r.format, key: r.rkey, source: r.source, fetchedAt: r.fetched_at, bytes: gunzipSync(r.body) };
    }
  }

  // ---- read side ----

  private feedCache: FeedStatus[] | undefined;

  /** Per feed status; computed once per read-only connection (the published DB never changes under it). */
  feeds(): FeedStatus[] {
    if (this.db.readonly && this.feedCache) return this.feedCache;
    const r = this.computeFeeds();
    if (this.db.readonly) this.feedCache = r;
    return r;
  }

  private computeFeeds(): FeedStatus[] {
    const now = this.nowFn().getTime();
    const counts = new Map<string, number>();
    const add = (rows: { feed: string; n: number }[]) => rows.forEach((r) => counts.set(r.feed, (counts.get(r.feed) ?? 0) + r.n));
    add(this.stmt('SELECT feed, count(*) AS n FROM advisories GROUP BY feed').all() as { feed: string; n: number }[]);
    add(this.stmt('SELECT feed, count(*) AS n FROM lifecycle GROUP BY feed').all() as { feed: string; n: number }[]);
    add(this.stmt('SELECT feed, count(*) AS n FROM cve_records GROUP BY feed').all() as { feed: string; n: number }[]);
    add(this.stmt('SELECT feed, count(*) AS n FROM cpe_map GROUP BY feed').all() as { feed: string; n: number }[]);
    add([{ feed: 'kev', n: (this.stmt('SELECT count(*) AS n FROM kev').get() as { n: number }).n }]);
    add([{ feed: 'epss', n: (this.stmt('SELECT count(*) AS n FROM epss').get() as { n: number }).n }]);
    const rej = new Map<string, Rejection[]>();
    const rejCount = new Map<string, number>();
    for (const r of this.stmt('SELECT feed, count(*) AS n FROM rejected GROUP BY feed').all() as { feed: string; n: number }[]) rejCount.set(r.feed, r.n);
    for (const r of this.stmt('SELECT feed, rkey, ref, reason FROM rejected ORDER BY feed, rowid').all() as { feed: string; rkey: string; ref: string; reason: string }[]) {
      const l = rej.get(r.feed) ?? [];
      if (l.length < 20) l.push({ ref: r.ref === r.rkey ? r.ref : `${r.rkey}: ${r.ref}`, reason: r.reason });
      rej.set(r.feed, l);
    }
    const rows = this.stmt('SELECT name, updated_at, source, error FROM feeds').all() as { name: string; updated_at: string | null; source: string | null; error: string | null }[];
    const byName = new Map(rows.map((r) => [r.name, r]));
    const names = [...new Set<string>([...KNOWN_FEEDS, ...byName.keys(), ...counts.keys(), ...rejCount.keys()])];
    return names.map((name) => {
      const r = byName.get(name);
      const updatedAt = r?.updated_at ?? null;
      const ageDays = updatedAt ? Math.max(0, (now - Date.parse(updatedAt)) / 86_400_000) : null;
      return {
        name,
        records: counts.get(name) ?? 0,
        rejected: rejCount.get(name) ?? 0,
        updatedAt,
        source: r?.source ?? null,
        ageDays: ageDays === null ? null : Math.round(ageDays * 10) / 10,
        stale: ageDays !== null && ageDays > STALE_DAYS,
        error: r?.error ?? null,
        rejections: rej.get(name) ?? [],
      };
    });
  }

  /** Where the data came from (meta written by the embedded load, db update and db import). */
  snapshot(): { kind: SnapshotKind; at: string; embedded: string | null } | null {
    const kind = this.getMeta('snapshot.kind') as SnapshotKind | undefined;
    const at = this.getMeta('snapshot.at');
    if (kind && at && (SNAPSHOT_KINDS as readonly string[]).includes(kind)) return { kind, at, embedded: this.getMeta('snapshot.embedded') ?? null };
    // A DB made before snapshots were recorded: as old as its newest feed.
    const newest = this.feeds().map((f) => f.updatedAt).filter((d): d is string => Boolean(d)).sort().pop();
    return newest ? { kind: 'updated', at: newest, embedded: null } : null;
  }

  private selectIn<T>(sqlPrefix: string, fixed: unknown[], values: readonly string[], sqlSuffix = ''): T[] {
    const out: T[] = [];
    for (const c of chunks([...new Set(values)])) {
      out.push(...(this.stmt(`${sqlPrefix} (${marks(c.length)})${sqlSuffix}`).all(...fixed, ...c) as T[]));
    }
    return out;
  }

  /** Everything the assessment needs for one inventory, in one batched pass. */
  slice(query: KnowledgeQuery): KnowledgeSlice {
    const scopes: { platform: string; packages: string[] }[] = [];
    if (query.distro) scopes.push(query.distro);
    if (query.products.length) scopes.push({ platform: 'upstream', packages: query.products });
    scopes.push(...query.libraries);
    const bodies: string[] = [];
    for (const s of scopes) {
      if (!s.packages.length) continue;
      for (const r of this.selectIn<{ body: string }>('SELECT body FROM advisories WHERE platform = ? AND package IN', [s.platform], s.packages)) bodies.push(r.body);
    }
    const advisories = bodies.map((b) => JSON.parse(b) as Advisory);
    const cveIds = [...new Set(advisories.flatMap((a) => a.cves))];
    const lifecycle = this.selectIn<{ body: string }>('SELECT body FROM lifecycle WHERE product IN', [], query.lifecycleProducts, '').map((r) => JSON.parse(r.body) as LifecycleCycle);
    const kev = this.selectIn<{ body: string }>('SELECT body FROM kev WHERE cve IN', [], cveIds).map((r) => JSON.parse(r.body) as KevEntry);
    const epss = this.selectIn<{ cve: string; epss: number; percentile: number; score_date: string | null }>('SELECT cve, epss, percentile, score_date FROM epss WHERE cve IN', [], cveIds).map(
      (r): EpssEntry => ({ cve: r.cve, epss: r.epss, percentile: r.percentile, date: r.score_date ?? undefined }),
    );
    const recs = this.selectIn<{ id: string; feed: string; body: string }>('SELECT id, feed, body FROM cve_records WHERE id IN', [], cveIds);
    return {
      advisories,
      lifecycle,
      kev,
      epss,
      cves: mergeCveRecords(recs),
      feeds: this.feeds().map((f) => ({ name: f.name, records: f.records, updatedAt: f.updatedAt, source: f.source ?? undefined, stale: f.stale || f.records === 0 })),
    };
  }
}

const CVE_PRIORITY = ['nvd', 'cve5', 'httpd', 'php-version-audit', 'jvn'];

export function mergeCveRecords(rows: { id: string; feed: string; body: string }[]): CveRecord[] {
  const byId = new Map<string, { feed: string; rec: CveRecord }[]>();
  for (const r of rows) {
    const l = byId.get(r.id) ?? [];
    l.push({ feed: r.feed, rec: JSON.parse(r.body) as CveRecord });
    byId.set(r.id, l);
  }
  const rank = (f: string) => {
    const i = CVE_PRIORITY.indexOf(f);
    return i < 0 ? CVE_PRIORITY.length : i;
  };
  const out: CveRecord[] = [];
  for (const [id, list] of byId) {
    list.sort((a, b) => rank(a.feed) - rank(b.feed));
    const m: CveRecord = { id };
    for (const { feed, rec } of list) {
      if (feed === 'jvn' && rec.summary) m.jvnTitle ??= rec.summary;
      m.summary ??= rec.summary;
      m.cvss ??= rec.cvss;
      m.published ??= rec.published;
      if (rec.cwe) m.cwe = [...new Set([...(m.cwe ?? []), ...rec.cwe])];
      if (rec.jvn) m.jvn = [...new Set([...(m.jvn ?? []), ...rec.jvn])];
    }
    out.push(m);
  }
  return out;
}
