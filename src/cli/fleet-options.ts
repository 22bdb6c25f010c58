/** --server / --token (or MAMORI_SERVER / MAMORI_TOKEN) shared by `token create` and `fleet …`. */
import type { OptionSpec } from './args.js';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';

export const serverOption: OptionSpec = { name: 'server', type: 'string', help: 'fleetcmd.opt.server', valueName: 'URL' };
export const tokenOption: OptionSpec = { name: 'token', type: 'string', help: 'fleetcmd.opt.token', valueName: 'TOKEN' };

export function serverUrl(ctx: CommandContext): string {
  const raw = (ctx.options.server as string | undefined) ?? ctx.env.MAMORI_SERVER;
  if (!raw) throw new UsageError({ code: 'fleetcmd.err.noServer' }, ctx.commandName);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError({ code: 'fleetcmd.err.badServer', params: { value: raw } }, ctx.commandName);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError({ code: 'fleetcmd.err.badServer', params: { value: raw } }, ctx.commandName);
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

export function apiToken(ctx: CommandContext): string {
  const token = (ctx.options.token as string | undefined) ?? ctx.env.MAMORI_TOKEN;
  if (!token) throw new UsageError({ code: 'fleetcmd.err.noToken' }, ctx.commandName);
  return token.trim();
}
