/**
 * FIRST EPSS daily CSV (`epss_scores-YYYY-MM-DD.csv.gz`): a `#model_version:…,score_date:…` comment line,
 * then `cve,epss,percentile`. The import layer gunzips; this parses the text. See ./README.md.
 */
import type { RawInput } from '../../types.js';
import { emptyNormalized, type Normalized } from '../../types.js';
import { CVE_RE } from '../common/util.js';

export const FEED = 'epss';

export function recognise(text: string): boolean {
  return /^(#model_version[^\n]*\n)?cve,epss,percentile\s*$/m.test(text.slice(0, 300));
}

export function parse(raw: RawInput, text: string): Normalized {
  const out = emptyNormalized();
  const date = /score_date:(\d{4}-\d{2}-\d{2})/.exec(text.slice(0, 300))?.[1];
  let header = false;
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    if (!header) {
      if (l !== 'cve,epss,percentile') {
        out.rejected.push({ ref: raw.key, reason: 'missing cve,epss,percentile header' });
        return out;
      }
      header = true;
      continue;
    }
    const [cve = '', e = '', p = ''] = l.split(',');
    const epss = Number(e);
    const percentile = Number(p);
    if (!CVE_RE.test(cve) || e === '' || p === '' || !(epss >= 0 && epss <= 1) || !(percentile >= 0 && percentile <= 1)) {
      out.rejected.push({ ref: `line ${lineNo}`, reason: `not cve,epss,percentile: ${l.slice(0, 60)}` });
      continue;
    }
    out.epss.push({ cve, epss, percentile, date });
  }
  return out;
}
