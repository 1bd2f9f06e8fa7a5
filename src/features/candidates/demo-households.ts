import { randomUUID } from 'node:crypto';
import type { CandidateStage, HouseholdMemberTable, NewCandidateRow, NewRegistrationRow, NewWebinarRow, StageChangeTable, TimelineEventTable } from '../../platform/db/schema.ts';
import { assignmentMethodLabels } from '../referents/referent.ts';
import type { ReferentAssignmentTable } from '../referents/referent-tables.ts';
import type { Territory } from '../territory/territory.ts';
import { candidateKeys, type ProjectType } from './candidate-file.ts';
import { abandonReasons, stageChangeSummary } from './change-stage.ts';
import { attendanceEvent, registrationStepEvent } from './journey-events.ts';
import type { TimelineEntry } from './timeline.ts';

/**
 * The demo's files as a team that has worked for a while leaves them: every registration and
 * attendance on the timeline, and among those who came to a Rencontre, households followed at each
 * stage by a referent, with the people of the household, the project and the team's notes. The
 * settled households (installations' demo) get their referent and people too. Deterministic with
 * the generator it is given; changes no Rencontre, registration or attendance, so the demo's figures
 * stay as reported.
 */

const DAY = 86_400_000;
const SECTORS: Record<ProjectType, string[]> = {
  salarie: ['Santé (infirmière)', 'Enseignement', 'Aide à domicile', 'Industrie du bois', 'Comptabilité'],
  creation: ['Gîte et chambres d’hôtes', 'Menuiserie', 'Conseil informatique', 'Épicerie de village'],
  reprise: ['Boulangerie', 'Garage automobile', 'Bar-restaurant', 'Librairie'],
  agriculture: ['Élevage ovin', 'Maraîchage', 'Apiculture'],
  teletravail: ['Développement web', 'Graphisme', 'Traduction'],
  reconversion: ['Artisanat d’art', 'Métiers de la forêt', 'Accompagnement éducatif'],
  plusieurs: ['Emploi salarié et création d’activité'],
};
const OCCUPATIONS = ['Infirmière', 'Menuisier', 'Professeure des écoles', 'Développeur', 'Aide-soignant', 'Comptable', 'Cuisinier', 'Commerciale', 'En recherche d’emploi', 'Agent territorial'];
const NOTES: Array<{ kind: 'note' | 'call' | 'meeting'; text: string }> = [
  { kind: 'call', text: 'Premier appel : le projet est clair, la famille vise la rentrée de septembre. Envoyer la liste des écoles du secteur.' },
  { kind: 'call', text: 'Rappelé·e : le conjoint cherche un poste dans la même zone. Mettre en relation avec France Travail Mende.' },
  { kind: 'meeting', text: 'Entretien en visio : point sur le logement. Préférence pour une location d’abord, achat ensuite.' },
  { kind: 'note', text: 'Offres de reprise envoyées par e-mail ; retour attendu sous quinze jours.' },
  { kind: 'meeting', text: 'Visite de deux communes avec la mairie et la communauté de communes, très bon accueil.' },
  { kind: 'note', text: 'Intéressé·e par la prochaine Rencontre thématique sur la reprise d’entreprise.' },
  { kind: 'call', text: 'Pas de réponse au téléphone, message laissé. Relancer par e-mail la semaine prochaine.' },
];
/** Of the people who attended, how many households reach each stage (the others stay at first contact). */
const PLAN: Array<[CandidateStage, number]> = [
  ['qualified', 0.1],
  ['accompanied', 0.09],
  ['visit', 0.04],
  ['decision', 0.03],
  ['abandoned', 0.06],
  ['dormant', 0.05],
];
const PATH: Record<string, CandidateStage[]> = {
  qualified: ['qualified'],
  accompanied: ['qualified', 'accompanied'],
  visit: ['qualified', 'accompanied', 'visit'],
  decision: ['qualified', 'accompanied', 'visit', 'decision'],
  abandoned: ['qualified', 'accompanied', 'abandoned'],
  dormant: ['qualified', 'dormant'],
  installed: ['qualified', 'accompanied', 'installed'],
  'followed-up': ['qualified', 'accompanied', 'installed', 'followed-up'],
};

export interface DemoHouseholds {
  members: HouseholdMemberTable[];
  events: TimelineEventTable[];
  stageChanges: StageChangeTable[];
  assignments: ReferentAssignmentTable[];
}

