import { randomUUID } from 'node:crypto';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { lockRow } from '../../platform/db/database.ts';
import type { NewWebinarRow, WebinarUpdate } from '../../platform/db/schema.ts';
import { cancelQueuedMail, enqueueEmail } from '../../platform/email/outbox.ts';
import { NotFound } from '../../platform/http/errors.ts';
import { zonedWallTimeToUtc } from '../../platform/time.ts';
import type { Services } from '../../services.ts';
import { promoteFromWaitlist } from '../registrations/cancel-registration.ts';
import { registrationToken } from '../registrations/registration-token.ts';
import { afterWebinarSaved } from '../video/video-jobs.ts';
import { webinarFromRow, webinarSlug, type Webinar } from './webinar.ts';
import { renderWebinarChangeEmail, type WebinarChange } from './webinar-emails.tsx';
import type { WebinarForm } from './webinar-schemas.ts';

function rowValues(f: WebinarForm, zone: string) {
  const start = zonedWallTimeToUtc(f.date, f.time, zone);
  return {
    title: f.title,
    kind: f.kind,
    theme: f.theme,
    status: f.status,
    starts_at: start.toISOString(),
    ends_at: new Date(start.getTime() + f.durationMinutes * 60_000).toISOString(),
    capacity: f.capacity,
    video_tool: f.videoTool,
    join_url: f.joinUrl,
    summary: f.summary,
    description: f.description,
    programme: JSON.stringify(f.programme),
    speakers: JSON.stringify(f.speakers),
    partners: JSON.stringify(f.partners),
    promotion_cost_cents: f.promotionCost,
  };
}

function storedValues(w: Webinar): ReturnType<typeof rowValues> {
  return {
    title: w.title,
    kind: w.kind,
    theme: w.theme,
    status: w.status,
    starts_at: w.startsAt,
    ends_at: w.endsAt,
    capacity: w.capacity,
    video_tool: w.videoTool,
    join_url: w.joinUrl,
    summary: w.summary,
    description: w.description,
    programme: JSON.stringify(w.programme),
    speakers: JSON.stringify(w.speakers),
    partners: JSON.stringify(w.partners),
    promotion_cost_cents: w.promotionCostCents,
  };
}

/** Plans a Rencontre. Its address (slug) comes from its date and theme and never changes afterwards. */
export async function createWebinar(s: Services, input: { form: WebinarForm; actor: Actor }): Promise<Webinar> {
  const now = s.clock.now();
  const values = rowValues(input.form, s.territory.timezone);
  let queued = false;
  const created = await s.db.transaction(async (trx) => {
    const base = webinarSlug(input.form.date, input.form.theme);
    const taken = new Set((await trx.selectFrom('webinars').select('slug').where('slug', 'like', `${base}%`).execute()).map((r) => r.slug));
    let slug = base;
    for (let i = 2; taken.has(slug); i++) slug = `${base}-${i}`;
    const row: NewWebinarRow = { id: randomUUID(), slug, replay_url: null, created_at: now.toISOString(), updated_at: now.toISOString(), ...values };
    await trx.insertInto('webinars').values(row).execute();
    if (await afterWebinarSaved(trx, now, { id: row.id, videoTool: row.video_tool, status: row.status, updatedAt: row.updated_at })) queued = true;
    await recordAudit(trx, now, input.actor, 'webinar.created', { type: 'webinar', id: row.id }, { status: row.status, startsAt: row.starts_at });
    return webinarFromRow((await trx.selectFrom('webinars').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow())!);
  });
  if (queued) s.jobQueued();
  return created;
}

export interface UpdateOutcome {
  webinar: Webinar;
  notified: number;
  promoted: number;
}

/**
 * Edits a Rencontre. Keeps: when a published Rencontre changes its date or its link, every person
 * registered (confirmed or waiting) is told, with a new calendar file that replaces the old event;
 * when it is cancelled, they are told too; a capacity raised moves people up from the waiting list.
 * The change, the e-mails and the audit entry are committed together.
 */
