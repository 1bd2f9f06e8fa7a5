import { Hono, type Context } from 'hono';
import { DateTime } from 'luxon';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import type { Site } from '../../areas/public/layout.tsx';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { AgentRow } from '../../platform/db/schema.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import { Forbidden, NotFound } from '../../platform/http/errors.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { bookedAppointmentsOf } from '../appointments/appointments-repository.ts';
import { openHelpAnswersFor } from '../installations/installations-repository.ts';
import { canChangeTask, localToday } from '../tasks/task.ts';
import { openTasksDueBy } from '../tasks/tasks-repository.ts';
import { acknowledgeAssignment } from './assign-referent.ts';
import { candidatesOf, newRequestsFor, type MyCandidatesScope } from './referents-repository.ts';
import { MyCandidatesPage, TodoPage } from './views/referent-pages.tsx';

const PAGE_SIZE = 50;

const flash: Record<string, string> = {
  pris: 'C’est noté : la demande est à vous.',
  tache: 'La tâche est enregistrée.',
  faite: 'La tâche est marquée comme faite.',
  annulee: 'La tâche est annulée.',
};

/** A referent's own view of the work: "à faire" and "mes candidats" (the file's own page changes its referent, with reassignReferent). */
export function referentAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const zone = s.territory.timezone;
  const frame = (c: Context<AdminEnv>) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token, flash: flash[c.req.query('ok') ?? ''] ?? null });
  const ip = (c: Context<AdminEnv>) => clientIp(c, s.config.trustProxy);
  const forbidden = async (c: Context<AdminEnv>, message: string): Promise<never> => {
    await recordAudit(s.db.kysely, s.clock.now(), { type: 'agent', id: c.get('agent').id, ip: ip(c) }, 'security.forbidden', null, { path: c.req.path, method: c.req.method });
    throw new Forbidden(message);
  };

  /** Whose list: one's own, or (for an admin) a colleague's given by ?agent=. */
  const whose = async (c: Context<AdminEnv>): Promise<{ who: AgentRow; other: boolean }> => {
    const me = c.get('agent');
    const id = c.req.query('agent');
    if (!id || id === me.id) return { who: me, other: false };
    if (me.role !== 'admin') return forbidden(c, 'Seul un administrateur peut voir la liste d’un autre agent.');
    const who = await s.db.kysely.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!who) throw new NotFound('Agent introuvable');
    return { who, other: true };
  };

  app.get('/a-faire', async (c) => {
    const { who, other } = await whose(c);
    const now = s.clock.now();
    const today = localToday(now, zone);
    const inAWeek = DateTime.fromISO(today).plus({ days: 7 }).toISODate()!;
    const db = s.db.kysely;
    const [requests, tasks, help, appointments] = await Promise.all([
      newRequestsFor(db, who.id),
      openTasksDueBy(db, who.id, inAWeek),
      openHelpAnswersFor(db, who.id),
      bookedAppointmentsOf(db, who.id, now.toISOString(), new Date(now.getTime() + 7 * 86_400_000).toISOString()),
    ]);
    // A task answering a follow-up shows with its answer, not twice.
    const helpTasks = new Set(help.map((h) => h.taskId));
    const listed = tasks.filter((t) => !helpTasks.has(t.id));
    const me = c.get('agent');
    return sendPage(
      c,
      <TodoPage
        {...frame(c)}
        forAgent={other ? who : null}
        today={today}
        zone={zone}
        requests={requests}
        late={listed.filter((t) => t.due_on < today)}
        dueToday={listed.filter((t) => t.due_on === today)}
        soon={listed.filter((t) => t.due_on > today)}
        help={help}
        appointments={appointments}
        canChange={(t) => !other && canChangeTask(me, t)}
      />,
    );
  });

  app.post('/a-faire/demandes/:id', async (c) => {
    await acknowledgeAssignment(s, { assignmentId: c.req.param('id'), by: c.get('agent'), ip: ip(c) });
    return c.redirect('/admin/a-faire?ok=pris', 303);
  });

  app.get('/mes-candidats', async (c) => {
    const { who, other } = await whose(c);
    const scope = (['en-cours', 'installes', 'tous'] as const).find((v) => v === c.req.query('vue')) ?? 'en-cours';
    const page = Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1);
    const { rows, total } = await candidatesOf(s.db.kysely, who.id, scope as MyCandidatesScope, page, PAGE_SIZE);
    return sendPage(c, <MyCandidatesPage {...frame(c)} forAgent={other ? who : null} scope={scope} rows={rows} total={total} page={page} pages={Math.max(1, Math.ceil(total / PAGE_SIZE))} zone={zone} today={localToday(s.clock.now(), zone)} />);
  });

  return app;
}
