import type { Child } from 'hono/jsx';
import { AdminPage, type AdminPageProps } from '../../../areas/admin/layout.tsx';
import { formatShortDate, formatTime } from '../../../platform/time.ts';
import { Pagination } from '../../../platform/views/pagination.tsx';
import { movers, needs } from '../../accompaniment/accompaniment.ts';
import { mailStatusLabels } from '../../mailbox/mailbox-repository.ts';
import { households, horizons, labelOf, projects, statusLabels } from '../../registrations/registration.ts';
import { regionLabel } from '../../territory/territory.ts';
import { housingPlans, maturities, projectTypes, schoolNeeds, SENSITIVE_DATA_REMINDER } from '../candidate-file.ts';
import { TIMELINE_PAGE_SIZE, type CandidateFilePage } from '../candidate-file-query.ts';
import { abandonReasons, stageLabel } from '../change-stage.ts';
import { canChangeTask } from '../../tasks/task.ts';
import { TaskTable } from '../../tasks/views/task-pages.tsx';

export type Frame = Omit<AdminPageProps, 'children' | 'title' | 'current'>;

export const kindLabels: Record<string, string> = {
  registration: 'Inscription',
  attendance: 'Présence',
  'email-sent': 'E-mail',
  'email-failed': 'E-mail non remis',
  replay: 'Replay',
  survey: 'Questionnaire',
  'accompaniment-request': 'Demande d’accompagnement',
  'contact-form': 'Formulaire de contact',
  invitation: 'Invitation',
  consent: 'Consentement',
  stage: 'Étape',
  note: 'Note',
  call: 'Appel',
  meeting: 'Entretien',
  profile: 'Fiche',
  household: 'Foyer',
  referent: 'Référent·e',
  merge: 'Fusion',
  appointment: 'Rendez-vous',
  offer: 'Offre',
  referral: 'Orientation',
  installation: 'Installation',
  'follow-up': 'Suivi',
  task: 'Tâche',
};

const stageTag: Record<string, string> = { abandoned: 'tag tag--grey', dormant: 'tag tag--warning', installed: 'tag tag--green', 'followed-up': 'tag tag--green' };
export const StageTag = ({ stage }: { stage: string | null }) => <span class={stageTag[stage ?? 'contact'] ?? 'tag'}>{stageLabel(stage)}</span>;

const appointmentStatus: Record<string, string> = { booked: 'réservé', cancelled: 'annulé', done: 'tenu', missed: 'manqué' };
const followUpStatus: Record<string, string> = { scheduled: 'prévu', sent: 'envoyé', answered: 'répondu', 'no-answer': 'sans réponse', cancelled: 'annulé' };

