import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';

/** An agent sends a failed message again: it goes back to the queue, as it was written. Only failed ones. */
export async function resendMessage(s: Services, input: { messageId: string; actor: Actor }): Promise<void> {
  const now = s.clock.now();
  await s.db.transaction(async (trx) => {
    const m = await trx.selectFrom('outbox_messages').select(['id', 'status']).where('id', '=', input.messageId).executeTakeFirst();
    if (!m) throw new NotFound('Message introuvable');
    if (m.status !== 'failed') throw new DomainError('not-failed', 'Seul un message en échec peut être renvoyé');
    await trx.updateTable('outbox_messages').set({ status: 'queued', run_after: now.toISOString(), locked_until: null }).where('id', '=', m.id).where('status', '=', 'failed').execute();
    await recordAudit(trx, now, input.actor, 'email.resent', { type: 'email', id: m.id });
  });
  s.mailQueued();
}
