/**
 * `mamori token create --server URL --user EMAIL --password-file FILE` (contract): sign in, create an API token,
 * print it on stdout (only there, only this once), sign out. Admins give their second factor with --totp-code or
 * --totp-secret-file; an admin without one yet gets it set up by --totp-secret-file (the secret is written there).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { totp, totpStep, TOTP_STEP_SECONDS } from '../../server/auth/totp.js';
import { expectPositionals, type OptionSpec } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { FatalError, UsageError } from '../errors.js';
import { FleetClient } from '../fleet-client.js';
import { serverOption, serverUrl } from '../fleet-options.js';

const options: OptionSpec[] = [
  { ...serverOption, help: 'token.opt.server' },
  { name: 'user', type: 'string', help: 'token.opt.user', valueName: 'EMAIL' },
  { name: 'password-file', type: 'string', help: 'token.opt.passwordFile', valueName: 'FILE' },
  { name: 'name', type: 'string', help: 'token.opt.name', valueName: 'NAME' },
  { name: 'totp-code', type: 'string', help: 'token.opt.totpCode', valueName: 'CODE' },
  { name: 'totp-secret-file', type: 'string', help: 'token.opt.totpSecretFile', valueName: 'FILE' },
];

/** The first line of a secret file (a trailing newline is not part of the password). */
export function readSecretFile(ctx: CommandContext, file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0]!;
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new FatalError(ctx.t('serve.err.passwordFile', { file, reason }), { code: 'serve.err.passwordFile', params: { file, reason } });
  }
}

interface SessionAnswer {
  user: { email: string; role: string };
  csrfToken: string;
  mfa?: 'none' | 'required' | 'setup';
}

function totpFileError(ctx: CommandContext, file: string, reason: string): FatalError {
  return new FatalError(ctx.t('token.err.totpFile', { file, reason }), { code: 'token.err.totpFile', params: { file, reason } });
}

/** Codes to try: the current step, then the next (the server accepts ±1 step and refuses a step used before). */
function codesFrom(secret: string, now: Date): string[] {
  const step = totpStep(now);
  return [totp(secret, now), totp(secret, new Date((step + 1) * TOTP_STEP_SECONDS * 1000))];
}

export const tokenCreateCommand: Command = {
  path: ['token', 'create'],
  summary: 'token.summary',
  usage: '--server URL --user EMAIL --password-file FILE [--name NAME] [--totp-secret-file FILE | --totp-code CODE]',
  options,
  async run(ctx) {
    expectPositionals(ctx, []);
    const base = serverUrl(ctx);
    const email = ctx.options.user as string | undefined;
    if (!email) throw new UsageError({ code: 'cli.missingValue', params: { option: '--user' } }, ctx.commandName);
    const passwordFile = ctx.options['password-file'] as string | undefined;
    if (!passwordFile) throw new UsageError({ code: 'cli.missingValue', params: { option: '--password-file' } }, ctx.commandName);
    const code = ctx.options['totp-code'] as string | undefined;
    if (code !== undefined && !/^\d{6}$/.test(code)) throw new UsageError({ code: 'cli.badValue', params: { option: '--totp-code', expected: '6 digits', value: code } }, ctx.commandName);
    const secretFile = ctx.options['totp-secret-file'] as string | undefined;
    const password = readSecretFile(ctx, passwordFile);

    const client = new FleetClient(base, ctx);
    const login = await client.call<SessionAnswer & { error?: { message: string } }>('POST', 'api/session', { email, password }, [401, 429]);
    if (login.status !== 200) {
      const message = login.body.error?.message ?? String(login.status);
      throw new FatalError(ctx.t('token.err.loginFailed', { email, message }), { code: 'token.err.loginFailed', params: { email, message } });
    }
    client.csrfToken = login.body.csrfToken;
    const mfa = login.body.mfa ?? 'none';
    if (mfa === 'required') {
      let codes: string[];
      if (code) codes = [code];
      else if (secretFile) {
        if (!existsSync(secretFile)) throw totpFileError(ctx, secretFile, 'no such file');
        codes = codesFrom(readSecretFile(ctx, secretFile).trim(), new Date());
      } else throw new FatalError(ctx.t('token.err.totpNeeded', { email }), { code: 'token.err.totpNeeded', params: { email } });
      let done: SessionAnswer | undefined;
      let last = '';
      for (const c of codes) {
        const res = await client.call<SessionAnswer & { error?: { message: string } }>('POST', 'api/session/totp', { code: c }, [401]);
        if (res.status === 200) {
          done = res.body;
          break;
        }
        last = res.body.error?.message ?? '';
      }
      if (!done) throw new FatalError(ctx.t('token.err.loginFailed', { email, message: last }), { code: 'token.err.loginFailed', params: { email, message: last } });
      client.csrfToken = done.csrfToken;
    } else if (mfa === 'setup') {
      if (!secretFile) throw new FatalError(ctx.t('token.err.totpSetupNeeded', { email }), { code: 'token.err.totpSetupNeeded', params: { email } });
      const setup = await client.call<{ secret: string }>('POST', 'api/me/totp/setup');
      try {
        writeFileSync(secretFile, `${setup.body.secret}\n`, { mode: 0o600 });
      } catch (err) {
        throw totpFileError(ctx, secretFile, (err as Error).message);
      }
      const enabled = await client.call<SessionAnswer>('POST', 'api/me/totp/enable', { code: totp(setup.body.secret, new Date()) });
      client.csrfToken = enabled.body.csrfToken;
      ctx.warn(ctx.t('token.totpSetUp', { email, file: secretFile }));
    }
    const name = (ctx.options.name as string | undefined) ?? `cli@${hostname()} ${new Date().toISOString().slice(0, 16)}`;
    const created = await client.call<{ token: string }>('POST', 'api/tokens', { name });
    await client.call('DELETE', 'api/session', undefined, [401]);
    ctx.io.stdout.write(`${created.body.token}\n`);
    return 0;
  },
};
