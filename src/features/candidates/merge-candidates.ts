import { sql, type Transaction } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import { isUniqueViolation, lockRow } from '../../platform/db/database.ts';
import type { CandidateRow, Database } from '../../platform/db/schema.ts';
import { cancelQueuedMail } from '../../platform/email/outbox.ts';
import { DomainError, Forbidden, NotFound } from '../../platform/http/errors.ts';
import { formatShortDate } from '../../platform/time.ts';
import type { Services } from '../../services.ts';
import { canActOnMany, candidateKeys } from './candidate-file.ts';
import { changeStage } from './change-stage.ts';
import { recordTimelineEvent } from './timeline.ts';
import type { AgentActor } from './update-candidate-file.ts';

export interface MergeOutcome {
  /** Rows moved to the kept file, per table. */
  moved: Record<string, number>;
  /** Rencontres both files were registered to: the kept file's registration stays, the other is cancelled and stays with the absorbed file. */
  sharedRencontres: number;
  /** Rows another feature's rule forbade to move (a unique key): left with the absorbed file, for the record. */
  keptOnAbsorbed: Record<string, number>;
}

/** What the kept file takes from the absorbed one when it knows nothing of it itself. */
const FILLED = ['phone', 'postcode', 'town', 'country', 'project', 'household', 'horizon', 'desired_region', 'referent_id', 'project_type', 'project_sector', 'project_maturity', 'desired_commune', 'housing_plan', 'driving_licence'] as const;
/** The order of progress: a merge never moves the household back. */
const PROGRESS = ['contact', 'qualified', 'accompanied', 'visit', 'decision', 'installed', 'followed-up'];

/** Every table with a candidate_id column, read from the database: what a later feature adds is moved too. */
async function tablesWithCandidates(trx: Transaction<Database>): Promise<string[]> {
  const tables = await trx.introspection.getTables();
  return tables
    .filter((t) => t.columns.some((c) => c.name === 'candidate_id'))
    .map((t) => t.name)
    .sort();
}

/**
 * Moves a table's rows from one file to the other; a row that a unique key of its feature keeps from
 * moving (the same offer proposed to both files…) stays with the absorbed file, for the record.
 */
async function moveRows(trx: Transaction<Database>, table: string, from: string, to: string): Promise<{ moved: number; kept: number }> {
  const t = sql.table(table);
  await sql`savepoint merge_table`.execute(trx);
  try {
    const r = await sql`update ${t} set candidate_id = ${to} where candidate_id = ${from}`.execute(trx);
    await sql`release savepoint merge_table`.execute(trx);
    return { moved: Number(r.numAffectedRows ?? 0n), kept: 0 };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    await sql`rollback to savepoint merge_table`.execute(trx);
    await sql`release savepoint merge_table`.execute(trx);
  }
  const ids = await sql<{ id: string }>`select id from ${t} where candidate_id = ${from}`.execute(trx);
  let moved = 0;
  for (const { id } of ids.rows) {
    await sql`savepoint merge_row`.execute(trx);
    try {
      await sql`update ${t} set candidate_id = ${to} where id = ${id}`.execute(trx);
      await sql`release savepoint merge_row`.execute(trx);
      moved++;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      await sql`rollback to savepoint merge_row`.execute(trx);
      await sql`release savepoint merge_row`.execute(trx);
    }
  }
  return { moved, kept: ids.rows.length - moved };
}

const nameOf = (c: Pick<CandidateRow, 'first_name' | 'last_name'>) => `${c.first_name} ${c.last_name}`;

/**
 * Merges two files of one household, in one transaction. Keeps: admins only; every registration,
 * timeline event, request, member, task, appointment, installation, follow-up — every row of every
 * table that points to a file — moves to the kept file, with its dates; the absorbed file stays, marked
 * merged into the other, for the record (its e-mail leads to the kept file from then on); a Rencontre
 * both were registered to keeps the kept file's registration (brought back to life if only the other
 * one was still active) and the other is cancelled, with its reminders; the kept file learns what it
 * did not know and never moves back a stage; a 'merge' event on both timelines and an audit entry.
 */
