/**
 * The import CSV of the contract: UTF-8 with or without BOM, a header row, RFC 4180 quoting (fields may hold
 * commas, quotes and line breaks), columns `tenant,name,kind,target,ssh_user,ssh_key,ssh_known_hosts,tags,schedule`
 * in any order (tenant, name, kind, target required; an unknown column is an error naming it). Problems are
 * values naming the line: `{ ok: false, line, message }`.
 */
export const IMPORT_COLUMNS = ['tenant', 'name', 'kind', 'target', 'ssh_user', 'ssh_key', 'ssh_known_hosts', 'tags', 'schedule'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
const REQUIRED: readonly ImportColumn[] = ['tenant', 'name', 'kind', 'target'];

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

export type CsvProblem = { ok: false; line: number; message: string };

/** RFC 4180 records; a quote left open is a problem naming the line where its field started. */
export function parseCsv(text: string): { ok: true; records: CsvRecord[] } | CsvProblem {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 0;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (field !== '' ) return { ok: false, line, message: 'a quote inside an unquoted field (quote the whole field and double the quote: "a ""b"" c")' };
      quoted = true;
      quoteLine = line;
      fieldStarted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      fieldStarted = false;
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) return { ok: false, line: quoteLine, message: 'a quoted field is not closed' };
  if (fieldStarted || field !== '') {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
  return { ok: true, records };
}

export interface ImportCsvRow {
  line: number;
  values: Partial<Record<ImportColumn, string>>;
}

/** The header checked, each row as column → value (empty cells left out). */
export function parseImportCsv(raw: string): { ok: true; rows: ImportCsvRow[] } | CsvProblem {
  const text = raw.replace(/^\uFEFF/, '');
  if (text.includes('\uFFFD')) {
    const line = text.slice(0, text.indexOf('\uFFFD')).split('\n').length;
    return { ok: false, line, message: 'is not UTF-8 text (save the spreadsheet as "CSV UTF-8")' };
  }
  const parsed = parseCsv(text);
  if (!parsed.ok) return parsed;
  const [header, ...body] = parsed.records;
  if (!header) return { ok: false, line: 1, message: `the file is empty; the first line must be the header ${IMPORT_COLUMNS.join(',')}` };
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  for (const c of columns) {
    if (!(IMPORT_COLUMNS as readonly string[]).includes(c)) {
      return { ok: false, line: header.line, message: `unknown column "${c}" in the header (known: ${IMPORT_COLUMNS.join(', ')}); the first line must be the header` };
    }
  }
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup) return { ok: false, line: header.line, message: `column "${dup}" appears twice in the header` };
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length) return { ok: false, line: header.line, message: `the header lacks the column(s) ${missing.join(', ')}` };
  const rows: ImportCsvRow[] = [];
  for (const r of body) {
    if (r.fields.every((f) => f.trim() === '')) continue;
    if (r.fields.length > columns.length) return { ok: false, line: r.line, message: `${r.fields.length} fields, but the header has ${columns.length} columns` };
    const values: Partial<Record<ImportColumn, string>> = {};
    columns.forEach((c, i) => {
      const v = (r.fields[i] ?? '').trim();
      if (v !== '') values[c as ImportColumn] = v;
    });
    for (const c of REQUIRED) if (!values[c]) return { ok: false, line: r.line, message: `column ${c} is empty` };
    if (values.kind !== 'host' && values.kind !== 'site') return { ok: false, line: r.line, message: `kind must be host or site, not "${values.kind}"` };
    rows.push({ line: r.line, values });
  }
  if (rows.length === 0) return { ok: false, line: header.line, message: 'the file has a header but no rows' };
  return { ok: true, rows };
}
