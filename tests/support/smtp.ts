import type { AddressInfo, Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/** One message the peer accepted (answered 250 to), parsed before the 250 was sent. */
export interface ReceivedMail {
  envelope: { from: string | null; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
}

/** The SMTP stage at which the peer can refuse: the greeting, a recipient, or the message itself. */
export type SmtpStage = 'connect' | 'rcpt' | 'data';

export interface SmtpRefusal {
  stage: SmtpStage;
  code: number;
  message: string;
  /** How many times to refuse before accepting again; Infinity until `accept()` is called. */
  times: number;
}

/**
 * A real SMTP server (the `smtp-server` package) on 127.0.0.1 at a random port, without TLS or
 * authentication, for tests: it keeps every message it accepts, parsed by mailparser, and can answer
 * temporary (421, 451) or permanent (550) refusals on demand, and go down and come back (an outage)
 * on the same port.
 */
export class SmtpPeer {
  readonly received: ReceivedMail[] = [];
  /** Every refusal the peer answered, in order: what a test can count to know the client tried. */
  readonly refused: { stage: SmtpStage; code: number }[] = [];
  #server: SMTPServer | null = null;
  #sockets = new Set<Socket>();
  #refusals: SmtpRefusal[] = [];
  #port = 0;

  static async start(): Promise<SmtpPeer> {
    const peer = new SmtpPeer();
    await peer.#listen(0);
    return peer;
  }

  get port(): number {
    return this.#port;
  }

  get isRunning(): boolean {
    return this.#server !== null;
  }

  /** What SMTP_URL would be for this peer (see createSmtpTransport). */
  get url(): string {
    return `smtp://127.0.0.1:${this.#port}?ignoreTLS=true`;
  }

  /** Refuse at `stage` with `code` for the next `times` attempts (every attempt when omitted). */
  refuse(stage: SmtpStage, code: number, message = defaultMessage(code), times = Number.POSITIVE_INFINITY): this {
    this.#refusals.push({ stage, code, message, times });
    return this;
  }

  /** Stop refusing anything. */
  accept(): this {
    this.#refusals = [];
    return this;
  }

  /** The messages received for one address (envelope recipient). */
  receivedFor(address: string): ReceivedMail[] {
    const a = address.toLowerCase();
    return this.received.filter((m) => m.envelope.to.some((t) => t.toLowerCase() === a));
  }

  /** An outage: stops listening and cuts every open connection (connections from a pool included). */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    await closed;
  }

  /** Comes back on the same port after `stop()`. */
  async restart(): Promise<void> {
    if (this.#server) return;
    await this.#listen(this.#port);
  }

  #take(stage: SmtpStage): SmtpRefusal | undefined {
    const r = this.#refusals.find((x) => x.stage === stage && x.times > 0);
    if (!r) return undefined;
    r.times -= 1;
    this.refused.push({ stage, code: r.code });
    return r;
  }

  #refusalError(r: SmtpRefusal): Error {
    return Object.assign(new Error(r.message), { responseCode: r.code });
  }

  async #listen(port: number): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      hideSTARTTLS: true,
      logger: false,
      size: 10 * 1024 * 1024,
      onConnect: (_session, cb) => {
        const r = this.#take('connect');
        cb(r ? this.#refusalError(r) : undefined);
      },
      onRcptTo: (_address, _session, cb) => {
        const r = this.#take('rcpt');
        cb(r ? this.#refusalError(r) : undefined);
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (err) => cb(err));
        stream.on('end', () => {
          const r = this.#take('data');
          if (r) return cb(this.#refusalError(r));
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              // Kept before the 250 goes out: once the client's send() resolves, the message is here.
              this.received.push({ envelope: envelopeOf(session), raw, parsed });
              cb();
            },
            (err: Error) => cb(err),
          );
        });
      },
    });
    server.on('error', () => undefined);
    // The sockets underneath, so that stop() can cut idle pooled connections at once.
    const net = (server as unknown as { server: import('node:net').Server }).server;
    net.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.once('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      net.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        net.off('error', reject);
        resolve();
      });
    });
    this.#port = (net.address() as AddressInfo).port;
    this.#server = server;
  }
}

function envelopeOf(session: SMTPServerSession): ReceivedMail['envelope'] {
  const from = session.envelope.mailFrom;
  return {
    from: from ? from.address : null,
    to: session.envelope.rcptTo.map((r) => r.address),
  };
}

function defaultMessage(code: number): string {
  if (code === 421) return 'Service not available, closing transmission channel';
  if (code === 451) return 'Requested action aborted: local error in processing';
  if (code === 452) return 'Mailbox full';
  if (code === 550) return 'Mailbox unavailable: no such user';
  return code >= 500 ? 'Permanent failure' : 'Temporary failure';
}

/** The header of a parsed message, as text (mailparser lower-cases names and may parse values). */
export function headerText(mail: ParsedMail, name: string): string | undefined {
  const v = mail.headers.get(name.toLowerCase());
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && 'value' in v) return String((v as { value: unknown }).value);
  return String(v);
}
