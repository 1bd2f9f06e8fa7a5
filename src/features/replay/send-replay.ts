import { sql } from 'kysely';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { enqueueJob, findJob, type JobHandler } from '../../platform/jobs/jobs.ts';
import type { Services } from '../../services.ts';
import { registrationToken } from '../registrations/registration-token.ts';
import { webinarFromRow } from '../webinars/webinar.ts';
import { renderReplayEmail } from './replay-emails.tsx';

export const REPLAY_JOB = 'replay.send';
const BATCH = 250;

export const replayJobKey = (webinarId: string) => `replay:${webinarId}`;
/** One replay e-mail per registration, ever: the key the outbox keeps unique. */
export const replayMailKey = (registrationId: string) => `replay:${registrationId}`;

/**
 * Sets the replay of a past Rencontre and starts sending it to every registrant, once. Keeps: the
 * replay is sent once per Rencontre (asking again only changes the link shown on the pages); only a
 * Rencontre that has ended can have a replay; the link is https.
 */
export async function requestReplay(s: Services, input: { webinarId: string; replayUrl: string; actor: Actor; fromVideoTool?: boolean }): Promise<{ started: boolean }> {
  // Agents must paste an https link; a self-hosted video tool's own playback address is taken as it comes.
  const pattern = input.fromVideoTool ? /^https?:\/\/\S+$/ : /^https:\/\/\S+$/;
  if (!pattern.test(input.replayUrl)) throw new DomainError('replay-url', 'Le lien du replay doit commencer par https://');
  const out = await s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const row = await trx.selectFrom('webinars').selectAll().where('id', '=', input.webinarId).executeTakeFirst();
    if (!row) throw new NotFound('Rencontre introuvable');
    if (now.getTime() < new Date(row.ends_at).getTime()) throw new DomainError('not-ended', 'Le replay ne peut être envoyé qu’une fois la Rencontre terminée');
    if (row.status !== 'published') throw new DomainError('not-published', 'Seule une Rencontre publiée a un replay');
    await trx
      .updateTable('webinars')
      .set({ replay_url: input.replayUrl, replay_requested_at: row.replay_requested_at ?? now.toISOString(), updated_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute();
    const started = await enqueueJob(trx, now, { kind: REPLAY_JOB, dedupeKey: replayJobKey(row.id), payload: { webinarId: row.id } });
    await recordAudit(trx, now, input.actor, started ? 'replay.requested' : 'replay.link-changed', { type: 'webinar', id: row.id });
    return { started };
  });
  s.jobQueued();
  return out;
}

/**
 * Writes the replay e-mail of every registrant still without one, a batch per transaction, with the
 * progress recorded for the agent. A worker killed in the middle leaves a job whose lease expires:
 * the next run starts again and skips whoever already has their e-mail (its unique key).
 */
export function replayJobHandler(s: Services): JobHandler {
  return async ({ payload, progress, heartbeat }) => {
    const webinarId = String(payload.webinarId);
    const row = await s.db.kysely.selectFrom('webinars').selectAll().where('id', '=', webinarId).executeTakeFirst();
    if (!row?.replay_url) return;
    const webinar = webinarFromRow(row);
    const replayUrl = row.replay_url;
    const nextRow = await s.db.kysely
      .selectFrom('webinars')
      .selectAll()
      .where('status', '=', 'published')
      .where('starts_at', '>', s.clock.now().toISOString())
      .orderBy('starts_at')
      .limit(1)
      .executeTakeFirst();
    const next = nextRow ? webinarFromRow(nextRow) : null;
    const total = Number(
      (
        await s.db.kysely
          .selectFrom('registrations')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('webinar_id', '=', webinarId)
          .executeTakeFirstOrThrow()
      ).n,
    );
    for (;;) {
      const batch = await s.db.kysely
        .selectFrom('registrations')
        .innerJoin('candidates', 'candidates.id', 'registrations.candidate_id')
        .select(['registrations.id', 'registrations.token_nonce', 'registrations.attended', 'registrations.candidate_id', 'candidates.email', 'candidates.first_name'])
        .where('registrations.webinar_id', '=', webinarId)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('outbox_messages').select('outbox_messages.id').where('outbox_messages.dedupe_key', '=', sql<string>`'replay:' || registrations.id`))))
        .orderBy('registrations.id')
        .limit(BATCH)
        .execute();
      if (batch.length === 0) break;
      const now = s.clock.now();
      const mails = await Promise.all(
        batch.map(async (p) => ({
          p,
          mail: await renderReplayEmail({
            territory: s.territory,
            publicUrl: s.config.publicUrl,
            webinar,
            replayUrl,
            firstName: p.first_name,
            token: registrationToken(s.tokenKey, p.id, p.token_nonce),
            attended: p.attended === 1,
            next,
          }),
        })),
      );
      await s.db.transaction(async (trx) => {
        for (const { p, mail } of mails) {
          await enqueueEmail(trx, now, {
            dedupeKey: replayMailKey(p.id),
            kind: p.attended === 1 ? 'replay-attended' : 'replay-absent',
            to: p.email,
            ...mail,
            candidateId: p.candidate_id,
            webinarId,
            registrationId: p.id,
          });
        }
      });
      s.mailQueued();
      const done = Number(
        (
          await s.db.kysely
            .selectFrom('outbox_messages')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('webinar_id', '=', webinarId)
            .where('kind', 'in', ['replay-attended', 'replay-absent'])
            .executeTakeFirstOrThrow()
        ).n,
      );
      await progress(done, total);
      await heartbeat();
    }
  };
}

export interface ReplayProgress {
  status: 'none' | 'queued' | 'running' | 'done' | 'failed';
  written: number;
  sent: number;
  total: number;
  lastError: string | null;
}

/** How far the replay of a Rencontre has gone: e-mails written by the job, and sent by the outbox. */
export async function replayProgress(s: Services, webinarId: string): Promise<ReplayProgress> {
  const [job, counts, total] = await Promise.all([
    findJob(s.db.kysely, replayJobKey(webinarId)),
    s.db.kysely
      .selectFrom('outbox_messages')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('webinar_id', '=', webinarId)
      .where('kind', 'in', ['replay-attended', 'replay-absent'])
      .groupBy('status')
      .execute(),
    s.db.kysely
      .selectFrom('registrations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('webinar_id', '=', webinarId)
      .executeTakeFirstOrThrow(),
  ]);
  const written = counts.reduce((a, r) => a + Number(r.n), 0);
  const sent = Number(counts.find((r) => r.status === 'sent')?.n ?? 0);
  return { status: job?.status ?? 'none', written, sent, total: Number(total.n), lastError: job?.last_error ?? null };
}
