/**
 * Argument templates with `{placeholder}` parts, one mechanism for the scan allowlist (allowlist.ts) and the
 * apply allowlist (src/remediate/allowlist.ts): filling a template, each value checked against its pattern
 * before anything runs, and matching the words a target received against a template. A list placeholder's value
 * is space separated and becomes one word per item.
 */
const PART = /^\{(\w+)\}$/;

export type Patterns = Readonly<Record<string, RegExp>>;

/** The argument array of `template` with its placeholders filled; `refuse` makes the error for a bad value. */
export function fillTemplate(
  template: readonly string[],
  patterns: Patterns,
  lists: ReadonlySet<string>,
  params: Readonly<Record<string, string | undefined>>,
  refuse: (key: string, value: string | undefined) => Error,
): string[] {
  const out: string[] = [];
  for (const part of template) {
    const key = PART.exec(part)?.[1];
    if (key === undefined) {
      out.push(part);
      continue;
    }
    const value = params[key];
    const re = patterns[key];
    if (value === undefined || !re || !re.test(value)) throw refuse(key, value);
    if (lists.has(key)) out.push(...value.split(' '));
    else out.push(value);
  }
  return out;
}

/**
 * Is `words` exactly `template` with acceptable values? A list placeholder takes every remaining word (at least
 * one, each acceptable) when it is the template's last part, and one word elsewhere.
 */
export function matchesTemplate(template: readonly string[], patterns: Patterns, lists: ReadonlySet<string>, words: readonly string[]): boolean {
  let i = 0;
  for (const [t, part] of template.entries()) {
    const key = PART.exec(part)?.[1];
    if (key === undefined) {
      if (words[i++] !== part) return false;
      continue;
    }
    const re = patterns[key];
    const end = lists.has(key) && t === template.length - 1 ? words.length : i + 1;
    if (!re || end <= i || end > words.length) return false;
    for (; i < end; i++) if (!re.test(words[i]!)) return false;
  }
  return i === words.length;
}
