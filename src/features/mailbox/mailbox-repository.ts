import type { Kysely } from 'kysely';
import type { Database, OutboxMessageRow } from '../../platform/db/schema.ts';

export const MAILBOX_PAGE_SIZE = 50;
export type MailStatus = OutboxMessageRow['status'];
export const mailStatusLabels: Record<MailStatus, string> = { queued: 'En attente', sending: 'Envoi en cours', sent: 'Envoyé', retrying: 'Nouvel essai prévu', failed: 'Échec', cancelled: 'Annulé' };

export async function listMessages(db: Kysely<Database>, f: { status: MailStatus | ''; q: string; page: number }) {
  let q = db.selectFrom('outbox_messages');
  if (f.status) q = q.where('status', '=', f.status);
  if (f.q) {
    const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where((eb) => eb.or([eb(eb.fn('lower', ['to_address']), 'like', like), eb(eb.fn('lower', ['subject']), 'like', like)]));
  }
  const [rows, count] = await Promise.all([
    q
      .select(['id', 'to_address', 'subject', 'kind', 'status', 'attempts', 'last_error', 'created_at', 'sent_at', 'run_after', 'transport'])
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(MAILBOX_PAGE_SIZE)
      .offset((f.page - 1) * MAILBOX_PAGE_SIZE)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function countByStatus(db: Kysely<Database>): Promise<Record<MailStatus, number>> {
  const rows = await db.selectFrom('outbox_messages').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  const out: Record<MailStatus, number> = { queued: 0, sending: 0, sent: 0, retrying: 0, failed: 0, cancelled: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}

export function findMessage(db: Kysely<Database>, id: string) {
  return db.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirst();
}
