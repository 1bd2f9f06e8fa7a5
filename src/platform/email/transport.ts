import nodemailer from 'nodemailer';
import type { Attachment } from './outbox.ts';

export interface MailToSend {
  messageId: string;
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments: Attachment[];
  headers: Record<string, string>;
}

/** What the outbox worker sends through: SMTP, or the local mailbox when no SMTP server is configured. */
export interface MailTransport {
  readonly name: string;
  send(mail: MailToSend): Promise<void>;
  close(): Promise<void>;
}

/** An SMTP reply or a socket failure, as nodemailer reports it. */
export interface SendFailure {
  responseCode?: number;
  code?: string;
  message: string;
}

export function createSmtpTransport(url: string, options: { maxConnections?: number } = {}): MailTransport {
  const parsed = new URL(url);
  const params = parsed.searchParams;
  const transporter = nodemailer.createTransport({
    host: parsed.hostname,
    port: Number(parsed.port || (parsed.protocol === 'smtps:' ? 465 : 587)),
    secure: parsed.protocol === 'smtps:',
    auth: parsed.username ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } : undefined,
    pool: true,
    maxConnections: options.maxConnections ?? Number(params.get('maxConnections') ?? 3),
    maxMessages: 100,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // A local peer without TLS (tests, a relay on the same host) is allowed when asked for explicitly.
    ignoreTLS: params.get('ignoreTLS') === 'true',
    tls: params.get('tlsRejectUnauthorized') === 'false' ? { rejectUnauthorized: false } : undefined,
  });
  return {
    name: 'smtp',
    async send(m) {
      await transporter.sendMail({
        messageId: m.messageId,
        from: m.from,
        replyTo: m.replyTo,
        to: m.to,
        subject: m.subject,
        html: m.html,
        text: m.text,
        headers: m.headers,
        attachments: m.attachments.map((a) => ({
          filename: a.filename,
          content: a.content,
          contentType: a.contentType,
        })),
      });
    },
    async close() {
      transporter.close();
    },
  };
}

/** Without SMTP_URL the outbox row itself is the mailbox that agents read in the back-office. */
export const localMailboxTransport: MailTransport = {
  name: 'local',
  async send() {},
  async close() {},
};
