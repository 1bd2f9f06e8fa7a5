import { Hono } from 'hono';
import { appointmentsAwaitingOutcome } from '../appointments/appointments-repository.ts';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import { AdminPage } from '../../areas/admin/layout.tsx';
import type { Site } from '../../areas/public/layout.tsx';
import { formatDate, formatSlot } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { countByStatus } from '../mailbox/mailbox-repository.ts';
import { registrationCounts } from '../registrations/registrants-query.ts';
import { contentAttention } from '../content/content-base.ts';
import { webinarFromRow, type Webinar } from '../webinars/webinar.ts';
import { openHelpAnswersFor } from '../installations/installations-repository.ts';
import { newRequestsFor } from '../referents/referents-repository.ts';
import { localToday } from '../tasks/task.ts';
import { openTasksDueBy } from '../tasks/tasks-repository.ts';

/** The first page an agent sees: the next Rencontre, the last one, and what needs attention. */
export function dashboardAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const t = s.territory;

  app.get('/', async (c) => {
    const now = s.clock.now();
    const nowIso = now.toISOString();
    const db = s.db.kysely;
    const [nextRow, lastRow, mail, drafts, noLink] = await Promise.all([
      db.selectFrom('webinars').selectAll().where('status', '=', 'published').where('ends_at', '>', nowIso).orderBy('starts_at').limit(1).executeTakeFirst(),
      db.selectFrom('webinars').selectAll().where('status', '=', 'published').where('ends_at', '<=', nowIso).orderBy('starts_at', 'desc').limit(1).executeTakeFirst(),
      countByStatus(db),
      db
        .selectFrom('webinars')
        .select(['id', 'title', 'starts_at'])
        .where('status', '=', 'draft')
        .where('starts_at', '>', nowIso)
        .where('starts_at', '<', new Date(now.getTime() + 45 * 86_400_000).toISOString())
        .orderBy('starts_at')
        .execute(),
      db
        .selectFrom('webinars')
        .select(['id', 'title', 'starts_at'])
        .where('status', '=', 'published')
        .where('join_url', 'is', null)
        .where('starts_at', '>', nowIso)
        .where('starts_at', '<', new Date(now.getTime() + 14 * 86_400_000).toISOString())
        .orderBy('starts_at')
        .execute(),
    ]);
    const requests = await db
      .selectFrom('accompaniment_requests')
      .innerJoin('candidates', 'candidates.id', 'accompaniment_requests.candidate_id')
      .select(['candidates.id', 'candidates.first_name', 'candidates.last_name', 'accompaniment_requests.created_at'])
      .where('accompaniment_requests.status', '=', 'new')
      .orderBy('accompaniment_requests.created_at')
      .limit(10)
      .execute();
    // The agent's own follow-up, first: what "À faire" holds for them today, so that nobody has to
    // think of opening it for a task late, a household given to them or an installed one asking for help.
    const me = c.get('agent');
    const [mine, myTasks, help, awaiting] = await Promise.all([newRequestsFor(db, me.id), openTasksDueBy(db, me.id, localToday(now, t.timezone)), openHelpAnswersFor(db, me.id), appointmentsAwaitingOutcome(db, me.id, now)]);
    const helpTasks = new Set(help.map((h) => h.taskId));
    const dueTasks = myTasks.filter((x) => !helpTasks.has(x.id)).length;
    const todo: Array<{ text: string; href: string }> = [];
    if (mine.length) todo.push({ text: mine.length > 1 ? `${mine.length} nouvelles demandes vous sont confiées` : '1 nouvelle demande vous est confiée', href: '/admin/a-faire' });
    if (dueTasks) todo.push({ text: dueTasks > 1 ? `${dueTasks} tâches en retard ou pour aujourd’hui` : '1 tâche en retard ou pour aujourd’hui', href: '/admin/a-faire' });
    if (awaiting.length) todo.push({ text: awaiting.length > 1 ? `${awaiting.length} rendez-vous passés : dites s’ils ont eu lieu` : '1 rendez-vous passé : dites s’il a eu lieu', href: '/admin/rendez-vous#a-renseigner' });
    if (help.length) todo.push({ text: help.length > 1 ? `${help.length} foyers installés demandent de l’aide dans leur suivi` : '1 foyer installé demande de l’aide dans son suivi', href: '/admin/a-faire#suivis' });
    const next = nextRow ? webinarFromRow(nextRow) : null;
    const last = lastRow ? webinarFromRow(lastRow) : null;
    const [nextCounts, lastCounts] = await Promise.all([next ? registrationCounts(db, next.id) : null, last ? registrationCounts(db, last.id) : null]);
    const attention: Array<{ text: string; href: string }> = [...todo];
    for (const r of requests) attention.push({ text: `Demande d’accompagnement de ${r.first_name} ${r.last_name} (le ${formatDate(r.created_at, t.timezone)})`, href: `/admin/candidats/${r.id}` });
    if (mail.failed) attention.push({ text: `${mail.failed} courriel${mail.failed > 1 ? 's' : ''} en échec à regarder`, href: '/admin/courriels?statut=failed' });
    if (mail.retrying) attention.push({ text: `${mail.retrying} courriel${mail.retrying > 1 ? 's' : ''} en attente d’un nouvel essai`, href: '/admin/courriels?statut=retrying' });
    for (const w of noLink) attention.push({ text: `Pas encore de lien de connexion pour la Rencontre du ${formatDate(w.starts_at, t.timezone)}`, href: `/admin/rencontres/${w.id}/modifier` });
    attention.push(...(await contentAttention(s)));
    for (const w of drafts) attention.push({ text: `Brouillon à publier : ${w.title} (${formatDate(w.starts_at, t.timezone)})`, href: `/admin/rencontres/${w.id}/modifier` });

    const WebinarBlock = ({ w, counts, past }: { w: Webinar; counts: NonNullable<typeof nextCounts>; past: boolean }) => {
      const seats = w.capacity === null ? null : Math.max(0, w.capacity - counts.confirmed);
      const rate = counts.confirmed ? Math.round((100 * counts.attended) / counts.confirmed) : 0;
      return (
        <div class="card">
          <h3>
            <a href={`/admin/rencontres/${w.id}`}>{w.title}</a>
          </h3>
          <p class="meta">{formatSlot(w.startsAt, w.endsAt, t.timezone)}</p>
          <ul class="stats">
            <li>
              <strong>{counts.confirmed}</strong> inscrits
            </li>
            {past ? (
              <li>
                <strong>{counts.attended}</strong> présents ({rate} %)
              </li>
            ) : (
              <>
                <li>
                  <strong>{counts.waitlisted}</strong> en attente
                </li>
                <li>
                  <strong>{seats === null ? 'illimité' : seats}</strong> places restantes
                </li>
              </>
            )}
          </ul>
        </div>
      );
    };

    return sendPage(
      c,
      <AdminPage site={site} agent={c.get('agent')} csrf={c.get('session').csrf_token} title="Tableau de bord" current="dashboard">
        <h1>Bonjour {c.get('agent').name}</h1>
        <h2>À regarder</h2>
        {attention.length ? (
          <ul>
            {attention.map((a) => (
              <li>
                <a href={a.href}>{a.text}</a>
              </li>
            ))}
          </ul>
        ) : (
          <p class="inset">Rien ne demande votre attention pour le moment.</p>
        )}
        <h2>Prochaine Rencontre</h2>
        {next && nextCounts ? (
          <WebinarBlock w={next} counts={nextCounts} past={false} />
        ) : (
          <p class="inset">
            Aucune Rencontre publiée à venir. <a href="/admin/rencontres/planifier">Proposer les prochaines dates</a>
          </p>
        )}
        <h2>Dernière Rencontre</h2>
        {last && lastCounts ? <WebinarBlock w={last} counts={lastCounts} past={true} /> : <p class="inset">Aucune Rencontre passée.</p>}
      </AdminPage>,
    );
  });

  return app;
}
