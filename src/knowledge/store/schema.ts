/**
 * Schema migrations, applied in order; `PRAGMA user_version` holds the number applied. Plain SQL that
 * PostgreSQL also accepts (TEXT, INTEGER, REAL, BLOB→BYTEA aside; ON CONFLICT upserts; no JSON functions),
 * so a PostgreSQL adapter can run the same statements.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE feeds (
    name TEXT PRIMARY KEY,
    updated_at TEXT,
    source TEXT,
    error TEXT,
    error_at TEXT
  );
  CREATE TABLE http_cache (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, fetched_at TEXT NOT NULL);
  CREATE TABLE raw (
    id INTEGER PRIMARY KEY,
    feed TEXT NOT NULL,
    format TEXT NOT NULL,
    rkey TEXT NOT NULL,
    source TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    digest TEXT NOT NULL,
    size INTEGER NOT NULL,
    body BLOB NOT NULL,
    UNIQUE (format, rkey)
  );
  CREATE TABLE advisories (
    feed TEXT NOT NULL,
    adv_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    platform TEXT NOT NULL,
    package TEXT NOT NULL,
    fix_state TEXT NOT NULL,
    cves TEXT NOT NULL,
    body TEXT NOT NULL,
    raw_id INTEGER NOT NULL,
    PRIMARY KEY (feed, adv_id, platform, package)
  );
  CREATE INDEX advisories_scope ON advisories (platform, package);
  CREATE INDEX advisories_raw ON advisories (raw_id);
  CREATE TABLE lifecycle (
    feed TEXT NOT NULL,
    product TEXT NOT NULL,
    cycle TEXT NOT NULL,
    source TEXT NOT NULL,
    body TEXT NOT NULL,
    raw_id INTEGER NOT NULL,
    PRIMARY KEY (product, cycle, source)
  );
  CREATE INDEX lifecycle_raw ON lifecycle (raw_id);
  CREATE TABLE kev (cve TEXT PRIMARY KEY, body TEXT NOT NULL, raw_id INTEGER NOT NULL);
  CREATE INDEX kev_raw ON kev (raw_id);
  CREATE TABLE epss (cve TEXT PRIMARY KEY, epss REAL NOT NULL, percentile REAL NOT NULL, score_date TEXT, raw_id INTEGER NOT NULL);
  CREATE INDEX epss_raw ON epss (raw_id);
  CREATE TABLE cve_records (id TEXT NOT NULL, feed TEXT NOT NULL, body TEXT NOT NULL, raw_id INTEGER NOT NULL, PRIMARY KEY (id, feed));
  CREATE INDEX cve_records_raw ON cve_records (raw_id);
  CREATE TABLE cpe_map (feed TEXT NOT NULL, package TEXT NOT NULL, cpe TEXT NOT NULL, grp TEXT NOT NULL, raw_id INTEGER NOT NULL);
  CREATE INDEX cpe_map_package ON cpe_map (package);
  CREATE INDEX cpe_map_raw ON cpe_map (raw_id);
  CREATE TABLE rejected (feed TEXT NOT NULL, rkey TEXT NOT NULL, ref TEXT NOT NULL, reason TEXT NOT NULL);
  CREATE INDEX rejected_key ON rejected (feed, rkey);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
