import { AdminPage, type AdminPageProps } from '../../../areas/admin/layout.tsx';
import type { AgentRow } from '../../../platform/db/schema.ts';
import { formatShortDate, formatSlot } from '../../../platform/time.ts';
import { HiddenFields } from '../../../platform/views/form-kit.tsx';
import { needs } from '../../accompaniment/accompaniment.ts';
import { stageLabel } from '../../candidates/change-stage.ts';
import { helpTopics, labelOf, wellbeingLabels } from '../../installations/installation.ts';
import type { HelpAnswerView } from '../../installations/installations-repository.ts';
import { formatDay } from '../../tasks/task.ts';
import type { TaskView } from '../../tasks/tasks-repository.ts';
import { TaskTable } from '../../tasks/views/task-pages.tsx';
import { assignmentMethodLabels } from '../referent.ts';
import type { MyCandidatesScope, MyCandidateView, NewRequestView } from '../referents-repository.ts';

type Frame = Omit<AdminPageProps, 'children' | 'title' | 'current'>;

export interface UpcomingAppointment {
  id: string;
  starts_at: string;
  ends_at: string;
  mode: 'phone' | 'video';
  candidateId: string;
  first_name: string;
  last_name: string;
  phone: string | null;
}

export function TodoPage(
  p: Frame & {
    forAgent: AgentRow | null;
    today: string;
    zone: string;
    requests: NewRequestView[];
    late: TaskView[];
    dueToday: TaskView[];
    soon: TaskView[];
    help: HelpAnswerView[];
    appointments: UpcomingAppointment[];
    canChange: (t: TaskView) => boolean;
  },
) {
  const retour = p.forAgent ? `/admin/a-faire?agent=${p.forAgent.id}` : '/admin/a-faire';
  const nothing = !p.requests.length && !p.late.length && !p.dueToday.length && !p.help.length;
  return (
    <AdminPage {...p} title="À faire" current="todo" wide>
      <h1>{p.forAgent ? `À faire pour ${p.forAgent.name}` : 'À faire'}</h1>
      <div class="button-row">
        <a class="button button--primary" href="/admin/taches/nouvelle">
          Nouvelle tâche
        </a>
        <a href="/admin/mes-candidats">Mes candidats</a>
        <a href="/admin/taches">Toutes mes tâches</a>
      </div>
      {nothing ? <p class="inset">Rien d’urgent : aucune nouvelle demande, aucune tâche en retard ou pour aujourd’hui.</p> : null}

      <h2 id="demandes">Nouvelles demandes ({p.requests.length})</h2>
      {p.requests.length ? (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Demandes d’accompagnement confiées, pas encore prises en charge</caption>
            <thead>
              <tr>
                <th scope="col">Personne</th>
                <th scope="col">Confiée le</th>
                <th scope="col">Projet et aide souhaitée</th>
                <th scope="col">Contact</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {p.requests.map((r) => (
                <tr>
                  <th scope="row">
                    <a href={`/admin/candidats/${r.candidateId}`}>{r.name}</a>
                  </th>
                  <td class="nowrap">
                    {formatShortDate(r.at, p.zone)}
                    <div class="hint">{assignmentMethodLabels[r.method]}</div>
                  </td>
                  <td>
                    {r.project ?? '—'}
                    {r.needs.length ? <div class="hint">{r.needs.map((n) => labelOf(needs, n)).join(', ')}</div> : null}
                  </td>
                  <td>
                    {r.email}
                    {r.phone ? (
                      <>
                        <br />
                        {r.phone}
                      </>
                    ) : null}
                  </td>
                  <td class="actions-cell">
                    {p.forAgent ? (
                      '—'
                    ) : (
                      <form method="post" action={`/admin/a-faire/demandes/${r.assignmentId}`}>
                        <HiddenFields fields={{ _csrf: p.csrf }} />
                        <button type="submit" class="link-button">
                          Je la prends en charge<span class="visually-hidden"> : {r.name}</span>
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p>Aucune nouvelle demande.</p>
      )}

      <h2 id="retard">Tâches en retard ({p.late.length})</h2>
      {p.late.length ? <TaskTable tasks={p.late} today={p.today} zone={p.site.territory.timezone} csrf={p.csrf} retour={retour} caption="Tâches en retard" canChange={p.canChange} /> : <p>Aucune tâche en retard.</p>}

      <h2 id="aujourdhui">Pour aujourd’hui ({p.dueToday.length})</h2>
      {p.dueToday.length ? <TaskTable tasks={p.dueToday} today={p.today} zone={p.site.territory.timezone} csrf={p.csrf} retour={retour} caption="Tâches pour aujourd’hui" canChange={p.canChange} /> : <p>Aucune tâche pour aujourd’hui.</p>}

      <h2 id="suivis">Suivis qui demandent de l’aide ({p.help.length})</h2>
      {p.help.length ? (
        <ul class="card-list">
          {p.help.map((h) => (
            <li class="card card--accent">
              <h3>
                <a href={`/admin/candidats/${h.candidateId}`}>{h.name}</a>, suivi à {h.months} mois
              </h3>
              <p>
                {h.wellbeing ? `${wellbeingLabels[h.wellbeing - 1]} (${h.wellbeing}/5). ` : ''}Aide demandée : {h.help.map((x) => labelOf(helpTopics, x)).join(', ')}.
                {h.answeredAt ? ` Répondu le ${formatShortDate(h.answeredAt, p.zone)}.` : ''}
              </p>
              {h.message ? <p>« {h.message} »</p> : null}
              {p.forAgent ? null : (
                <form method="post" action={`/admin/taches/${h.taskId}/faite`}>
                  <HiddenFields fields={{ _csrf: p.csrf, retour }} />
                  <button type="submit" class="link-button">
                    C’est fait : marquer la tâche comme faite<span class="visually-hidden"> ({h.name})</span>
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p>Aucune réponse de suivi en attente d’aide.</p>
      )}

      <h2 id="rendez-vous">Rendez-vous des sept prochains jours ({p.appointments.length})</h2>
      {p.appointments.length ? (
        <ul>
          {p.appointments.map((a) => (
            <li>
              {formatSlot(a.starts_at, a.ends_at, p.zone)} : <a href={`/admin/candidats/${a.candidateId}`}>{`${a.first_name} ${a.last_name}`}</a>
              {a.mode === 'phone' ? `, par téléphone${a.phone ? ` au ${a.phone}` : ''}` : ', en visio'}
            </li>
          ))}
        </ul>
      ) : (
        <p>
          Aucun rendez-vous. <a href="/admin/rendez-vous">Vos créneaux</a>
        </p>
      )}

      <h2 id="bientot">Dans les sept prochains jours ({p.soon.length})</h2>
      {p.soon.length ? <TaskTable tasks={p.soon} today={p.today} zone={p.site.territory.timezone} csrf={p.csrf} retour={retour} caption="Tâches des sept prochains jours" canChange={p.canChange} /> : <p>Aucune tâche prévue.</p>}
    </AdminPage>
  );
}

const scopes: Array<[MyCandidatesScope, string]> = [
  ['en-cours', 'En cours d’accompagnement'],
  ['installes', 'Installés'],
  ['tous', 'Tous'],
];

export function MyCandidatesPage(p: Frame & { forAgent: AgentRow | null; scope: MyCandidatesScope; rows: MyCandidateView[]; total: number; page: number; pages: number; zone: string; today: string }) {
  const base = (scope: MyCandidatesScope, page = 1) => `/admin/mes-candidats?vue=${scope}${p.forAgent ? `&agent=${p.forAgent.id}` : ''}${page > 1 ? `&page=${page}` : ''}`;
  return (
    <AdminPage {...p} title="Mes candidats" current="todo" wide>
      <h1>{p.forAgent ? `Candidats suivis par ${p.forAgent.name}` : 'Mes candidats'}</h1>
      <nav aria-label="Filtrer les candidats">
        <ul class="pagination">
          {scopes.map(([k, label]) => (
            <li>
              <a href={base(k)} aria-current={p.scope === k ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <p>
        {p.total} foyer{p.total > 1 ? 's' : ''}.
      </p>
      {p.rows.length ? (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Foyers suivis</caption>
            <thead>
              <tr>
                <th scope="col">Foyer</th>
                <th scope="col">Étape</th>
                <th scope="col">Dernière activité</th>
                <th scope="col">Prochaine tâche</th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr>
                  <th scope="row">
                    <a href={`/admin/candidats/${r.id}`}>{r.name}</a>
                  </th>
                  <td>{stageLabel(r.stage)}</td>
                  <td class="nowrap">{r.lastActivityAt ? formatShortDate(r.lastActivityAt, p.zone) : '—'}</td>
                  <td class="nowrap">
                    {r.nextTaskOn ? (
                      <>
                        {formatDay(r.nextTaskOn)}
                        {r.nextTaskOn < p.today ? (
                          <>
                            {' '}
                            <span class="tag tag--red">En retard</span>
                          </>
                        ) : null}
                        {r.openTasks > 1 ? <div class="hint">{r.openTasks} tâches ouvertes</div> : null}
                      </>
                    ) : (
                      'Aucune'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="inset">Aucun foyer ici.</p>
      )}
      {p.pages > 1 ? (
        <nav aria-label="Pages">
          <ul class="pagination">
            {p.page > 1 ? (
              <li>
                <a href={base(p.scope, p.page - 1)} rel="prev">
                  Page précédente
                </a>
              </li>
            ) : null}
            <li>
              Page {p.page} sur {p.pages}
            </li>
            {p.page < p.pages ? (
              <li>
                <a href={base(p.scope, p.page + 1)} rel="next">
                  Page suivante
                </a>
              </li>
            ) : null}
          </ul>
        </nav>
      ) : null}
    </AdminPage>
  );
}
