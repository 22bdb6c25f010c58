/**
 * `mamori.yaml`: default options, so a team writes its policy once (Trivy's trivy.yaml). Read from `--config
 * FILE`, else `./mamori.yaml` (or `.yml`) when present. Keys are option names without dashes; a section per
 * command (`scan` for every scan command, `scan host`, `scan site`, `report`, `patch plan`, …) applies to that
 * command only and wins over the top level. Options given on the command line win over the file. Every value is
 * checked as the option itself would be: an unknown key or a wrong value names the file and the key (exit 2).
 *
 *   lang: ja
 *   fail-on: high
 *   severity: [critical, high]
 *   scan site:
 *     rate: 5
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type OptionSpec, type ParsedOptions } from './args.js';
import { UsageError } from './errors.js';

export interface LoadedConfig {
  file: string;
  /** Top-level and section values, in order of precedence (section last). */
  values: Record<string, unknown>;
}

type Raw = Record<string, unknown>;

/** The file to read: --config, else ./mamori.yaml|yml in the working directory; undefined when none. */
export function configPath(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit) return explicit;
  for (const name of ['mamori.yaml', 'mamori.yml']) if (existsSync(join(cwd, name))) return join(cwd, name);
  return undefined;
}

export async function readConfig(file: string): Promise<Raw> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError({ code: 'config.err.read', params: { file, reason: e.code === 'ENOENT' ? 'no such file' : e.message } });
  }
  const { parseYaml } = await import('./yaml.js');
  let doc: unknown;
  try {
    doc = parseYaml(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsageError({ code: 'config.err.yaml', params: { file, reason: (err as Error).message.split('\n')[0]! } });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError({ code: 'config.err.yaml', params: { file, reason: 'the top level must be a mapping of option names to values' } });
  return doc as Raw;
}

function isSection(key: string, paths: readonly (readonly string[])[]): boolean {
  return paths.some((p) => p.join(' ') === key || p[0] === key);
}

/**
 * The options the file gives `command` (its path and its option specs, global ones included), as parsed
 * options; a key that is neither an option of some command nor a command section is an error.
 */
export function configOptions(raw: Raw, file: string, command: { path: readonly string[]; options: readonly OptionSpec[] }, allCommands: readonly { path: readonly string[]; options: readonly OptionSpec[] }[], globals: readonly OptionSpec[]): ParsedOptions {
  const known = new Set<string>([...globals, ...allCommands.flatMap((c) => c.options)].map((o) => o.name));
  const paths = allCommands.map((c) => c.path);
  const specs = new Map([...globals, ...command.options].map((o) => [o.name, o]));
  const layers: [string, Raw][] = [['', raw]];
  for (const [key, value] of Object.entries(raw)) {
    if (isSection(key, paths)) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError({ code: 'config.err.value', params: { file, key, reason: 'a command section holds option names and values' } });
      continue;
    }
    if (!known.has(key)) throw new UsageError({ code: 'config.err.key', params: { file, key } });
  }
  // Sections that apply: the first word (`scan`), then the whole path (`scan host`).
  for (let n = 1; n <= command.path.length; n++) {
    const key = command.path.slice(0, n).join(' ');
    const sec = raw[key];
    if (sec && typeof sec === 'object' && !Array.isArray(sec)) {
      for (const k of Object.keys(sec)) if (!known.has(k)) throw new UsageError({ code: 'config.err.key', params: { file, key: `${key}.${k}` } });
      layers.push([key, sec as Raw]);
    }
  }
  const out: ParsedOptions = {};
  for (const [where, layer] of layers) {
    for (const [key, value] of Object.entries(layer)) {
      const spec = specs.get(key);
      if (!spec || (where === '' && isSection(key, paths))) continue;
      const name = where ? `${where}.${key}` : key;
      const argv = toArgv(spec, value, file, name);
      try {
        Object.assign(out, parseArgs(argv, [spec], 'mamori').options);
      } catch (err) {
        if (err instanceof UsageError) throw new UsageError({ code: 'config.err.value', params: { file, key: name, reason: `${String(value)} is not accepted (${err.ref.params?.expected ?? err.ref.code})` } });
        throw err;
      }
    }
  }
  return out;
}

function toArgv(spec: OptionSpec, value: unknown, file: string, key: string): string[] {
  const bad = (reason: string) => new UsageError({ code: 'config.err.value', params: { file, key, reason } });
  if (spec.type === 'boolean') {
    if (typeof value !== 'boolean') throw bad('true or false');
    return value ? [`--${spec.name}`] : [];
  }
  const one = (v: unknown): string => {
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    throw bad(spec.type === 'number' ? 'a number' : 'a text value');
  };
  if (Array.isArray(value)) {
    // A list is one comma-separated value for list options (severity), or repeated for repeatable ones.
    if (spec.repeatable) return value.flatMap((v) => [`--${spec.name}`, one(v)]);
    return [`--${spec.name}`, value.map(one).join(',')];
  }
  return [`--${spec.name}`, one(value)];
}