export async function updateWebinar(s: Services, input: { webinarId: string; form: WebinarForm; actor: Actor }): Promise<UpdateOutcome> {
  const now = s.clock.now();
  const out = await s.db.transaction(async (trx) => {
    if (!(await lockRow(s.db, trx, 'webinars', input.webinarId))) throw new NotFound('Rencontre introuvable');
    const before = webinarFromRow((await trx.selectFrom('webinars').selectAll().where('id', '=', input.webinarId).executeTakeFirstOrThrow())!);
    const values = rowValues(input.form, s.territory.timezone);
    const dateChanged = values.starts_at !== before.startsAt || values.ends_at !== before.endsAt;
    const linkChanged = (values.join_url ?? null) !== (before.joinUrl ?? null);
    const becameCancelled = values.status === 'cancelled' && before.status !== 'cancelled';
    const wasPublished = before.status === 'published';
    const mustNotify = wasPublished && (becameCancelled || (values.status === 'published' && (dateChanged || linkChanged)));
    const sequence = dateChanged || linkChanged || becameCancelled ? before.calendarSequence + 1 : before.calendarSequence;
    const patch: WebinarUpdate = { ...values, calendar_sequence: sequence, updated_at: now.toISOString() };
    await trx.updateTable('webinars').set(patch).where('id', '=', before.id).execute();
    // Reminders written for the old date, or for a Rencontre now cancelled, must not go out.
    if (dateChanged || becameCancelled || values.status !== 'published') await cancelQueuedMail(trx, { webinarId: before.id, kinds: ['reminder'] });
    const after = webinarFromRow((await trx.selectFrom('webinars').selectAll().where('id', '=', before.id).executeTakeFirstOrThrow())!);
    const old = storedValues(before);
    const changed = (Object.keys(values) as Array<keyof typeof values>).filter((k) => (old[k] ?? null) !== (values[k] ?? null));
    await recordAudit(trx, now, input.actor, becameCancelled ? 'webinar.cancelled' : 'webinar.updated', { type: 'webinar', id: before.id }, { changed });

    let notified = 0;
    if (mustNotify) {
      const people = await trx
        .selectFrom('registrations')
        .innerJoin('candidates', 'candidates.id', 'registrations.candidate_id')
        .select(['registrations.id', 'registrations.status', 'registrations.token_nonce', 'candidates.id as candidateId', 'candidates.email', 'candidates.first_name'])
        .where('registrations.webinar_id', '=', before.id)
        .where('registrations.status', 'in', ['confirmed', 'waitlisted'])
        .execute();
      const change: WebinarChange = { dateChanged, linkChanged, previousStartsAt: before.startsAt, previousEndsAt: before.endsAt };
      for (const p of people) {
        const kind = becameCancelled ? 'cancelled' : 'updated';
        const mail = await renderWebinarChangeEmail(kind, {
          territory: s.territory,
          publicUrl: s.config.publicUrl,
          webinar: after,
          firstName: p.first_name,
          token: registrationToken(s.tokenKey, p.id, p.token_nonce),
          change,
          sequence,
          hasSeat: p.status === 'confirmed',
        });
        const inserted = await enqueueEmail(trx, now, {
          dedupeKey: `webinar:${before.id}:seq${sequence}:${kind}:${p.id}`,
          kind: `webinar-${kind}`,
          to: p.email,
          ...mail,
          candidateId: p.candidateId,
          webinarId: before.id,
          registrationId: p.id,
        });
        if (inserted) notified++;
      }
    }
    const roomChanged = changed.some((k) => ['title', 'status', 'starts_at', 'ends_at', 'capacity', 'video_tool'].includes(k));
    const roomQueued = roomChanged ? await afterWebinarSaved(trx, now, { id: after.id, videoTool: after.videoTool, status: after.status, updatedAt: now.toISOString() }) : false;
    const promotedBefore = await trx.selectFrom('registrations').select('id').where('webinar_id', '=', before.id).where('status', '=', 'confirmed').execute();
    if (!becameCancelled) await promoteFromWaitlist(s, trx, after, now);
    const promotedAfter = await trx.selectFrom('registrations').select('id').where('webinar_id', '=', before.id).where('status', '=', 'confirmed').execute();
    return { webinar: after, notified, promoted: promotedAfter.length - promotedBefore.length, roomQueued };
  });
  if (out.notified || out.promoted) s.mailQueued();
  if (out.roomQueued || out.promoted) s.jobQueued();
  const { roomQueued: _r, ...result } = out;
  return result;
}