export async function mergeCandidates(s: Services, input: { keepId: string; absorbId: string } & AgentActor): Promise<MergeOutcome> {
  if (!canActOnMany(input.agent)) throw new Forbidden('Seul un administrateur peut fusionner des fiches.');
  if (input.keepId === input.absorbId) throw new DomainError('same-file', 'Une fiche ne peut pas être fusionnée avec elle-même');
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const nowIso = now.toISOString();
    // Both rows locked, in one order whoever merges, so that two merges of one pair cannot cross.
    for (const id of [input.keepId, input.absorbId].sort()) if (!(await lockRow(s.db, trx, 'candidates', id))) throw new NotFound('Fiche introuvable');
    const keep = await trx.selectFrom('candidates').selectAll().where('id', '=', input.keepId).executeTakeFirstOrThrow();
    const absorb = await trx.selectFrom('candidates').selectAll().where('id', '=', input.absorbId).executeTakeFirstOrThrow();
    if (keep.merged_into_id || absorb.merged_into_id) throw new DomainError('already-merged', 'L’une des deux fiches a déjà été fusionnée dans une autre');
    const zone = s.territory.timezone;

    // Registrations: one per person and Rencontre, so a Rencontre both files share keeps one.
    const keepRegs = await trx.selectFrom('registrations').selectAll().where('candidate_id', '=', keep.id).execute();
    const absorbRegs = await trx.selectFrom('registrations').selectAll().where('candidate_id', '=', absorb.id).execute();
    let sharedRencontres = 0;
    for (const other of absorbRegs) {
      const own = keepRegs.find((r) => r.webinar_id === other.webinar_id);
      if (!own) continue;
      sharedRencontres++;
      const webinar = await trx.selectFrom('webinars').select(['title', 'starts_at']).where('id', '=', other.webinar_id).executeTakeFirstOrThrow();
      // The household keeps its seat: a cancelled registration of the kept file comes back to life
      // with the state of the other's (as registering again after cancelling does).
      if (own.status === 'cancelled' && other.status !== 'cancelled') {
        await trx
          .updateTable('registrations')
          .set({ status: other.status, confirmed_at: other.confirmed_at, cancelled_at: null, waitlist_rank: other.waitlist_rank })
          .where('id', '=', own.id)
          .execute();
      }
      // The household was there if either of them was.
      if ((other.attended ?? 0) > (own.attended ?? 0) || ((other.attended ?? 0) === 1 && (other.attended_minutes ?? 0) > (own.attended_minutes ?? 0))) {
        await trx.updateTable('registrations').set({ attended: other.attended, attended_minutes: other.attended_minutes, attendance_source: other.attendance_source }).where('id', '=', own.id).execute();
      }
      if (other.status !== 'cancelled') {
        await trx.updateTable('registrations').set({ status: 'cancelled', cancelled_at: nowIso, waitlist_rank: null }).where('id', '=', other.id).execute();
        await cancelQueuedMail(trx, { registrationId: other.id, kinds: ['reminder'] });
      }
      await recordTimelineEvent(trx, {
        candidateId: keep.id,
        at: now,
        kind: 'merge',
        dedupeKey: `merge:${absorb.id}:registration:${other.id}`,
        actor: { type: 'agent', id: input.agent.id },
        subject: { type: 'registration', id: other.id },
        summary: `Inscrit·e deux fois à « ${webinar.title} » (${formatShortDate(webinar.starts_at, zone)}) : l’inscription de ${nameOf(absorb)} est annulée, celle de la fiche gardée reste`,
        data: { kept: own.id, cancelled: other.id, otherStatus: other.status, otherAttended: other.attended, otherMinutes: other.attended_minutes },
      });
    }
    const moved: Record<string, number> = {};
    const keptOnAbsorbed: Record<string, number> = {};
    const sharedIds = absorbRegs.filter((r) => keepRegs.some((k) => k.webinar_id === r.webinar_id)).map((r) => r.id);
    let q = trx.updateTable('registrations').set({ candidate_id: keep.id }).where('candidate_id', '=', absorb.id);
    if (sharedIds.length) q = q.where('id', 'not in', sharedIds);
    moved.registrations = Number((await q.executeTakeFirst()).numUpdatedRows);

    for (const table of await tablesWithCandidates(trx)) {
      if (table === 'registrations') continue;
      const r = await moveRows(trx, table, absorb.id, keep.id);
      if (r.moved) moved[table] = r.moved;
      if (r.kept) keptOnAbsorbed[table] = r.kept;
    }
    // Files merged earlier into the absorbed one now lead to the kept one.
    await trx.updateTable('candidates').set({ merged_into_id: keep.id }).where('merged_into_id', '=', absorb.id).execute();

    const filled: Record<string, unknown> = {};
    for (const k of FILLED) if (keep[k] === null && absorb[k] !== null) filled[k] = absorb[k];
    const olderIsAbsorbed = absorb.created_at < keep.created_at;
    const patch = {
      ...filled,
      ...(olderIsAbsorbed ? { first_source: absorb.first_source, first_webinar_id: absorb.first_webinar_id, created_at: absorb.created_at } : {}),
      last_contact_at: absorb.last_contact_at > keep.last_contact_at ? absorb.last_contact_at : keep.last_contact_at,
      updated_at: nowIso,
    };
    const merged = { ...keep, ...patch } as CandidateRow;
    await trx
      .updateTable('candidates')
      .set({ ...patch, ...candidateKeys(merged) })
      .where('id', '=', keep.id)
      .execute();
    await trx.updateTable('candidates').set({ merged_into_id: keep.id, updated_at: nowIso }).where('id', '=', absorb.id).execute();

    const actor = { type: 'agent' as const, id: input.agent.id, ip: input.ip ?? null };
    const keepStage = PROGRESS.indexOf(keep.stage ?? 'contact');
    const absorbStage = PROGRESS.indexOf(absorb.stage ?? 'contact');
    if (absorbStage > keepStage && keepStage >= 0) await changeStage(trx, { candidateId: keep.id, to: absorb.stage!, at: now, actor, dedupeKey: `merge:${absorb.id}:stage` });

    const counts = { moved, sharedRencontres, keptOnAbsorbed };
    await recordTimelineEvent(trx, {
      candidateId: keep.id,
      at: now,
      kind: 'merge',
      dedupeKey: `merge:${absorb.id}:kept`,
      actor: { type: 'agent', id: input.agent.id },
      subject: { type: 'candidate', id: absorb.id },
      summary: `La fiche de ${nameOf(absorb)} (${absorb.email}) est fusionnée dans celle-ci, avec tout son historique`,
      data: counts,
    });
    await recordTimelineEvent(trx, {
      candidateId: absorb.id,
      at: now,
      kind: 'merge',
      dedupeKey: `merge:${absorb.id}:absorbed`,
      actor: { type: 'agent', id: input.agent.id },
      subject: { type: 'candidate', id: keep.id },
      summary: `Fiche fusionnée dans celle de ${nameOf(keep)} (${keep.email}) : son historique y est`,
      data: counts,
    });
    await recordAudit(trx, now, actor, 'candidate.merged', { type: 'candidate', id: keep.id }, { absorbedId: absorb.id, ...counts });
    return counts;
  });
}
