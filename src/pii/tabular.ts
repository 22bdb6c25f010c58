/**
 * The structured pass: CSV/TSV/SQL dumps read as tables, column names (or the rows themselves) telling
 * which column holds which kind of personal data, `label:value` cells, JSON key/value pairs.
 */
import { Collector, MASKERS } from './collector.js';
import { addBirth, addCardCandidate, addEmail, addMyNumberCandidate, addName, addPostal, findEmails, phoneFromRaw } from './detect.js';
import { columnKind, detectDelimiter, inferColumns, parseDelimited, parseSqlRows, PII_TABLE, type ColumnSpec } from './structure.js';
import { type PiiKind } from './types.js';
import { maskText } from './mask.js';

export const MAX_ROWS = 200_000;

export interface Structured {
  records: number;
  columns: Set<PiiKind>;
  tables: string[];
  piiTable: boolean;
  /** CREATE TABLE without rows: a schema. */
  schemaOnly: boolean;
  format?: 'csv' | 'tsv' | 'sql' | 'xlsx';
  headerHits: string[];
}

export function resolveSpecs(names: string[] | undefined): (ColumnSpec | undefined)[] | undefined {
  if (!names) return undefined;
  const specs = names.map((n) => columnKind(n));
  if (!specs.some((s) => s)) return undefined;
  // a generic `name` column counts only beside person cues (kana, e-mail, birth date, phone parts…)
  const cue = specs.some((s) => s && !s.weak && s.kind !== 'address' && s.kind !== 'postal-code' && s.kind !== 'pref' && s.kind !== 'zip-head' && s.kind !== 'zip-tail');
  return specs.map((s) => (s?.weak && !cue ? undefined : s));
}

/** Add one row's typed cells; returns the number of kinds it held. */
export function addRow(c: Collector, specs: readonly (ColumnSpec | undefined)[], cells: readonly string[]): number {
  const kinds = new Set<PiiKind>();
  const masked: string[] = [];
  let tel = '';
  let zipHead = '';
  let zipTail = '';
  let addrKey = '';
  let addrDisplay = '';
  let name = '';
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i];
    if (!spec) continue;
    const v = (cells[i] ?? '').trim();
    if (!v) continue;
    switch (spec.kind) {
      case 'name':
      case 'kana':
        if (/^[\d\s.,:/-]+$/.test(v) || v.length > 40 || v.includes('@')) break;
        if (spec.kind === 'name' && !name) name = v;
        else if (spec.kind === 'name') name += ` ${v}`;
        else if (!name) {
          const before = c.count('name');
          addName(c, v, false);
          if (c.count('name') > before) kinds.add('name');
        }
        break;
      case 'email': {
        findEmails(v, 0, v.length, (h) => {
          const before = c.count('email');
          addEmail(c, h.email, h.local, h.domain, false, false);
          if (c.count('email') > before || c.has('email', h.email.toLowerCase())) {
            kinds.add('email');
            if (masked.length < 3) masked.push(MASKERS.email(h.email));
          }
        });
        break;
      }
      case 'phone': {
        const p = phoneFromRaw(v);
        if (!p) break;
        if (p.dummy) c.addDummy('phone');
        else {
          c.add('phone', p.digits, v);
          kinds.add('phone');
          if (masked.length < 3) masked.push(MASKERS.phone(v));
        }
        break;
      }
      case 'tel-part':
        if (/^\d{1,5}$/.test(v) && tel.length < 11) tel += (tel ? '-' : '') + v;
        break;
      case 'postal-code': {
        const d = v.replace(/\D/g, '');
        if (d.length === 7) {
          addPostal(c, d, false);
          if (c.has('postal-code', d)) kinds.add('postal-code');
        }
        break;
      }
      case 'zip-head':
        zipHead = v.replace(/\D/g, '');
        break;
      case 'zip-tail':
        zipTail = v.replace(/\D/g, '');
        break;
      case 'pref':
        addrKey = `${v}|${addrKey}`;
        break;
      case 'address':
        if (/^\d{1,2}$/.test(v) && !addrDisplay) break;
        addrKey += `|${v}`;
        addrDisplay += v;
        break;
      case 'birth-date':
        if (addBirth(c, v)) kinds.add('birth-date');
        break;
      case 'card': {
        const d = v.replace(/\D/g, '');
        const before = c.count('card');
        addCardCandidate(c, v, d, '', true);
        if (c.count('card') > before) kinds.add('card');
        break;
      }
      case 'my-number': {
        const before = c.count('my-number');
        addMyNumberCandidate(c, v);
        if (c.count('my-number') > before) kinds.add('my-number');
        break;
      }
    }
  }
  if (name) {
    const before = c.count('name');
    addName(c, name, false);
    if (c.count('name') > before || c.has('name', name.replace(/[ \u3000]+/g, ' '))) {
      kinds.add('name');
      masked.unshift(MASKERS.name(name));
    }
  }
  if (tel) {
    const p = phoneFromRaw(tel);
    if (p && !p.dummy) {
      c.add('phone', p.digits, tel);
      kinds.add('phone');
      if (masked.length < 3) masked.push(MASKERS.phone(tel));
    } else if (p) c.addDummy('phone');
  }
  if (zipHead.length === 3 && zipTail.length === 4) {
    addPostal(c, zipHead + zipTail, false);
    if (c.has('postal-code', zipHead + zipTail)) kinds.add('postal-code');
  }
  if (addrDisplay) {
    c.add('address', addrKey, addrDisplay);
    kinds.add('address');
  }
  if (kinds.size >= 2 && c.recordSamples.length < 2 && masked.length >= 2) {
    const s = masked.slice(0, 3).join(' ');
    if (!c.recordSamples.includes(s)) c.recordSamples.push(s);
  }
  return kinds.size;
}