function Fact({ term, children }: { term: string; children: Child }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

const actorOf = (e: { actor_type: string; actorName: string | null }) =>
  e.actor_type === 'agent' ? (e.actorName ?? 'Un agent') : e.actor_type === 'candidate' ? 'La personne' : e.actor_type === 'partner' ? 'Un partenaire' : 'La plateforme';

/** A paragraph per line of what an agent wrote. */
const Lines = ({ text }: { text: string }) => (
  <>
    {text
      .split(/\n+/)
      .filter((l) => l.trim())
      .map((l) => (
        <p>{l}</p>
      ))}
  </>
);

export interface FilePageProps extends Frame {
  data: CandidateFilePage;
  /** The territory's day, to say which tasks are late or due today. */
  today: string;
  /** This instant (ISO), to tell an appointment still to come from one that has taken place. */
  now: string;
  canEdit: boolean;
  isAdmin: boolean;
}

/** The household's file: who, the people, the project, the stage and its history, what is planned, and the whole timeline. */
export function CandidateFilePageView(p: FilePageProps) {
  const t = p.site.territory;
  const z = t.timezone;
  const d = p.data;
  const c = d.file;
  const name = `${c.first_name} ${c.last_name}`;
  const base = `/admin/candidats/${c.id}`;
  const date = (iso: string) => formatShortDate(iso, z);
  const project = c.project_type ? labelOf(projectTypes, c.project_type) : c.project ? `${labelOf(projects, c.project)} (réponse à l’inscription)` : null;
  const tl = d.timeline;
  const installed = d.installations.some((i) => i.leftOn === null);
  const fileLink = `${base}#suivi`;
  return (
    <AdminPage {...p} title={name} current="candidates" wide trail={[['Candidats', '/admin/candidats']]}>
      <h1>{name}</h1>
      <p>
        <StageTag stage={c.stage} /> {c.stage_changed_at ? <span class="meta">depuis le {date(c.stage_changed_at)}</span> : null}
      </p>
      {d.mergedInto ? (
        <div class="notice" role="note">
          <p>
            Cette fiche a été fusionnée dans celle de <a href={`/admin/candidats/${d.mergedInto.id}`}>{d.mergedInto.name}</a> : elle est gardée pour mémoire, c’est l’autre fiche qui vit.
          </p>
        </div>
      ) : !p.canEdit ? (
        <div class="inset">
          <p>Vous pouvez lire cette fiche. Elle est suivie par {d.referent?.name ?? 'un·e autre référent·e'} : seul·e son référent·e ou un administrateur peut la modifier.</p>
        </div>
      ) : (
        <nav aria-label="Actions sur la fiche">
          <p class="button-row">
            <a href={`${base}/notes/nouvelle`}>Ajouter une note, un appel ou un entretien</a>
            <a href={`${base}/etape`}>Changer d’étape</a>
            <a href={`${base}/referent`}>Confier à un·e référent·e</a>
            <a href={`${base}/taches/nouvelle`}>Nouvelle tâche</a>
            <a href={`${base}/offres`}>Proposer des offres</a>
            <a href={`${base}/orientations`}>Orienter vers un partenaire</a>
            <a href="/admin/rendez-vous">Rendez-vous</a>
            <a href={`${base}/installation`}>{installed ? 'Installation et suivis' : 'Enregistrer l’installation'}</a>
          </p>
        </nav>
      )}

      <h2 id="fiche">La fiche</h2>
      <dl class="summary-list">
        <Fact term="E-mail">{c.email}</Fact>
        <Fact term="Téléphone">{c.phone ?? 'Non renseigné'}</Fact>
        <Fact term="Lieu de vie actuel">{[c.postcode, c.town, c.country].filter(Boolean).join(' ') || 'Non renseigné'}</Fact>
        <Fact term="Étape">
          {stageLabel(c.stage)}
          {c.stage === 'abandoned' && c.abandon_reason ? ` : ${abandonReasons.find((r) => r.value === c.abandon_reason)?.label ?? c.abandon_reason}` : ''}
          {c.stage_changed_at ? `, depuis le ${date(c.stage_changed_at)}` : ''}
        </Fact>
        <Fact term="Référent·e">{d.referent?.name ?? 'Personne pour l’instant'}</Fact>
        <Fact term="Projet">{project ?? 'Non renseigné'}</Fact>
        <Fact term="Secteur">{c.project_sector ?? 'Non renseigné'}</Fact>
        <Fact term="Où en est le projet">{labelOf(maturities, c.project_maturity) ?? 'Non renseigné'}</Fact>
        <Fact term="Horizon">{labelOf(horizons, c.horizon) ?? 'Non renseigné'}</Fact>
        <Fact term="Où s’installer">{[regionLabel(t, c.desired_region), d.commune].filter(Boolean).join(', ') || 'Non renseigné'}</Fact>
        <Fact term="Logement">{labelOf(housingPlans, c.housing_plan) ?? 'Non renseigné'}</Fact>
        <Fact term="Permis de conduire">{c.driving_licence === null ? 'Non renseigné' : c.driving_licence ? 'Oui' : 'Non'}</Fact>
        <Fact term="Foyer déclaré à l’inscription">{labelOf(households, c.household) ?? 'Non renseigné'}</Fact>
        <Fact term="Première source">{c.first_source ?? 'Aucune (venu·e sans lien de campagne)'}</Fact>
        <Fact term="Première Rencontre">{d.firstWebinar ? <a href={`/admin/rencontres/${d.firstWebinar.id}`}>{`${d.firstWebinar.title} (${date(d.firstWebinar.startsAt)})`}</a> : 'Aucune'}</Fact>
        <Fact term="Nouvelles des Rencontres">{c.news_opt_in ? `Oui, consentement donné le ${date(c.news_opt_in_at ?? c.created_at)}` : 'Non'}</Fact>
        <Fact term="Invitations aux Rencontres">{c.invitations_opt_out_at ? `Refusées le ${date(c.invitations_opt_out_at)}` : 'Acceptées'}</Fact>
        <Fact term="Fiche créée le">{date(c.created_at)}</Fact>
        <Fact term="Dernier contact de la personne">{date(c.last_contact_at)}</Fact>
      </dl>
      {p.canEdit && !d.mergedInto ? (
        <p class="button-row">
          <a href={`${base}/identite`}>
            Modifier l’identité<span class="visually-hidden"> de {name}</span>
          </a>
          <a href={`${base}/projet`}>
            Modifier le projet<span class="visually-hidden"> de {name}</span>
          </a>
        </p>
      ) : null}

      <h2 id="foyer">Le foyer</h2>
      {d.members.length === 0 ? <p>Personne n’est encore décrit dans ce foyer.</p> : null}
      <ul class="card-list">
        {d.members.map((m) => {
          const who = m.first_name ?? (m.kind === 'child' ? 'Un enfant' : 'Un adulte');
          return (
            <li class="card">
              <h3>
                {who} <span class="tag tag--grey">{m.kind === 'child' ? 'Enfant' : 'Adulte'}</span>
              </h3>
              <p>
                {m.age !== null ? `${m.age} an${m.age > 1 ? 's' : ''}` : 'Âge non renseigné'}
                {m.kind === 'adult' ? ` · ${m.occupation ?? 'activité non renseignée'}${m.needs_job ? ' · cherche un emploi sur place' : ''}` : ` · ${labelOf(schoolNeeds, m.school_need) ?? 'besoin de garde ou d’école non renseigné'}`}
              </p>
              {p.canEdit && !d.mergedInto ? (
                <p class="button-row">
                  <a href={`${base}/foyer/${m.id}`}>
                    Modifier<span class="visually-hidden"> {who}</span>
                  </a>
                  <a href={`${base}/foyer/${m.id}/retirer`}>
                    Retirer du foyer<span class="visually-hidden"> : {who}</span>
                  </a>
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
      {p.canEdit && !d.mergedInto ? (
        <p>
          <a class="button button--secondary" href={`${base}/foyer/nouveau`}>
            Ajouter une personne au foyer
          </a>
        </p>
      ) : null}

      <h2 id="etapes">Les étapes</h2>
      {d.stageHistory.length === 0 ? (
        <p>Premier contact depuis le {date(c.created_at)}.</p>
      ) : (
        <ol>
          {d.stageHistory.map((s) => (
            <li>
              Le {date(s.at)} : {stageLabel(s.from)} → {stageLabel(s.to)}
              {s.reason ? ` (${abandonReasons.find((r) => r.value === s.reason)?.label ?? s.reason})` : ''}
              <span class="meta"> · {s.actorType === 'agent' ? (s.actorName ?? 'un agent') : s.actorType === 'candidate' ? 'par la personne' : 'par la plateforme'}</span>
            </li>
          ))}
        </ol>
      )}

      <h2 id="suivi">Tâches, rendez-vous et installation</h2>
      {d.tasks.length + d.appointments.length + d.installations.length + d.followUps.length === 0 ? <p>Aucune tâche, aucun rendez-vous, aucune installation pour l’instant.</p> : null}
      {d.tasks.length ? (
        <>
          <h3>Tâches</h3>
          <TaskTable tasks={d.tasks} today={p.today} zone={z} csrf={p.csrf} retour={fileLink} caption={`Tâches du dossier de ${name}`} canChange={(x) => !d.mergedInto && canChangeTask(p.agent, x)} showAssignee showFile={false} />
        </>
      ) : null}
      {d.appointments.length ? (
        <>
          <h3>Rendez-vous</h3>
          <ul>
            {d.appointments.map((x) => (
              <li>
                {date(x.startsAt)} à {formatTime(x.startsAt, z)} · {x.mode === 'video' ? 'en visio' : 'par téléphone'} avec {x.agentName ?? 'un agent'} · {x.status === 'booked' && x.startsAt <= p.now ? 'passé' : (appointmentStatus[x.status] ?? x.status)}
                {x.topic ? ` · ${x.topic}` : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {d.installations.length ? (
        <>
          <h3>Installation</h3>
          <ul>
            {d.installations.map((x) => (
              <li>
                Installé·e le {date(`${x.installedOn}T12:00:00Z`)} à {x.communeName}, {x.adults} adulte{x.adults > 1 ? 's' : ''} et {x.children} enfant{x.children > 1 ? 's' : ''}
                {x.leftOn ? `, parti·e le ${date(`${x.leftOn}T12:00:00Z`)}` : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {d.followUps.length ? (
        <>
          <h3>Suivi après l’installation</h3>
          <ul>
            {d.followUps.map((x) => (
              <li>
                À {x.months} mois, le {date(`${x.dueOn}T12:00:00Z`)} : {followUpStatus[x.status] ?? x.status}
                {x.needsHelp ? ', demande de l’aide' : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {d.installations.length || d.followUps.length ? (
        <p>
          <a href={`${base}/installation`}>Voir l’installation et les réponses aux suivis</a>
        </p>
      ) : null}

      {d.requests.length ? (
        <>
          <h2 id="demandes">Demandes d’accompagnement</h2>
          {d.requests.map((r) => (
            <div class="card card--accent">
              <p class="meta">
                Le {date(r.createdAt)} · {labelOf(horizons, r.horizon)} · {labelOf(movers, r.movers)}
              </p>
              <p>{r.project}</p>
              <p>Aide souhaitée : {(JSON.parse(r.needs) as string[]).map((n) => labelOf(needs, n)).join(', ') || 'non précisée'}</p>
              {r.message ? <p>Message : {r.message}</p> : null}
            </div>
          ))}
        </>
      ) : null}

      <h2 id="rencontres">Rencontres</h2>
      {d.registrations.length === 0 ? (
        <p>Aucune inscription.</p>
      ) : (
        <div class="table-wrap">
          <table aria-labelledby="rencontres">
            <thead>
              <tr>
                <th scope="col">Rencontre</th>
                <th scope="col">Inscription</th>
                <th scope="col">Présence</th>
                <th scope="col">Question</th>
              </tr>
            </thead>
            <tbody>
              {d.registrations.map((r) => (
                <tr>
                  <td>
                    <a href={`/admin/rencontres/${r.webinarId}`}>{r.title}</a>
                    <div class="meta">{date(r.startsAt)}</div>
                  </td>
                  <td>
                    {statusLabels[r.status]}
                    <div class="meta">le {date(r.createdAt)}</div>
                  </td>
                  <td>{r.attended === null ? '–' : r.attended ? `présent·e, ${r.attendedMinutes ?? 0} min` : 'absent·e'}</td>
                  <td>{r.question ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2 id="historique">Historique</h2>
      <p class="hint">Tout ce qui s’est passé, le plus récent d’abord : ce que la plateforme enregistre d’elle-même, et ce que l’équipe ajoute.</p>
      {p.canEdit && !d.mergedInto ? (
        <p>
          <a class="button button--secondary" href={`${base}/notes/nouvelle`}>
            Ajouter une note, un appel ou un entretien
          </a>
        </p>
      ) : null}
      {tl.total === 0 ? <p>Rien encore.</p> : null}
      <ol class="card-list" reversed start={tl.total - (tl.page - 1) * TIMELINE_PAGE_SIZE}>
        {tl.rows.map((e) => {
          const data = JSON.parse(e.data) as { text?: string };
          const isEntry = e.kind === 'note' || e.kind === 'call' || e.kind === 'meeting';
          return (
            <li class={isEntry ? 'card card--accent' : 'card'}>
              <p class="meta">
                <time datetime={e.at}>
                  {date(e.at)} à {formatTime(e.at, z)}
                </time>{' '}
                · {actorOf(e)} · <span class={e.kind === 'email-failed' ? 'tag tag--red' : 'tag tag--grey'}>{kindLabels[e.kind] ?? e.kind}</span>
              </p>
              {isEntry && data.text ? <Lines text={data.text} /> : <p>{e.summary}</p>}
            </li>
          );
        })}
      </ol>
      <Pagination page={tl.page} pages={tl.pages} href={(n) => `${base}?historique=${n}#historique`} label="Pages de l’historique" />
      {p.canEdit ? <p class="hint">{SENSITIVE_DATA_REMINDER}</p> : null}

      <h2 id="courriels">E-mails</h2>
      {d.mails.length === 0 ? (
        <p class="inset">Aucun e-mail.</p>
      ) : (
        <ul>
          {d.mails.map((m) => (
            <li>
              <a href={`/admin/courriels/${m.id}`}>{m.subject}</a> – {mailStatusLabels[m.status as keyof typeof mailStatusLabels].toLowerCase()}, {date(m.sentAt ?? m.createdAt)} {formatTime(m.sentAt ?? m.createdAt, z)}
            </li>
          ))}
        </ul>
      )}

      {d.absorbed.length ? (
        <>
          <h2 id="fusions">Fiches fusionnées dans celle-ci</h2>
          <ul>
            {d.absorbed.map((a) => (
              <li>
                <a href={`/admin/candidats/${a.id}`}>{a.name}</a> ({a.email})
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {p.isAdmin && !d.mergedInto ? (
        <p>
          <a href={`/admin/candidats/doublons?fiche=${c.id}`}>Chercher un doublon de cette fiche</a>
        </p>
      ) : null}
    </AdminPage>
  );
}
