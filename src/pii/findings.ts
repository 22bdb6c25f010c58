/**
 * Verdicts → findings of the report: `personal-data-exposure` (severity by kind and volume) and
 * `sensitive-file-exposure` (dumps, backups, logs, VCS metadata, config and credentials without personal
 * data). Evidence carries counts, confidence and masked samples only; every string of a finding (location,
 * title, reasons) is masked (maskFinding), its id is derived from the real path.
 */
import type { DataExposureEvidence } from '../core/evidence.js';
import { findingId } from '../core/ids.js';
import { messages } from '../core/messages/index.js';
import { SEVERITIES, type Finding, type Lang, type Severity } from '../core/model.js';
import type { FileVerdict, PiiKind, SensitiveKind } from './types.js';
import { maskFinding } from './mask.js';

export interface Located {
  location: string;
  /** Reachable over HTTP: true, false (blocked), or 'unknown' (not tested). */
  served?: boolean | 'unknown';
}

const KIND_LABEL: Record<Lang, Record<PiiKind, string>> = {
  en: { name: 'names', email: 'e-mail addresses', phone: 'phone numbers', 'postal-code': 'postal codes', address: 'addresses', card: 'card numbers', 'my-number': 'My Numbers', 'birth-date': 'birth dates' },
  ja: { name: '氏名', email: 'メールアドレス', phone: '電話番号', 'postal-code': '郵便番号', address: '住所', card: 'カード番号', 'my-number': 'マイナンバー', 'birth-date': '生年月日' },
};

const SEVERITY_OF_SENSITIVE: Record<SensitiveKind, Severity> = {
  credentials: 'high',
  'sql-dump': 'medium',
  database: 'medium',
  'backup-archive': 'medium',
  vcs: 'medium',
  log: 'medium',
  phpinfo: 'medium',
  config: 'medium',
  'csv-export': 'low',
  spreadsheet: 'low',
  'editor-leftover': 'low',
};

const down = (s: Severity, steps = 1): Severity => SEVERITIES[Math.min(SEVERITIES.length - 1, SEVERITIES.indexOf(s) + steps)]!;
const up = (s: Severity): Severity => SEVERITIES[Math.max(0, SEVERITIES.indexOf(s) - 1)]!;

export function personalSeverity(v: FileVerdict, served: Located['served']): Severity {
  const k = v.kinds;
  let s: Severity;
  const contact = (k.phone ?? 0) + (k.email ?? 0) + (k.address ?? 0) + (k['postal-code'] ?? 0) > 0;
  if ((k.card ?? 0) > 0 || (k['my-number'] ?? 0) > 0) s = 'critical';
  else if ((k.name ?? 0) > 0 && contact && v.records >= 10) s = 'high';
  else if (v.records >= 50) s = 'high';
  else s = 'medium';
  if (s === 'high' && served === true && v.records >= 100) s = up(s);
  if (served === false) s = down(s);
  return s;
}

function summary(v: FileVerdict, lang: Lang): string {
  const parts = (Object.entries(v.kinds) as [PiiKind, number][]).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${KIND_LABEL[lang][k]} ${n}`);
  const rec = lang === 'ja' ? `${v.records} 件` : `${v.records} record${v.records === 1 ? '' : 's'}`;
  return `${rec} (${parts.join(', ')})`;
}

const SEED = /(?:^|\/)install\/sql\//i;

export function verdictToFindings(verdicts: readonly FileVerdict[], locate: (path: string) => Located, opts: { lang?: Lang } = {}): Finding[] {
  const lang = opts.lang ?? 'en';
  const t = (code: string, params?: Record<string, string | number>) => messages.t(lang, code, params);
  const out: Finding[] = [];
  for (const v of verdicts) {
    const where = locate(v.path);
    const evidence = {
      kinds: v.kinds,
      records: v.records,
      confidence: v.confidence,
      bytes: v.bytes,
      ...(v.encoding ? { encoding: v.encoding } : {}),
      ...(v.container ? { container: v.container } : {}),
      ...(v.sensitive ? { sensitive: v.sensitive } : {}),
      samples: v.samples.slice(0, 3),
      reasons: v.reasons.slice(0, 8),
      ...(v.truncated ? { truncated: true } : {}),
      ...(v.dummy ? { dummy: true } : {}),
      ...(where.served !== undefined ? { served: where.served } : {}),
    } satisfies DataExposureEvidence;
    if (v.personal) {
      const severity = personalSeverity(v, where.served);
      const params = { location: where.location, summary: summary(v, lang) };
      out.push({
        id: findingId('personal-data-exposure', v.path),
        category: 'personal-data-exposure',
        severity,
        title: t('pii.finding.personal', params),
        message: { code: 'pii.finding.personal', params },
        location: where.location,
        evidence,
        confidence: v.confidence,
        source: 'pii-classifier',
        remediation: {
          priority: 1,
          action: t('pii.remediation.personal'),
          actionMessage: { code: 'pii.remediation.personal' },
          steps: [{ priority: 2, action: t('pii.remediation.personalBlock'), actionMessage: { code: 'pii.remediation.personalBlock' } }],
        },
        damage: { customers: t('pii.damage.customers'), organisation: t('pii.damage.organisation'), code: 'pii.damage' },
      });
      continue;
    }
    if (!v.sensitive) continue;
    let severity = SEVERITY_OF_SENSITIVE[v.sensitive];
    if (v.sensitive === 'sql-dump' && v.records === 0 && v.reasons.some((r) => r.startsWith('schema only'))) severity = 'low';
    if (SEED.test(v.path) || (v.dummy && (v.sensitive === 'csv-export' || v.sensitive === 'spreadsheet'))) severity = 'info';
    if (where.served === false) severity = down(severity);
    const code = `pii.finding.sensitive.${v.sensitive}`;
    const params = { location: where.location };
    const rem = v.sensitive === 'vcs' ? 'pii.remediation.vcs' : 'pii.remediation.sensitive';
    out.push({
      id: findingId('sensitive-file-exposure', v.path),
      category: 'sensitive-file-exposure',
      severity,
      title: t(code, params),
      message: { code, params },
      location: where.location,
      evidence,
      confidence: v.skipped ? 60 : 80,
      source: 'pii-classifier',
      remediation: { priority: 1, action: t(rem), actionMessage: { code: rem } },
      damage: { customers: t('pii.damage.sensitive.customers'), organisation: t('pii.damage.sensitive.organisation'), code: 'pii.damage.sensitive' },
    });
  }
  // Locations and file names may hold personal values (`請求書_090-1234-5678.csv`): masked like the rest.
  return out.map(maskFinding);
}