/** A cell holding its own label: `氏名:佐藤健一`, `電話：090-…`. */
export const LABEL_VALUE = /^\s*[^:：\s]{1,20}\s*[:：]\s*\S/;
export const labelOf = (cell: string): string => (LABEL_VALUE.test(cell) ? cell.slice(0, cell.search(/[:：]/)) : cell).trim();
/** The cells without the labels the first row gave their columns (a cell without its label is kept whole). */
export const unlabel = (cells: readonly string[], labels: readonly string[]): string[] =>
  cells.map((cell, i) => {
    const label = labels[i];
    const v = cell.trim();
    return label && v.startsWith(label) && /^\s*[:：]/.test(v.slice(label.length)) ? v.slice(label.length).replace(/^\s*[:：]\s*/, '') : cell;
  });

export function structuredPass(text: string, name: string, c: Collector, hint: 'csv' | 'tsv' | 'sql' | undefined): Structured {
  const st: Structured = { records: 0, columns: new Set(), tables: [], piiTable: false, schemaOnly: false, headerHits: [] };
  const lower = name.toLowerCase();
  const isSql = hint === 'sql' || (hint === undefined && /\b(?:INSERT\s+INTO|CREATE\s+TABLE|COPY\s+\S+\s*\([^)]*\)\s+FROM\s+stdin)/i.test(text.slice(0, 1 << 20)) && !/\.(?:html?|js|css|md)$/.test(lower));
  if (isSql) {
    st.format = 'sql';
    const specCache = new Map<string, (ColumnSpec | undefined)[] | undefined>();
    const inferred = new Map<string, string[][]>();
    const tables = parseSqlRows(text, MAX_ROWS, (table, columns, values) => {
      const key = `${table}\u0000${columns?.join(',') ?? ''}`;
      let specs = specCache.get(key);
      if (!specCache.has(key)) {
        specs = resolveSpecs(columns);
        specCache.set(key, specs);
        if (specs) columns!.forEach((col, i) => specs![i] && st.headerHits.length < 12 && st.headerHits.push(maskText(col)));
      }
      if (!specs) {
        // no usable column names: infer from the first rows of the table
        const buf = inferred.get(table) ?? [];
        if (buf.length < 30) {
          buf.push(values);
          inferred.set(table, buf);
          if (buf.length === 30 || buf.length === 1) specCache.delete(key);
          if (buf.length === 30) {
            const spec = inferColumns(buf);
            if (spec.some((s) => s)) {
              specCache.set(key, spec);
              for (const row of buf) if (addRow(c, spec, row) > 0) st.records++;
            }
          }
        }
        return;
      }
      for (const s of specs) if (s) st.columns.add(s.kind === 'kana' ? 'name' : s.kind === 'zip-head' || s.kind === 'zip-tail' ? 'postal-code' : s.kind === 'tel-part' ? 'phone' : s.kind === 'pref' ? 'address' : s.kind);
      if (addRow(c, specs, values) > 0) st.records++;
    });
    // tables with fewer than 30 rows and no column names
    for (const [, buf] of inferred) {
      if (buf.length >= 30) continue;
      const spec = inferColumns(buf);
      if (spec.some((s) => s)) for (const row of buf) if (addRow(c, spec, row) > 0) st.records++;
    }
    st.tables = tables.map((t) => t.table);
    st.piiTable = tables.some((t) => PII_TABLE.test(t.table));
    st.schemaOnly = tables.length > 0 && tables.every((t) => t.rows === 0);
    return st;
  }
  const delim = hint === 'tsv' ? '\t' : hint === 'csv' ? detectDelimiter(text) ?? ',' : detectDelimiter(text);
  if (!delim) return st;
  st.format = delim === '\t' ? 'tsv' : 'csv';
  let specs: (ColumnSpec | undefined)[] | undefined;
  const pending: string[][] = [];
  let headerSeen = false;
  // Rows of `label:value` cells (`氏名:佐藤健一,電話:090-…`): the labels are the header, every row is data.
  let labels: string[] | undefined;
  parseDelimited(text, delim, MAX_ROWS, (cells, row) => {
    if (row === 0 || (!headerSeen && !specs && row < 5 && pending.length === 0)) {
      const s = resolveSpecs(cells);
      if (s) {
        if (cells.every((h, i) => !s[i] || LABEL_VALUE.test(h))) labels = cells.map(labelOf);
        const chosen = labels ? resolveSpecs(labels) ?? s : s;
        specs = chosen;
        headerSeen = true;
        cells.forEach((h, i) => chosen[i] && st.headerHits.length < 12 && st.headerHits.push(maskText(labelOf(h))));
        if (!labels) return;
      }
    }
    if (specs) {
      if (addRow(c, specs, labels ? unlabel(cells, labels) : cells) > 0) st.records++;
      return;
    }
    pending.push(cells);
    if (pending.length === 40) {
      specs = inferColumns(pending);
      if (!specs.some((s) => s)) specs = [];
      for (const r of pending) if (addRow(c, specs, r) > 0) st.records++;
    }
  });
  if (!specs && pending.length) {
    specs = inferColumns(pending);
    for (const r of pending) if (addRow(c, specs, r) > 0) st.records++;
  }
  for (const s of specs ?? []) if (s) st.columns.add(s.kind === 'kana' ? 'name' : s.kind === 'zip-head' || s.kind === 'zip-tail' ? 'postal-code' : s.kind === 'tel-part' ? 'phone' : s.kind === 'pref' ? 'address' : s.kind);
  return st;
}

/** JSON exports (`"first_name": "…"`, `"billing_phone": "…"`): keys name the value like a CSV header. */
export function scanJsonPairs(text: string, c: Collector): void {
  const specs = new Map<string, ColumnSpec | undefined>();
  for (const m of text.matchAll(/"([A-Za-z_][\w-]{1,40}|[^\x00-\x7f"]{1,12})"\s*:\s*"([^"\\]{1,80})"/g)) {
    const key = m[1]!;
    let spec = specs.get(key);
    if (!specs.has(key)) {
      spec = columnKind(key);
      specs.set(key, spec);
    }
    if (!spec || spec.weak) continue;
    if (spec.kind === 'name' || spec.kind === 'kana') addName(c, m[2]!, false);
    else if (spec.kind === 'birth-date') addBirth(c, m[2]!);
  }
}
