/**
 * A real SMTP server on 127.0.0.1 for tests (npm `smtp-server`), receiving what mamori sends: every message is
 * kept raw and parsed (npm `mailparser`: headers, text, html, attachments decoded). Used by the notification
 * tests and the Playwright end-to-end test ("receive the email").
 *
 *   const smtp = await startSmtpServer();
 *   env.MAMORI_SMTP_URL = smtp.url;            // smtp://127.0.0.1:PORT
 *   … const [mail] = await smtp.waitFor(1);    // mail.to, mail.subject, mail.text, mail.attachments
 *   await smtp.close();
 *
 * `failWith: {code: 451, message: '…'}` makes the server refuse every message at the end of DATA (a temporary
 * failure by default); `setFailure(undefined)` lets later ones through, to test retries.
 */
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  /** Envelope sender and recipients (MAIL FROM / RCPT TO), as the server saw them. */
  from: string;
  to: string[];
  /** The message as it came over the wire. */
  raw: Buffer;
  subject: string;
  text: string;
  html: string;
  headers: ParsedMail['headers'];
  attachments: { filename: string | undefined; contentType: string; content: Buffer }[];
}

export interface SmtpFailure {
  code: number;
  message: string;
}

export interface TestSmtpServer {
  /** `smtp://127.0.0.1:PORT` (no TLS, no authentication), for MAMORI_SMTP_URL. */
  readonly url: string;
  readonly port: number;
  /** Every message received so far, in order. */
  readonly messages: ReceivedMail[];
  /** How many DATA commands were refused because of `failWith`. */
  readonly refused: number;
  /** Resolves with the first `n` messages once that many have arrived (rejects after `timeoutMs`, default 20 s). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Refuse (or stop refusing, with undefined) every following message. */
  setFailure(f: SmtpFailure | undefined): void;
  close(): Promise<void>;
}

export async function startSmtpServer(opts: { failWith?: SmtpFailure } = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const waiters: { n: number; resolve: (m: ReceivedMail[]) => void }[] = [];
  let failure = opts.failWith;
  let refused = 0;
  const wake = () => {
    for (const w of [...waiters]) {
      if (messages.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(messages.slice(0, w.n));
      }
    }
  };
  const options: SMTPServerOptions = {
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 30 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failure) {
          refused++;
          const err = Object.assign(new Error(failure.message), { responseCode: failure.code });
          callback(err);
          return;
        }
        const raw = Buffer.concat(chunks);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const to = session.envelope.rcptTo.map((r) => r.address);
        simpleParser(raw).then(
          (p) => {
            messages.push({
              from,
              to,
              raw,
              subject: p.subject ?? '',
              text: p.text ?? '',
              html: typeof p.html === 'string' ? p.html : '',
              headers: p.headers,
              attachments: p.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
            });
            callback();
            wake();
          },
          (err: Error) => callback(err),
        );
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('smtp test server: no TCP address');
  const port = address.port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    get refused() {
      return refused;
    },
    waitFor(n, timeoutMs = 20_000) {
      if (messages.length >= n) return Promise.resolve(messages.slice(0, n));
      return new Promise((resolve, reject) => {
        const w = {
          n,
          resolve: (m: ReceivedMail[]) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`smtp test server: ${messages.length} of ${n} message(s) arrived within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    setFailure(f) {
      failure = f;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
