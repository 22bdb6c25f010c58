import { defineCatalog } from '../i18n.js';

/** `mamori worker`: the pg-boss workers of a fleet on PostgreSQL. */
export const workersMessages = defineCatalog({
  en: {
    'worker.summary': 'take scan jobs from the fleet server\'s PostgreSQL queue (pg-boss) until stopped (SIGTERM: finish or hand back)',
    'worker.opt.database': 'the fleet server\'s PostgreSQL database (postgres://…; also DATABASE_URL)',
    'worker.opt.concurrency': 'jobs run at once by this worker (default 2)',
    'worker.opt.tenantConcurrency': 'scans of one tenant at once across all workers (default 4)',
    'worker.opt.globalConcurrency': 'scans at once across all workers (default 64)',
    'worker.opt.server': 'the fleet server\'s URL, to keep this worker\'s knowledge DB in step with it (also MAMORI_SERVER)',
    'worker.opt.token': 'API token for --server (also MAMORI_TOKEN)',
    'worker.opt.metricsListen': 'serve /healthz, /readyz and /metrics (Prometheus) on HOST:PORT',
    'worker.opt.grace': 'on SIGTERM, seconds running jobs may take to finish before they are handed back (default 30)',
    'worker.opt.jobTimeout': 'time limit of one scan in seconds (default: host 900, site 2700); the same on every process of the cluster',
    'worker.needPostgres': 'mamori worker needs the fleet server\'s PostgreSQL database: pass --database postgres://USER@HOST/DB (or set DATABASE_URL). The embedded SQLite store runs its jobs inside `mamori serve`.',
    'worker.badListen': 'option --metrics-listen takes HOST:PORT, not "{value}".',
    'worker.noKey': 'the worker cannot read the SSH keys stored by the server: {reason}. Give it the server\'s key (MAMORI_SECRET_KEY, or the server\'s secret.key in this worker\'s MAMORI_HOME).',
    'worker.store': 'cannot open the fleet database: {reason}',
  },
  ja: {
    'worker.summary': 'フリートサーバーの PostgreSQL キュー (pg-boss) からスキャンジョブを受け取って実行する (SIGTERM で実行中のジョブを終えるか戻して停止)',
    'worker.opt.database': 'フリートサーバーの PostgreSQL データベース (postgres://…、DATABASE_URL でも可)',
    'worker.opt.concurrency': 'このワーカーで同時に実行するジョブ数 (既定 2)',
    'worker.opt.tenantConcurrency': '全ワーカー合計での 1 テナントあたりの同時スキャン数 (既定 4)',
    'worker.opt.globalConcurrency': '全ワーカー合計での同時スキャン数 (既定 64)',
    'worker.opt.server': 'ナレッジ DB をサーバーと同じ版に保つためのフリートサーバーの URL (MAMORI_SERVER でも可)',
    'worker.opt.token': '--server 用の API トークン (MAMORI_TOKEN でも可)',
    'worker.opt.metricsListen': '/healthz、/readyz、/metrics (Prometheus 形式) を HOST:PORT で公開する',
    'worker.opt.grace': 'SIGTERM 受信後、実行中のジョブが終わるのを待つ秒数 (既定 30)。過ぎたジョブはキューに戻す',
    'worker.opt.jobTimeout': 'スキャン 1 件の制限時間 (秒、既定: ホスト 900、サイト 2700)。クラスタの全プロセスで同じ値にする',
    'worker.needPostgres': 'mamori worker にはフリートサーバーの PostgreSQL データベースが必要です: --database postgres://USER@HOST/DB を指定してください (または DATABASE_URL)。組み込みの SQLite ストアでは `mamori serve` の中でジョブが実行されます。',
    'worker.badListen': 'オプション --metrics-listen には HOST:PORT を指定してください ("{value}" は使えません)。',
    'worker.noKey': 'サーバーが保存した SSH 鍵をこのワーカーで復号できません: {reason}。サーバーと同じ鍵を渡してください (MAMORI_SECRET_KEY、またはこのワーカーの MAMORI_HOME にサーバーの secret.key)。',
    'worker.store': 'フリートデータベースを開けません: {reason}',
  },
});
