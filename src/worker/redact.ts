/**
 * What a job may write into a log line or a failure reason: never a key, a password or a token. Reasons come
 * from errors (ssh2, fetch, the store), which may quote what they were given; these are cut out defensively.
 */
import { UsageError } from '../core/errors.js';
import { messages } from '../core/messages/index.js';

const PEM = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g;
const OPENSSH_BODY = /\b(b3BlbnNzaC1rZXktdjE|MII[A-Za-z0-9+/]{20})[A-Za-z0-9+/=\s]{20,}/g;
const CREDENTIAL = /\b(password|passwd|pass|token|secret|authorization|api[_-]?key)(\s*[=:]\s*|\s+)("[^"]*"|'[^']*'|\S+)/gi;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi;

/** The text with private keys, credential assignments and URL passwords replaced by `[redacted]`. */
export function redact(text: string): string {
  return text.replace(PEM, '[redacted key]').replace(OPENSSH_BODY, '[redacted key]').replace(CREDENTIAL, '$1$2[redacted]').replace(URL_USERINFO, '$1[redacted]@');
}

/** A failure reason fit to store and show: the error's message in English, redacted, at most 1,000 characters. */
export function reasonOf(err: unknown): string {
  let text: string;
  if (err instanceof UsageError) text = messages.t('en', err.ref.code as Parameters<typeof messages.t>[1], err.ref.params);
  else if (err instanceof Error) text = err.message || err.name;
  else text = String(err);
  const r = redact(text).replace(/\s+/g, ' ').trim();
  return r.length > 1000 ? `${r.slice(0, 997)}...` : r || 'unknown error';
}
