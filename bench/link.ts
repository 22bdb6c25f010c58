/**
 * A remote-looking target for the SSH benchmark: a network namespace of our own joined to this one by a veth
 * pair (a private /30 that exists only on that pair), and a delay on the link.
 *
 * The delay is `tc netem` when the kernel has it. Where it does not (this machine's kernel is built without
 * CONFIG_NET_SCH_NETEM: `tc qdisc add … netem` answers "Specified qdisc kind is unknown"), a TCP proxy on
 * 127.0.0.1 forwards to the namespace and holds every chunk for half the round trip in each direction. The
 * proxy models latency only: no bandwidth limit, and TCP's slow start sees a fast link.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Namespace {
  name: string;
  /** The target's address inside the namespace. */
  address: string;
  /** Whether `tc netem` delays the veth pair (else use delayProxy). */
  netem: boolean;
  /** Why not, as tc said. */
  netemReason?: string | undefined;
  /** Round trip added by netem on the pair (both ends delay half). */
  setNetemRtt(ms: number): void;
  /** Bytes through the veth end on this side (both directions), TCP/IP headers included. */
  wireBytes(): number;
  remove(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Creates the namespace and veth pair; undefined (with the reason) when this machine cannot (not root, no iproute2). */
export function createNamespace(): Namespace | { unavailable: string } {
  if (process.getuid?.() !== 0) return { unavailable: 'not root: cannot create a network namespace' };
  const id = randomBytes(3).toString('hex');
  const name = `mamori-bench-${id}`;
  const here = `mbh${id}`;
  const there = `mbt${id}`;
  // A /30 in 10.213.0.0/16 not on any interface yet.
  const used = spawnSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' }).stdout ?? '';
  let net = '';
  for (let i = 0; i < 64 && !net; i++) {
    const x = 1 + Math.floor(Math.random() * 250);
    const y = 4 * Math.floor(Math.random() * 63);
    if (!used.includes(`10.213.${x}.`)) net = `10.213.${x}.${y}`;
  }
  const [a, b, c] = net.split('.');
  const base = Number(net.split('.')[3]);
  const hostAddr = `${a}.${b}.${c}.${base + 1}`;
  const nsAddr = `${a}.${b}.${c}.${base + 2}`;
  // Removed at the end, on failure, on exit and on Ctrl-C.
  const interrupted = () => {
    remove();
    process.exit(130);
  };
  const remove = () => {
    spawnSync('ip', ['link', 'del', here], { stdio: 'ignore' });
    spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    process.off('exit', remove);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  };
  try {
    ip('netns', 'add', name);
    process.on('exit', remove);
    process.on('SIGINT', interrupted);
    process.on('SIGTERM', interrupted);
    ip('link', 'add', here, 'type', 'veth', 'peer', 'name', there);
    ip('link', 'set', there, 'netns', name);
    ip('addr', 'add', `${hostAddr}/30`, 'dev', here);
    ip('link', 'set', here, 'up');
    ip('netns', 'exec', name, 'ip', 'addr', 'add', `${nsAddr}/30`, 'dev', there);
    ip('netns', 'exec', name, 'ip', 'link', 'set', there, 'up');
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  } catch (err) {
    remove();
    return { unavailable: `ip netns/veth: ${((err as { stderr?: Buffer }).stderr ?? '').toString().trim() || (err as Error).message}` };
  }
  const netemProbe = spawnSync('tc', ['qdisc', 'add', 'dev', here, 'root', 'netem', 'delay', '0ms'], { encoding: 'utf8' });
  const netem = netemProbe.status === 0;
  const tc = (dev: string, inNs: boolean, ms: number) => {
    const args = ['qdisc', 'replace', 'dev', dev, 'root', 'netem', 'delay', `${ms / 2}ms`];
    execFileSync(inNs ? 'ip' : 'tc', inNs ? ['netns', 'exec', name, 'tc', ...args] : args);
  };
  return {
    name,
    address: nsAddr,
    netem,
    netemReason: netem ? undefined : (netemProbe.stderr ?? '').trim(),
    setNetemRtt(ms: number) {
      tc(here, false, ms);
      tc(there, true, ms);
    },
    wireBytes() {
      const read = (f: string) => Number(readFileSync(`/sys/class/net/${here}/statistics/${f}`, 'utf8').trim()) || 0;
      return read('rx_bytes') + read('tx_bytes');
    },
    remove,
  };
}

export interface DelayProxy {
  port: number;
  /** Round trip to add (half each way). */
  rttMs: number;
  close(): Promise<void>;
}

/** TCP proxy 127.0.0.1:port → host:port holding each chunk rttMs/2 in each direction, order kept. */
export async function delayProxy(host: string, port: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const proxy: DelayProxy = { port: 0, rttMs: 0, close: async () => {} };
  const pipe = (from: Socket, to: Socket) => {
    const queue: { due: number; data: Buffer }[] = [];
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const flush = () => {
      timer = undefined;
      const now = performance.now();
      while (queue.length && queue[0]!.due <= now) to.write(queue.shift()!.data);
      if (queue.length) timer = setTimeout(flush, queue[0]!.due - now);
      else if (ended) to.end();
    };
    from.on('data', (d: Buffer) => {
      const half = proxy.rttMs / 2;
      if (half <= 0 && !queue.length) return void to.write(d);
      queue.push({ due: performance.now() + half, data: d });
      if (!timer) timer = setTimeout(flush, half);
    });
    from.on('end', () => {
      ended = true;
      if (!timer) flush();
    });
  };
  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    const upstream = connect(port, host);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    const done = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  proxy.port = typeof a === 'object' && a ? a.port : 0;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
