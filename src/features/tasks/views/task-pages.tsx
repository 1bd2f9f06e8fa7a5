import { AdminPage, type AdminPageProps } from '../../../areas/admin/layout.tsx';
import type { AgentRow } from '../../../platform/db/schema.ts';
import { Button, ErrorSummary, HiddenFields, Select, TextInput, type FieldErrors } from '../../../platform/views/form-kit.tsx';
import { Pagination } from '../../../platform/views/pagination.tsx';
import { formatShortDate } from '../../../platform/time.ts';
import { formatDay, taskFieldOrder, taskStatusLabels, TITLE_MAX } from '../task.ts';
import type { TaskView } from '../tasks-repository.ts';

type Frame = Omit<AdminPageProps, 'children' | 'title' | 'current'>;

const statusTag = { open: 'tag', done: 'tag tag--green', cancelled: 'tag tag--grey' } as const;

/** When a task is due, as the lists say it: late ones stand out in words, not only in colour. */
export function DueCell({ task, today }: { task: Pick<TaskView, 'due_on' | 'status'>; today: string }) {
  const late = task.status === 'open' && task.due_on < today;
  return (
    <span class="nowrap">
      {formatDay(task.due_on)}
      {late ? (
        <>
          {' '}
          <span class="tag tag--red">En retard</span>
        </>
      ) : task.status === 'open' && task.due_on === today ? (
        <>
          {' '}
          <span class="tag tag--warning">Aujourd’hui</span>
        </>
      ) : null}
    </span>
  );
}

