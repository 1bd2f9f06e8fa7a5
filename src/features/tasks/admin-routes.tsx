import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import type { Site } from '../../areas/public/layout.tsx';
import { recordAudit } from '../../platform/audit/audit.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import { DomainError, Forbidden, NotFound } from '../../platform/http/errors.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { closeTask, createTask, updateTask } from './manage-tasks.ts';
import { canChangeTask, localToday, taskErrors, taskFormSchema } from './task.ts';
import { findTask, tasksOfAgent } from './tasks-repository.ts';
import { CancelTaskPage, TaskFormPage, TaskListPage } from './views/task-pages.tsx';

const SUBMISSION = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const taskFlash: Record<string, string> = {
  tache: 'La tâche est enregistrée.',
  faite: 'La tâche est marquée comme faite.',
  annulee: 'La tâche est annulée.',
};

/** Where to go back after a task action: a page of the back-office, never another site. */
export function safeReturn(raw: string | undefined, fallback: string): string {
  return raw && /^\/admin(\/[A-Za-z0-9/_.?=&%#-]*)?$/.test(raw) && !raw.startsWith('//') ? raw : fallback;
}

/** Appends a flash key to a back-office address. */
export function withFlash(path: string, key: string): string {
  const [p, hash] = path.split('#');
  return `${p}${p!.includes('?') ? '&' : '?'}ok=${key}${hash ? `#${hash}` : ''}`;
}

/** Referents' tasks in the back-office: write one (from a file or on its own), change it, mark it done, cancel it. */
export function taskAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const frame = (c: Context<AdminEnv>) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token, flash: taskFlash[c.req.query('ok') ?? ''] ?? null });
  const ip = (c: Context<AdminEnv>) => clientIp(c, s.config.trustProxy);
  const today = () => localToday(s.clock.now(), s.territory.timezone);
  const activeAgents = () => s.db.kysely.selectFrom('agents').selectAll().where('status', '=', 'active').orderBy('name').execute();

  const forbidden = async (c: Context<AdminEnv>, message: string) => {
    await recordAudit(s.db.kysely, s.clock.now(), { type: 'agent', id: c.get('agent').id, ip: ip(c) }, 'security.forbidden', null, { path: c.req.path, method: c.req.method });
    throw new Forbidden(message);
  };

  const loadCandidate = async (id: string) => {
    const p = await s.db.kysely.selectFrom('candidates').select(['id', 'first_name', 'last_name', 'referent_id']).where('id', '=', id).executeTakeFirst();
    if (!p) throw new NotFound('Dossier introuvable');
    return p;
  };

  const formPage = async (c: Context<AdminEnv>, o: { heading: string; action: string; values: Record<string, string>; errors: FieldErrors; candidate: { id: string; name: string } | null; retour: string; submitLabel: string; submission?: string }, status: 200 | 409 | 422 = 200) =>
    sendPage(c, <TaskFormPage {...frame(c)} {...o} agents={await activeAgents()} />, status);

  app.get('/taches', async (c) => {
    const me = c.get('agent');
    const view = c.req.query('vue') === 'terminees' ? 'closed' : 'open';
    // An admin may look at a colleague's tasks; a referent sees their own.
    const whoId = c.req.query('agent') ?? me.id;
    if (whoId !== me.id && me.role !== 'admin') await forbidden(c, 'Seul un administrateur peut voir les tâches d’un autre agent.');
    const who = whoId === me.id ? me : await s.db.kysely.selectFrom('agents').selectAll().where('id', '=', whoId).executeTakeFirst();
    if (!who) throw new NotFound('Agent introuvable');
    const list = await tasksOfAgent(s.db.kysely, who.id, view, Number.parseInt(c.req.query('page') ?? '1', 10));
    return sendPage(c, <TaskListPage {...frame(c)} tasks={list.rows} page={list.page} pages={list.pages} today={today()} view={view} canChange={(t) => canChangeTask(me, t)} forName={who.id === me.id ? null : who.name} forId={who.id === me.id ? null : who.id} />);
  });

  const newTask = async (c: Context<AdminEnv>, candidateId: string | null) => {
    const person = candidateId ? await loadCandidate(candidateId) : null;
    const fallback = person ? `/admin/candidats/${person.id}` : '/admin/a-faire';
    const retour = safeReturn(c.req.query('retour') ?? c.get('form').retour, fallback);
    const action = person ? `/admin/candidats/${person.id}/taches/nouvelle` : '/admin/taches/nouvelle';
    const candidate = person ? { id: person.id, name: `${person.first_name} ${person.last_name}` } : null;
    const heading = person ? `Nouvelle tâche pour ${candidate!.name}` : 'Nouvelle tâche';
    const me = c.get('agent');
    if (c.req.method === 'GET') {
      // By default the task goes to the household's referent, or to whoever writes it.
      const agents = await activeAgents();
      const assigneeId = person?.referent_id && agents.some((a) => a.id === person.referent_id) ? person.referent_id : me.id;
      return formPage(c, { heading, action, values: { assigneeId, dueOn: today() }, errors: {}, candidate, retour, submitLabel: 'Enregistrer la tâche', submission: randomUUID() });
    }
    const body = c.get('form');
    // The form's own key: sent twice (a double click), it makes one task.
    const submission = SUBMISSION.test(body.submission ?? '') ? body.submission! : randomUUID();
    const again = { heading, action, values: body, candidate, retour, submitLabel: 'Enregistrer la tâche', submission };
    const parsed = taskFormSchema(today()).safeParse(body);
    if (!parsed.success) return formPage(c, { ...again, errors: taskErrors(parsed.error) }, 422);
    try {
      await createTask(s, { taskId: submission, candidateId: person?.id ?? null, form: parsed.data, by: me, ip: ip(c) });
    } catch (e) {
      if (e instanceof DomainError && e.code === 'assignee-inactive') return formPage(c, { ...again, errors: { assigneeId: e.message } }, 422);
      throw e;
    }
    return c.redirect(withFlash(retour, 'tache'), 303);
  };
  app.get('/taches/nouvelle', (c) => newTask(c, null));
  app.post('/taches/nouvelle', (c) => newTask(c, null));
  app.get('/candidats/:id/taches/nouvelle', (c) => newTask(c, c.req.param('id')));
  app.post('/candidats/:id/taches/nouvelle', (c) => newTask(c, c.req.param('id')));

  const loadChangeable = async (c: Context<AdminEnv>) => {
    const task = await findTask(s.db.kysely, c.req.param('id') ?? '');
    if (!task) throw new NotFound('Tâche introuvable');
    if (!canChangeTask(c.get('agent'), task)) await forbidden(c, 'Cette tâche est celle d’un autre agent : seul·e cet agent, son auteur ou un administrateur peut la changer.');
    return task;
  };

  const editTask = async (c: Context<AdminEnv>) => {
    const task = await loadChangeable(c);
    const retour = safeReturn(c.req.query('retour') ?? c.get('form').retour, '/admin/a-faire');
    if (task.status !== 'open') return c.redirect(retour, 303);
    const o = { heading: `Modifier la tâche`, action: `/admin/taches/${task.id}/modifier`, candidate: task.candidate_id ? { id: task.candidate_id, name: task.candidateName ?? '' } : null, retour, submitLabel: 'Enregistrer les modifications' };
    if (c.req.method === 'GET') return formPage(c, { ...o, values: { title: task.title, dueOn: task.due_on, assigneeId: task.assignee_id }, errors: {} });
    const body = c.get('form');
    const parsed = taskFormSchema(today(), task.due_on).safeParse(body);
    if (!parsed.success) return formPage(c, { ...o, values: body, errors: taskErrors(parsed.error) }, 422);
    try {
      await updateTask(s, { taskId: task.id, form: parsed.data, by: c.get('agent'), ip: ip(c) });
    } catch (e) {
      if (e instanceof DomainError && e.code === 'assignee-inactive') return formPage(c, { ...o, values: body, errors: { assigneeId: e.message } }, 422);
      throw e;
    }
    return c.redirect(withFlash(retour, 'tache'), 303);
  };
  app.get('/taches/:id/modifier', editTask);
  app.post('/taches/:id/modifier', editTask);

  app.post('/taches/:id/faite', async (c) => {
    const task = await loadChangeable(c);
    await closeTask(s, { taskId: task.id, to: 'done', by: c.get('agent'), ip: ip(c) });
    return c.redirect(withFlash(safeReturn(c.get('form').retour, '/admin/a-faire'), 'faite'), 303);
  });

  app.get('/taches/:id/annuler', async (c) => {
    const task = await loadChangeable(c);
    const retour = safeReturn(c.req.query('retour'), '/admin/a-faire');
    if (task.status !== 'open') return c.redirect(retour, 303);
    return sendPage(c, <CancelTaskPage {...frame(c)} task={task} retour={retour} />);
  });
  app.post('/taches/:id/annuler', async (c) => {
    const task = await loadChangeable(c);
    await closeTask(s, { taskId: task.id, to: 'cancelled', by: c.get('agent'), ip: ip(c) });
    return c.redirect(withFlash(safeReturn(c.get('form').retour, '/admin/a-faire'), 'annulee'), 303);
  });

  return app;
}
