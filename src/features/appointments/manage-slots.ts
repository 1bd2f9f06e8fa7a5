import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { AgentRow } from '../../platform/db/schema.ts';
import { DomainError, Forbidden, NotFound } from '../../platform/http/errors.ts';
import { formatSlot } from '../../platform/time.ts';
import type { Services } from '../../services.ts';
import { slotsOf, type PublishSlotsForm } from './appointment.ts';

/**
 * A referent publishes slots for one day (several at once). Keeps: no slot in the past; none that
 * overlaps one of theirs still open or booked; all the slots of the form or none.
 */
export async function publishSlots(s: Services, input: { form: PublishSlotsForm; by: AgentRow; ip?: string | null }): Promise<number> {
  const zone = s.territory.timezone;
  const slots = slotsOf(input.form, zone);
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    if (slots.length === 0 || slots[0]!.startsAt.getTime() <= now.getTime()) throw new DomainError('past', 'Ce moment est déjà passé : choisissez un jour et des heures à venir');
    const first = slots[0]!.startsAt.toISOString();
    const last = slots[slots.length - 1]!.endsAt.toISOString();
    const clash = await trx
      .selectFrom('appointment_slots')
      .select(['starts_at', 'ends_at'])
      .where('agent_id', '=', input.by.id)
      .where('status', 'in', ['open', 'booked'])
      .where('starts_at', '<', last)
      .where('ends_at', '>', first)
      .orderBy('starts_at')
      .executeTakeFirst();
    if (clash) throw new DomainError('overlap', `Vous avez déjà un créneau le ${formatSlot(clash.starts_at, clash.ends_at, zone)} : choisissez d’autres heures`);
    const nowIso = now.toISOString();
    await trx
      .insertInto('appointment_slots')
      .values(slots.map((x) => ({ id: randomUUID(), agent_id: input.by.id, starts_at: x.startsAt.toISOString(), ends_at: x.endsAt.toISOString(), mode: input.form.mode, status: 'open' as const, video_url: input.form.mode === 'video' ? input.form.videoUrl : null, created_at: nowIso })))
      .execute();
    await recordAudit(trx, now, { type: 'agent', id: input.by.id, ip: input.ip ?? null }, 'appointment.slots-published', null, { count: slots.length, from: first, to: last, mode: input.form.mode });
    return slots.length;
  });
}

/**
 * A referent withdraws one of their open slots. The withdrawal is the same conditional update as a
 * booking (status open → withdrawn), so a slot booked a moment before stays booked: cancel the
 * appointment instead.
 */
export async function withdrawSlot(s: Services, input: { slotId: string; by: AgentRow; ip?: string | null }): Promise<void> {
  await s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const slot = await trx.selectFrom('appointment_slots').selectAll().where('id', '=', input.slotId).executeTakeFirst();
    if (!slot) throw new NotFound('Créneau introuvable');
    if (slot.agent_id !== input.by.id && input.by.role !== 'admin') throw new Forbidden('Ce créneau est celui d’un autre agent.');
    const r = await trx.updateTable('appointment_slots').set({ status: 'withdrawn' }).where('id', '=', slot.id).where('status', '=', 'open').executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) {
      if (slot.status === 'withdrawn') return;
      throw new DomainError('slot-booked', 'Ce créneau vient d’être réservé : annulez le rendez-vous si vous ne pouvez pas l’assurer.');
    }
    await recordAudit(trx, now, { type: 'agent', id: input.by.id, ip: input.ip ?? null }, 'appointment.slot-withdrawn', { type: 'appointment-slot', id: slot.id }, { startsAt: slot.starts_at });
  });
}
