import { createHash, randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { lockRow } from '../../platform/db/database.ts';
import type { Database, ProposalOutcome } from '../../platform/db/schema.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import { DomainError, Forbidden, NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { canEditFile } from '../candidates/candidate-file.ts';
import { recordTimelineEvent } from '../candidates/timeline.ts';
import { offerTypeLabel } from './offer.ts';
import { rankOffers, sectorKey, wantedTypes, type MatchProfile } from './offer-matching.ts';
import { renderOfferProposalEmail } from './offer-emails.tsx';
import { publishedOffersForMatching } from './offers-repository.ts';
import { todayIn } from './save-offer.ts';

type Q = Kysely<Database> | Transaction<Database>;

export const proposalOutcomes: ReadonlyArray<{ value: ProposalOutcome; label: string; sentence: string }> = [
  { value: 'interested', label: 'Intéressé·e', sentence: 'est intéressé·e' },
  { value: 'applied', label: 'A postulé', sentence: 'a postulé' },
  { value: 'hired', label: 'Embauché·e', sentence: 'a été embauché·e' },
  { value: 'taken-over', label: 'A repris l’activité', sentence: 'a repris l’activité' },
  { value: 'declined', label: 'Pas donné suite', sentence: 'n’a pas donné suite' },
];

export const NOT_YOUR_FILE_MESSAGE = 'Cette personne est suivie par un·e autre référent·e : vous pouvez lire ses offres et ses orientations, mais seul·e son référent·e ou un administrateur peut lui proposer des offres ou l’orienter vers un partenaire.';

/** The candidate file's rule: its referent (or an admin, or anyone while it has none) acts on it; the others read it. */
export async function checkMayAct(trx: Q, candidateId: string, agent: { id: string; role: 'admin' | 'referent' }): Promise<void> {
  const file = await trx.selectFrom('candidates').select(['referent_id']).where('id', '=', candidateId).executeTakeFirst();
  if (!file) throw new NotFound('Personne introuvable');
  if (!canEditFile(agent, file)) throw new Forbidden(NOT_YOUR_FILE_MESSAGE);
}

/** What the matching knows of a candidate: the answers of their file, nothing else. */
export async function candidateMatchProfile(db: Q, candidateId: string): Promise<{ profile: MatchProfile; firstName: string; lastName: string; email: string } | null> {
  const c = await db
    .selectFrom('candidates')
    .select(['first_name', 'last_name', 'email', 'project', 'project_type', 'project_sector', 'desired_region', 'desired_commune', 'horizon'])
    .where('id', '=', candidateId)
    .executeTakeFirst();
  if (!c) return null;
  return {
    firstName: c.first_name,
    lastName: c.last_name,
    email: c.email,
    profile: { project: c.project, projectType: c.project_type, sector: c.project_sector, regionKey: c.desired_region, communeCode: c.desired_commune, horizon: c.horizon },
  };
}

/** The published offers that fit a profile, ranked, with why. */
export async function matchingOffers(s: Services, profile: MatchProfile) {
  const vocabulary = { sectors: s.territory.offers.sectors, regions: s.territory.regions };
  const { wanted } = wantedTypes(profile);
  const rows = await publishedOffersForMatching(s.db.kysely, { types: [...wanted], sector: sectorKey(vocabulary, profile.sector), region: profile.regionKey, commune: profile.communeCode });
  const offers = rows.map((r) => ({ ...r, regionKey: r.region_key, communeCode: r.commune_code, communeName: r.commune_name, validUntil: r.valid_until, publishedAt: r.published_at }));
  return rankOffers(profile, offers, vocabulary, todayIn(s.territory.timezone, s.clock.now()));
}

/**
 * A referent proposes offers to a candidate: each proposal is kept with why it fits, written to the
 * candidate's timeline, and one e-mail lists them, all in one transaction. Keeps: only published
 * offers; an offer proposed before to the same person is not proposed twice.
 */
export async function proposeOffers(s: Services, input: { candidateId: string; offerIds: string[]; agentId: string; ip?: string | null }): Promise<{ proposed: number }> {
  if (input.offerIds.length === 0) throw new DomainError('nothing-chosen', 'Cochez au moins une offre à proposer');
  const now = s.clock.now();
  const found = await candidateMatchProfile(s.db.kysely, input.candidateId);
  if (!found) throw new NotFound('Personne introuvable');
  const ranked = await matchingOffers(s, found.profile);
  const reasons = new Map(ranked.map((m) => [m.offer.id, m.reason]));
  const referent = await s.db.kysely.selectFrom('agents').select(['id', 'name', 'role']).where('id', '=', input.agentId).executeTakeFirstOrThrow();
  const actor: Actor = { type: 'agent', id: input.agentId, ip: input.ip };
  const proposed = await s.db.transaction(async (trx) => {
    if (!(await lockRow(s.db, trx, 'candidates', input.candidateId))) throw new NotFound('Personne introuvable');
    await checkMayAct(trx, input.candidateId, referent);
    const offers = await trx.selectFrom('offers').select(['id', 'slug', 'title', 'type', 'commune_name', 'status']).where('id', 'in', input.offerIds).execute();
    if (offers.length !== new Set(input.offerIds).size || offers.some((o) => o.status !== 'published')) throw new DomainError('offer-unavailable', 'Une des offres choisies n’est plus publiée : rechargez la page');
    const already = new Set((await trx.selectFrom('offer_proposals').select('offer_id').where('candidate_id', '=', input.candidateId).where('offer_id', 'in', input.offerIds).execute()).map((r) => r.offer_id));
    const fresh = offers.filter((o) => !already.has(o.id));
    if (fresh.length === 0) throw new DomainError('already-proposed', 'Ces offres ont déjà été proposées à cette personne');
    const nowIso = now.toISOString();
    for (const o of fresh) {
      const id = randomUUID();
      const reason = reasons.get(o.id) ?? '';
      await trx.insertInto('offer_proposals').values({ id, candidate_id: input.candidateId, offer_id: o.id, proposed_by: input.agentId, proposed_at: nowIso, reason, outcome: null, outcome_at: null, outcome_by: null }).execute();
      await recordTimelineEvent(trx, {
        candidateId: input.candidateId,
        at: now,
        kind: 'offer',
        dedupeKey: `offer-proposal:${id}`,
        actor: { type: 'agent', id: input.agentId },
        subject: { type: 'offer', id: o.id },
        summary: `Offre proposée : ${o.title} (${offerTypeLabel(o.type).toLowerCase()}, ${o.commune_name})${reason ? ` – ${reason}` : ''}`,
        data: { proposalId: id, offerId: o.id, reason },
      });
    }
    const mail = await renderOfferProposalEmail({
      territory: s.territory,
      publicUrl: s.config.publicUrl,
      firstName: found.firstName,
      referentName: referent.name,
      offers: fresh.map((o) => ({ title: o.title, url: `${s.config.publicUrl}/offres/${o.slug}`, typeLabel: offerTypeLabel(o.type).toLowerCase(), commune: o.commune_name, reason: reasons.get(o.id) || 'sélectionnée par votre référent·e' })),
    });
    const key = createHash('sha256').update(fresh.map((o) => o.id).sort().join(',')).digest('hex').slice(0, 16);
    await enqueueEmail(trx, now, { dedupeKey: `offer-proposal:${input.candidateId}:${key}`, kind: 'offer-proposal', to: found.email, ...mail, candidateId: input.candidateId });
    await recordAudit(trx, now, actor, 'offer.proposed', { type: 'candidate', id: input.candidateId }, { offers: fresh.map((o) => o.id) });
    return fresh.length;
  });
  s.mailQueued();
  return { proposed };
}

/** Records what came of an offer proposed to a candidate; the timeline says it in a sentence. */
export async function recordProposalOutcome(s: Services, input: { candidateId: string; proposalId: string; outcome: ProposalOutcome; agentId: string; ip?: string | null }): Promise<void> {
  const now = s.clock.now();
  const o = proposalOutcomes.find((x) => x.value === input.outcome);
  if (!o) throw new DomainError('outcome-unknown', 'Choisissez ce qu’il en est dans la liste');
  const agent = await s.db.kysely.selectFrom('agents').select(['id', 'role']).where('id', '=', input.agentId).executeTakeFirstOrThrow();
  await s.db.transaction(async (trx) => {
    await checkMayAct(trx, input.candidateId, agent);
    const p = await trx
      .selectFrom('offer_proposals as p')
      .innerJoin('offers as o', 'o.id', 'p.offer_id')
      .select(['p.id', 'p.outcome', 'p.offer_id', 'o.title'])
      .where('p.id', '=', input.proposalId)
      .where('p.candidate_id', '=', input.candidateId)
      .executeTakeFirst();
    if (!p) throw new NotFound('Proposition introuvable');
    if (p.outcome === input.outcome) return;
    await trx.updateTable('offer_proposals').set({ outcome: input.outcome, outcome_at: now.toISOString(), outcome_by: input.agentId }).where('id', '=', p.id).execute();
    await recordTimelineEvent(trx, {
      candidateId: input.candidateId,
      at: now,
      kind: 'offer',
      dedupeKey: `offer-outcome:${p.id}:${input.outcome}:${now.toISOString()}`,
      actor: { type: 'agent', id: input.agentId },
      subject: { type: 'offer', id: p.offer_id },
      summary: `Suite de l’offre « ${p.title} » : la personne ${o.sentence}`,
      data: { proposalId: p.id, outcome: input.outcome, previous: p.outcome },
    });
    await recordAudit(trx, now, { type: 'agent', id: input.agentId, ip: input.ip }, 'offer.proposal-outcome', { type: 'candidate', id: input.candidateId }, { proposalId: p.id, outcome: input.outcome });
  });
}

export function proposalsOfCandidate(db: Q, candidateId: string) {
  return db
    .selectFrom('offer_proposals as p')
    .innerJoin('offers as o', 'o.id', 'p.offer_id')
    .leftJoin('agents as a', 'a.id', 'p.proposed_by')
    .select(['p.id', 'p.proposed_at', 'p.reason', 'p.outcome', 'p.outcome_at', 'o.id as offer_id', 'o.slug', 'o.title', 'o.type', 'o.status', 'o.commune_name', 'a.name as agent_name'])
    .where('p.candidate_id', '=', candidateId)
    .orderBy('p.proposed_at', 'desc')
    .execute();
}
