/** Expected failures are values, not exceptions (Zod's lesson): parsers return Result. */
export interface Issue {
  /** A stable, catalogued code such as `version.invalid` or `range.unsupported`. */
  code: string;
  /** An English explanation for logs and stderr; user-facing text comes from the message catalogs. */
  message: string;
  /** The offending input (never personal data), for the message. */
  input?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; issue: Issue };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: string, message: string, input?: string): { ok: false; issue: Issue } => ({
  ok: false,
  issue: input === undefined ? { code, message } : { code, message, input },
});
