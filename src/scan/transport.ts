/**
 * The transports of a host scan from plain options: this machine, or a server over SSH. A front end builds a
 * `TransportFactory` with `hostTransport(spec)`; a test passes its own factory (captured outputs).
 */
import type { SshOptions } from '../collect/transport/ssh.js';
import type { Transport } from '../collect/transport/types.js';
import { FatalError, UsageError } from '../core/errors.js';
import { messages } from '../core/messages/index.js';
import type { TransportFactory } from './ports.js';

/** `ssh` (`USER@HOST[:PORT]`) absent: this machine. The rest as the SSH transport takes it (identity, known_hosts, agent…). */
export interface HostTransportSpec extends Pick<SshOptions, 'identity' | 'knownHosts' | 'acceptNewHostKey' | 'sudo' | 'timeoutMs' | 'agent'> {
  ssh?: string;
}

const SSH_ERROR_CODES = { auth: 'host.err.auth', 'host-key-mismatch': 'host.err.hostKeyMismatch', 'host-key-unknown': 'host.err.hostKeyUnknown', connect: 'host.err.connect', identity: 'host.err.identity' } as const;

/** Open the transport `spec` names; a bad target is a UsageError, a failed login a FatalError with its message code. */
export async function openHostTransport(spec: HostTransportSpec): Promise<Transport> {
  // Collectors and transports load on demand: `--help` and usage errors stay fast.
  if (!spec.ssh) {
    const { LocalTransport } = await import('../collect/transport/local.js');
    return new LocalTransport({ timeoutMs: spec.timeoutMs, sudo: spec.sudo });
  }
  const { parseSshTarget, SshError, SshTransport } = await import('../collect/transport/ssh.js');
  const target = parseSshTarget(spec.ssh);
  if (!target) throw new UsageError({ code: 'host.err.badTarget', params: { value: spec.ssh } });
  try {
    return await SshTransport.connect(target, {
      identity: spec.identity,
      knownHosts: spec.knownHosts,
      acceptNewHostKey: spec.acceptNewHostKey,
      sudo: spec.sudo,
      timeoutMs: spec.timeoutMs,
      agent: spec.identity ? undefined : spec.agent,
    });
  } catch (err) {
    if (err instanceof SshError) {
      const code = SSH_ERROR_CODES[err.kind];
      throw new FatalError(messages.t('en', code, err.params), { code, params: err.params });
    }
    throw err;
  }
}

export const hostTransport =
  (spec: HostTransportSpec): TransportFactory =>
  () =>
    openHostTransport(spec);
