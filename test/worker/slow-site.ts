/**
 * A small shop site on 127.0.0.1 that answers slowly (a fixed delay per response), so a site scan takes long
 * enough to be killed in the middle. Each response is an ordinary page of an old PHP shop: a banner with
 * versions, a contact form posted over plain HTTP, no security headers. Counts requests and can record the
 * intervals during which a scan was talking to it (first to last request of a burst).
 */
import { createServer, type Server } from 'node:http';

export interface SlowSite {
  url: string;
  port: number;
  requests(): number;
  /** Set the delay of every later response. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

const PAGE = (title: string) => `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>
<h1>${title}</h1><a href="/contact.php">お問い合わせ</a> <a href="/company.html">会社概要</a>
<form method="post" action="/contact.php"><input name="name"><input name="email" type="email"><input name="tel"><textarea name="body"></textarea><button>送信</button></form>
</body></html>`;

export async function startSlowSite(delayMs: number): Promise<SlowSite> {
  let delay = delayMs;
  let count = 0;
  const server: Server = createServer((req, res) => {
    count++;
    const path = (req.url ?? '/').split('?')[0]!;
    setTimeout(() => {
      const known = path === '/' || /^\/shop\d+\/$/.test(path) || path === '/contact.php' || path === '/company.html';
      res.writeHead(known ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', server: 'Apache/2.2.15 (CentOS)', 'x-powered-by': 'PHP/5.3.3' });
      res.end(known ? PAGE(path === '/' ? '山田商店 オンラインショップ' : path) : '<html><body>Not Found</body></html>');
    }, delay);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    requests: () => count,
    setDelay: (ms) => {
      delay = ms;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