/** A table of tasks with what the agent may do on each: done (one click), change, cancel (confirmed). */
export function TaskTable(p: { tasks: TaskView[]; today: string; zone: string; csrf: string; retour: string; caption: string; canChange: (t: TaskView) => boolean; showAssignee?: boolean; showFile?: boolean }) {
  const showFile = p.showFile ?? true;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{p.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Pour le</th>
            <th scope="col">Tâche</th>
            {showFile ? <th scope="col">Dossier</th> : null}
            {p.showAssignee ? <th scope="col">Agent</th> : null}
            <th scope="col">État</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {p.tasks.map((t) => (
            <tr>
              <td>
                <DueCell task={t} today={p.today} />
              </td>
              <th scope="row">{t.title}</th>
              {showFile ? <td>{t.candidate_id ? <a href={`/admin/candidats/${t.candidate_id}`}>{t.candidateName}</a> : '—'}</td> : null}
              {p.showAssignee ? <td>{t.assigneeName}</td> : null}
              <td>
                <span class={statusTag[t.status]}>{taskStatusLabels[t.status]}</span>
              </td>
              <td class="actions-cell">
                {t.status === 'open' && p.canChange(t) ? (
                  <>
                    <form method="post" action={`/admin/taches/${t.id}/faite`}>
                      <HiddenFields fields={{ _csrf: p.csrf, retour: p.retour }} />
                      <button type="submit" class="link-button">
                        Marquer comme faite<span class="visually-hidden"> : {t.title}</span>
                      </button>
                    </form>
                    <br />
                    <a href={`/admin/taches/${t.id}/modifier?retour=${encodeURIComponent(p.retour)}`}>
                      Modifier<span class="visually-hidden"> : {t.title}</span>
                    </a>
                    <br />
                    <a href={`/admin/taches/${t.id}/annuler?retour=${encodeURIComponent(p.retour)}`}>
                      Annuler<span class="visually-hidden"> : {t.title}</span>
                    </a>
                  </>
                ) : t.status === 'open' ? (
                  'Tâche d’un autre agent'
                ) : t.done_at ? (
                  // The day in the territory's zone: the first characters of the UTC instant are the day before for an hour each night.
                  `Faite le ${formatShortDate(t.done_at, p.zone)}`
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TaskFormPage(
  p: Frame & {
    heading: string;
    action: string;
    values: Record<string, string>;
    errors: FieldErrors;
    agents: AgentRow[];
    candidate: { id: string; name: string } | null;
    retour: string;
    submitLabel: string;
    /** The key that makes a new task's form count once, however many times it is sent. */
    submission?: string;
  },
) {
  return (
    <AdminPage {...p} title={p.heading} current="todo" hasError={Object.keys(p.errors).length > 0} trail={p.candidate ? [['Dossier de ' + p.candidate.name, `/admin/candidats/${p.candidate.id}`]] : [['À faire', '/admin/a-faire']]}>
      <h1>{p.heading}</h1>
      {p.candidate ? (
        <p class="lead">
          Pour le dossier de <a href={`/admin/candidats/${p.candidate.id}`}>{p.candidate.name}</a>.
        </p>
      ) : null}
      <form method="post" action={p.action} novalidate>
        <ErrorSummary errors={p.errors} order={taskFieldOrder} />
        <HiddenFields fields={{ _csrf: p.csrf, retour: p.retour, submission: p.submission }} />
        <TextInput name="title" label="Tâche" hint="Par exemple : « Rappeler le 12 », « Envoyer les offres de reprise ». N’y notez pas d’information sur la santé ni d’autre donnée sensible." value={p.values.title} errors={p.errors} maxlength={TITLE_MAX} autocomplete="off" />
        <TextInput name="dueOn" type="date" label="À faire le" hint="Par exemple : 12/01/2027. Un rappel part par e-mail ce matin-là." value={p.values.dueOn} errors={p.errors} width="quarter" />
        <Select name="assigneeId" label="Par" value={p.values.assigneeId} errors={p.errors} options={p.agents.map((a) => ({ value: a.id, label: a.name }))} />
        <div class="button-row">
          <Button>{p.submitLabel}</Button>
          <a href={p.retour}>Revenir sans enregistrer</a>
        </div>
      </form>
    </AdminPage>
  );
}

/** The address of a page of the tasks list: which tasks, whose (an admin looking at a colleague's), which page. */
function listHref(view: 'open' | 'closed', forId: string | null, page = 1): string {
  const q = new URLSearchParams();
  if (forId) q.set('agent', forId);
  if (view === 'closed') q.set('vue', 'terminees');
  if (page > 1) q.set('page', String(page));
  const qs = q.toString();
  return qs ? `/admin/taches?${qs}` : '/admin/taches';
}

export function TaskListPage(p: Frame & { tasks: TaskView[]; page: number; pages: number; today: string; view: 'open' | 'closed'; canChange: (t: TaskView) => boolean; forName: string | null; forId: string | null }) {
  const retour = listHref(p.view, p.forId, p.page);
  // The window's title says the page's heading, then which tasks: a colleague's are not taken for one's own.
  const heading = p.forName ? `Tâches de ${p.forName}` : 'Mes tâches';
  return (
    <AdminPage {...p} title={`${heading} : ${p.view === 'open' ? 'à faire' : 'faites ou annulées'}`} current="todo" wide trail={[['À faire', '/admin/a-faire']]}>
      <h1>{heading}</h1>
      <div class="button-row">
        <a class="button button--primary" href="/admin/taches/nouvelle">
          Nouvelle tâche
        </a>
      </div>
      <nav aria-label="Filtrer les tâches">
        <ul class="pagination">
          <li>
            <a href={listHref('open', p.forId)} aria-current={p.view === 'open' ? 'page' : undefined}>
              À faire
            </a>
          </li>
          <li>
            <a href={listHref('closed', p.forId)} aria-current={p.view === 'closed' ? 'page' : undefined}>
              Faites ou annulées
            </a>
          </li>
        </ul>
      </nav>
      {p.tasks.length ? (
        <TaskTable tasks={p.tasks} today={p.today} zone={p.site.territory.timezone} csrf={p.csrf} retour={retour} caption={p.view === 'open' ? 'Tâches à faire' : 'Tâches faites ou annulées'} canChange={p.canChange} showAssignee />
      ) : (
        <p class="inset">{p.view === 'open' ? 'Aucune tâche à faire.' : 'Aucune tâche faite ou annulée.'}</p>
      )}
      <Pagination page={p.page} pages={p.pages} href={(n) => listHref(p.view, p.forId, n)} label={p.view === 'open' ? 'Pages des tâches à faire' : 'Pages des tâches faites ou annulées'} />
    </AdminPage>
  );
}

export function CancelTaskPage(p: Frame & { task: TaskView; retour: string }) {
  return (
    <AdminPage {...p} title="Annuler la tâche ?" current="todo" trail={[['À faire', '/admin/a-faire']]}>
      <h1>Annuler la tâche « {p.task.title} » ?</h1>
      <p>
        Elle était prévue le {formatDay(p.task.due_on, 'long')}
        {p.task.candidateName ? `, pour le dossier de ${p.task.candidateName}` : ''}. Elle restera visible comme annulée et aucun rappel ne sera plus envoyé.
      </p>
      <form method="post" action={`/admin/taches/${p.task.id}/annuler`}>
        <HiddenFields fields={{ _csrf: p.csrf, retour: p.retour }} />
        <div class="button-row">
          <Button variant="warning">Oui, annuler la tâche</Button>
          <a href={p.retour}>Non, la garder</a>
        </div>
      </form>
    </AdminPage>
  );
}
