/**
 * Structured logs: one JSON object per line (time, level, message, job id, queue, scan and target ids), for
 * journald, `docker logs` and log shippers. Fields whose name says secret are replaced before the line is
 * written, whatever the caller passed: SSH keys, tokens, passwords never reach a log.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const SECRET_KEY = /(ssh_?key|private_?key|secret|token|password|passphrase|authorization|cookie|known_?hosts)/i;
/** A PEM or OpenSSH private key anywhere in a string value. */
const PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(PEM, '[redacted private key]');
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export function jsonLogger(write: (line: string) => void, base: LogFields = {}, minLevel: LogLevel = 'info'): Logger {
  const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  const min = order.indexOf(minLevel);
  const make = (fields: LogFields): Logger => ({
    log(level, msg, extra = {}) {
      if (order.indexOf(level) < min) return;
      const rec = redact({ time: new Date().toISOString(), level, msg, ...fields, ...extra }) as LogFields;
      write(`${JSON.stringify(rec)}\n`);
    },
    child(more) {
      return make({ ...fields, ...more });
    },
  });
  return make(base);
}

export const silentLogger: Logger = { log() {}, child: () => silentLogger };