function toRow(e: TimelineEntry): TimelineEventTable {
  return {
    id: randomUUID(),
    candidate_id: e.candidateId,
    at: e.at.toISOString(),
    kind: e.kind,
    dedupe_key: e.dedupeKey,
    actor_type: e.actor.type,
    actor_id: e.actor.id,
    subject_type: e.subject?.type ?? null,
    subject_id: e.subject?.id ?? null,
    summary: e.summary,
    data: JSON.stringify(e.data ?? {}),
  };
}

export function demoHouseholds(input: {
  territory: Territory;
  now: Date;
  random: () => number;
  webinars: NewWebinarRow[];
  people: NewCandidateRow[];
  registrations: NewRegistrationRow[];
  /** The team, when it exists already: without it, no file has a referent. */
  agents: Array<{ id: string; name: string }>;
}): DemoHouseholds {
  const { territory: t, now, random } = input;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const webinarOf = new Map(input.webinars.map((w) => [w.id, w]));
  const events: TimelineEventTable[] = [];
  const stageChanges: StageChangeTable[] = [];
  const members: HouseholdMemberTable[] = [];
  const assignments: ReferentAssignmentTable[] = [];
  const system = { type: 'system' as const, id: null };
  const candidate = { type: 'candidate' as const, id: null };

  // Every registration and attendance, as the platform would have written them.
  const lastEvent = new Map<string, number>();
  const firstAttended = new Map<string, number>();
  const push = (e: TimelineEntry) => {
    events.push(toRow(e));
    lastEvent.set(e.candidateId, Math.max(lastEvent.get(e.candidateId) ?? 0, e.at.getTime()));
  };
  for (const r of input.registrations) {
    const w = webinarOf.get(r.webinar_id)!;
    const webinar = { title: w.title, startsAt: w.starts_at };
    push(registrationStepEvent({ candidateId: r.candidate_id, registrationId: r.id, nonce: r.token_nonce, step: 'confirmed', webinar, at: new Date(r.created_at), actor: candidate, zone: t.timezone }));
    const ended = new Date(w.ends_at).getTime();
    if (r.attended !== null && r.attended !== undefined && ended <= now.getTime()) {
      push(attendanceEvent({ candidateId: r.candidate_id, registrationId: r.id, attended: r.attended === 1, minutes: r.attended_minutes ?? 0, source: 'demo', webinar, at: new Date(ended), actor: system, zone: t.timezone }));
      if (r.attended === 1 && !firstAttended.has(r.candidate_id)) firstAttended.set(r.candidate_id, ended);
    }
  }

  // Households followed by the team: among those who came, a share at each stage.
  let turn = 0;
  for (const p of input.people) {
    const settled = p.stage === 'installed' || p.stage === 'followed-up';
    const came = firstAttended.get(p.id);
    let target: CandidateStage | null = settled ? p.stage! : null;
    if (!settled && came !== undefined) {
      let r = random();
      for (const [stage, share] of PLAN) {
        if ((r -= share) < 0) {
          target = stage;
          break;
        }
      }
    }
    if (!target || came === undefined) {
      p.stage ??= 'contact';
      p.stage_changed_at ??= p.created_at;
      continue;
    }
    const path = PATH[target]!;
    // The steps between the Rencontre and the last one (or the installation) are spread over the weeks after.
    const end = settled ? new Date(p.stage_changed_at!).getTime() : Math.min(now.getTime() - DAY, came + int(30, 200) * DAY);
    const before = path.filter((x) => x !== 'installed' && x !== 'followed-up').length;
    const stepDates = path.map((step, i) => {
      if (step === 'installed') return end;
      // Followed up once the first follow-up, three months after, was answered.
      if (step === 'followed-up') return Math.min(now.getTime() - DAY, end + 95 * DAY);
      return Math.min(end - DAY, came + Math.round(((i + 1) / (before + 1)) * (end - came)) + int(0, 2) * DAY);
    });
    const agent = input.agents.length && target !== 'qualified' ? input.agents[turn++ % input.agents.length]! : null;
    let from: CandidateStage = 'contact';
    path.forEach((to, i) => {
      const at = new Date(stepDates[i]!);
      const reason = to === 'abandoned' ? pick(abandonReasons.filter((x) => x.value !== 'autre')).value : null;
      const id = randomUUID();
      const actor = to === 'qualified' ? candidate : agent ? { type: 'agent' as const, id: agent.id } : system;
      stageChanges.push({ id, candidate_id: p.id, from_stage: from, to_stage: to, reason, at: at.toISOString(), actor_type: actor.type, actor_id: actor.id });
      push({ candidateId: p.id, at, kind: 'stage', dedupeKey: `stage:${id}`, actor, subject: { type: 'stage-change', id }, summary: stageChangeSummary(from, to, reason), data: { from, to, reason } });
      if (to === 'abandoned') p.abandon_reason = reason;
      if (to === 'accompanied' && agent) {
        const aid = randomUUID();
        assignments.push({ id: aid, candidate_id: p.id, request_id: null, agent_id: agent.id, previous_agent_id: null, method: 'rotation', at: at.toISOString(), actor_type: 'system', actor_id: null, acknowledged_at: new Date(at.getTime() + DAY).toISOString() });
        push({ candidateId: p.id, at, kind: 'referent', dedupeKey: `referent:${aid}`, actor: system, subject: { type: 'agent', id: agent.id }, summary: `Référent·e : ${agent.name} (${assignmentMethodLabels.rotation})`, data: { agentId: agent.id, method: 'rotation' } });
      }
      from = to;
    });
    p.stage = target;
    p.stage_changed_at = new Date(stepDates[stepDates.length - 1]!).toISOString();
    p.referent_id = agent?.id ?? null;

    // The project, as the team has qualified it.
    const type: ProjectType = p.project === 'creation-reprise' ? pick(['creation', 'reprise'] as const) : p.project === 'salarie' || p.project === 'teletravail' || p.project === 'reconversion' ? p.project : pick(['agriculture', 'plusieurs'] as const);
    p.project_type = type;
    p.project_sector = pick(SECTORS[type]);
    p.project_maturity = target === 'qualified' || target === 'dormant' ? pick(['idee', 'reflexion'] as const) : pick(['construit', 'pret'] as const);
    p.housing_plan = pick(['location', 'location', 'achat', 'indecis'] as const);
    p.driving_licence = random() < 0.9 ? 1 : 0;

    // The people of the household, from what they said at registration.
    const created = p.created_at;
    const adults = p.household === 'seul' ? 1 : 2;
    for (let a = 0; a < adults; a++) {
      members.push({ id: randomUUID(), candidate_id: p.id, kind: 'adult', first_name: a === 0 ? p.first_name : null, age: int(26, 52), occupation: pick(OCCUPATIONS), needs_job: a === 1 && random() < 0.6 ? 1 : 0, school_need: null, created_at: created });
    }
    if (p.household === 'enfants') {
      for (let c = int(1, 3); c > 0; c--) {
        const age = int(0, 16);
        members.push({ id: randomUUID(), candidate_id: p.id, kind: 'child', first_name: null, age, occupation: null, needs_job: 0, school_need: age < 3 ? 'creche' : age < 6 ? 'maternelle' : age < 11 ? 'elementaire' : age < 15 ? 'college' : 'lycee', created_at: created });
      }
    }

    // What the referent wrote: a note or two along the way.
    if (agent) {
      for (let n = int(1, 3); n > 0; n--) {
        const note = pick(NOTES);
        const at = new Date(Math.min(now.getTime() - DAY, came + int(3, Math.max(4, Math.round((end - came) / DAY))) * DAY));
        const label = note.kind === 'call' ? 'Appel' : note.kind === 'meeting' ? 'Entretien' : 'Note';
        push({ candidateId: p.id, at, kind: note.kind, dedupeKey: `entry:${randomUUID()}`, actor: { type: 'agent', id: agent.id }, summary: `${label} : ${note.text.split('\n')[0]!.slice(0, 139)}`, data: { text: note.text } });
      }
    }
  }

  // Every file: its stage, its last activity, its search keys.
  for (const p of input.people) {
    const last = lastEvent.get(p.id);
    p.last_activity_at = new Date(Math.max(last ?? 0, Date.parse(p.last_contact_at))).toISOString();
    Object.assign(p, candidateKeys({ first_name: p.first_name, last_name: p.last_name, email_normalized: p.email_normalized, phone: p.phone ?? null, town: p.town ?? null }));
  }
  return { members, events, stageChanges, assignments };
}
