/**
 * `mamori secret rotate`: re-encrypts every secret of the fleet store (target SSH keys and known_hosts, users'
 * TOTP secrets, tenants' notification webhook URLs) from the current key to a new one, in one transaction (all
 * or nothing).
 *
 * - Key file mode (no MAMORI_SECRET_KEY): a new key is generated into `$MAMORI_HOME/secret.key.new` (0600), the
 *   secrets are re-encrypted, then the new file replaces `secret.key` (rename). A run interrupted after the commit
 *   is resumed by running the command again: the pending `secret.key.new` is reused and secrets already under it
 *   are skipped.
 * - MAMORI_SECRET_KEY mode: the new key is read from `--new-key-file` (0600); the operator then sets the variable.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expectPositionals } from '../args.js';
import { mamoriHome, type Command, type CommandContext } from '../context.js';
import { FatalError, UsageError } from '../errors.js';
import type { SecretKey } from '../../fleet/secrets.js';

const fleet = async () => ({ ...(await import('../../fleet/secrets.js')), ...(await import('../../fleet/store/index.js')) });

function fail(ctx: CommandContext, err: unknown): never {
  if (err instanceof Error && (err.name === 'SecretKeyError' || err.name === 'FleetStoreError')) {
    const hint = (err as Error & { hint?: string }).hint;
    if (hint) ctx.warn(ctx.t('secret.hint', { hint }));
    throw new FatalError(err.message, { code: 'secret.error', params: { reason: err.message } });
  }
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'ECONNREFUSED' || code === '3D000' || code === '28P01') {
    throw new FatalError((err as Error).message, { code: 'secret.error', params: { reason: (err as Error).message } });
  }
  throw err;
}

export const secretRotate: Command = {
  path: ['secret', 'rotate'],
  summary: 'secret.rotate.summary',
  usage: '[--database URL] [--new-key-file FILE]',
  options: [
    { name: 'database', type: 'string', help: 'secret.opt.database', valueName: 'URL' },
    { name: 'new-key-file', type: 'string', help: 'secret.opt.newKeyFile', valueName: 'FILE' },
  ],
  run: async (ctx) => {
    expectPositionals(ctx, []);
    const f = await fleet();
    const home = mamoriHome(ctx.env);
    const url = (ctx.options.database as string | undefined) ?? (ctx.env.DATABASE_URL || undefined);
    const envMode = Boolean(ctx.env.MAMORI_SECRET_KEY);
    const newKeyFile = ctx.options['new-key-file'] as string | undefined;
    if (envMode && !newKeyFile) throw new UsageError({ code: 'secret.rotate.needNewKey' });

    let oldKey: SecretKey;
    let newKey: SecretKey;
    const pending = join(home, 'secret.key.new');
    try {
      oldKey = f.loadSecretKey({ env: ctx.env, home, create: false });
      if (newKeyFile) newKey = f.readSecretKeyFile(newKeyFile);
      else if (existsSync(pending)) newKey = f.readSecretKeyFile(pending);
      else {
        newKey = f.generateSecretKey(pending);
        f.writeSecretKeyFile(pending, newKey);
      }
    } catch (err) {
      fail(ctx, err);
    }
    if (newKey.id === oldKey.id) throw new FatalError(ctx.t('secret.rotate.sameKey', { id: oldKey.id }), { code: 'secret.rotate.sameKey', params: { id: oldKey.id } });

    let count = 0;
    let where = '';
    try {
      const store = await f.openFleetStore({ url, home, secretKey: oldKey, env: ctx.env });
      const loc = f.storeLocation(url, home);
      where = loc.dialect === 'sqlite' ? loc.path : 'PostgreSQL';
      try {
        await store.migrate();
        const foreign = (await store.secretKeyIds()).filter((id) => id !== oldKey.id && id !== newKey.id);
        if (foreign.length) {
          const params = { ids: foreign.join(', '), old: oldKey.id, new: newKey.id };
          throw new FatalError(ctx.t('secret.rotate.foreign', params), { code: 'secret.rotate.foreign', params });
        }
        count = await f.rotateSecrets(store, oldKey, newKey);
      } finally {
        await store.close();
      }
    } catch (err) {
      if (err instanceof FatalError) throw err;
      fail(ctx, err);
    }
    ctx.io.stdout.write(`${ctx.t('secret.rotate.done', { count, old: oldKey.id, new: newKey.id, database: where })}\n`);
    if (!envMode && !newKeyFile) {
      const keyPath = f.secretKeyPath(home);
      renameSync(pending, keyPath);
      ctx.io.stdout.write(`${ctx.t('secret.rotate.keyFile', { path: keyPath })}\n`);
    } else if (!envMode && newKeyFile) {
      // Key file mode with a key given: it becomes the key file (a copy; the given file is left as it is).
      const keyPath = f.secretKeyPath(home);
      const tmp = `${keyPath}.new`;
      rmSync(tmp, { force: true });
      f.writeSecretKeyFile(tmp, newKey);
      renameSync(tmp, keyPath);
      ctx.io.stdout.write(`${ctx.t('secret.rotate.keyFile', { path: keyPath })}\n`);
    } else {
      ctx.io.stdout.write(`${ctx.t('secret.rotate.setEnv', { path: newKeyFile! })}\n`);
    }
    return 0;
  },
};

export const secretCommands: readonly Command[] = [secretRotate];
