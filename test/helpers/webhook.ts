/**
 * A webhook receiver on 127.0.0.1 for tests: keeps every POST (path, headers, JSON body); `status` sets the
 * answer (e.g. 500 to test retries).
 */
import { createServer } from 'node:http';

export interface ReceivedHook {
  path: string;
  contentType: string;
  body: unknown;
  bytes: number;
}

export async function startWebhookReceiver(): Promise<{ url: (path?: string) => string; hooks: ReceivedHook[]; setStatus(code: number): void; close(): Promise<void> }> {
  const hooks: ReceivedHook[] = [];
  let status = 200;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        body = { unparsable: String(err) };
      }
      if (status >= 200 && status < 300) hooks.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body, bytes: raw.length });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('webhook receiver: no TCP address');
  return {
    url: (path = '/services/T000/B000/secret-token') => `http://127.0.0.1:${addr.port}${path}`,
    hooks,
    setStatus: (c) => {
      status = c;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
