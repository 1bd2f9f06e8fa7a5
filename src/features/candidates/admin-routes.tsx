import { Hono } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import { AdminPage } from '../../areas/admin/layout.tsx';
import type { Site } from '../../areas/public/layout.tsx';
import { NotFound } from '../../platform/http/errors.ts';
import { formatShortDate, formatTime } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { households, horizons, labelOf, projects, statusLabels } from '../registrations/registration.ts';
import { regionLabel } from '../territory/territory.ts';
import { movers, needs } from '../accompaniment/accompaniment.ts';
import { mailStatusLabels } from '../mailbox/mailbox-repository.ts';
import { findCandidateById } from './candidates-repository.ts';


/** The person behind a registration: who they are, their Rencontres, the e-mails they were sent. */
export function candidateAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();

  app.get('/candidats/:id', async (c) => {
    const person = await findCandidateById(s.db.kysely, c.req.param('id'));
    if (!person) throw new NotFound('Personne introuvable');
    const t = s.territory;
    const [registrations, mails, requests] = await Promise.all([
      s.db.kysely
        .selectFrom('registrations')
        .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
        .select(['registrations.id', 'registrations.status', 'registrations.created_at', 'registrations.attended', 'registrations.attended_minutes', 'registrations.question', 'webinars.id as webinarId', 'webinars.title', 'webinars.starts_at'])
        .where('registrations.candidate_id', '=', person.id)
        .orderBy('webinars.starts_at', 'desc')
        .execute(),
      s.db.kysely.selectFrom('outbox_messages').select(['id', 'subject', 'status', 'created_at', 'sent_at']).where('candidate_id', '=', person.id).orderBy('created_at', 'desc').limit(50).execute(),
      s.db.kysely.selectFrom('accompaniment_requests').selectAll().where('candidate_id', '=', person.id).orderBy('created_at', 'desc').execute(),
    ]);
    const name = `${person.first_name} ${person.last_name}`;
    return sendPage(
      c,
      <AdminPage site={site} agent={c.get('agent')} csrf={c.get('session').csrf_token} title={name} current="webinars">
        <h1>{name}</h1>
        <dl class="summary-list">
          <div>
            <dt>E-mail</dt>
            <dd>{person.email}</dd>
          </div>
          <div>
            <dt>Téléphone</dt>
            <dd>{person.phone ?? 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Lieu de vie actuel</dt>
            <dd>{[person.postcode, person.town, person.country].filter(Boolean).join(' ') || 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Projet</dt>
            <dd>{labelOf(projects, person.project) ?? 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Foyer</dt>
            <dd>{labelOf(households, person.household) ?? 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Horizon</dt>
            <dd>{labelOf(horizons, person.horizon) ?? 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Région envisagée</dt>
            <dd>{regionLabel(t, person.desired_region) ?? 'Non renseignée'}</dd>
          </div>
          <div>
            <dt>Première source</dt>
            <dd>{person.first_source ?? 'Aucune'}</dd>
          </div>
          <div>
            <dt>Nouvelles des Rencontres</dt>
            <dd>{person.news_opt_in ? `Oui, depuis le ${formatShortDate(person.news_opt_in_at ?? person.created_at, t.timezone)}` : 'Non'}</dd>
          </div>
        </dl>
        {requests.length ? (
          <>
            <h2>Demandes d’accompagnement</h2>
            {requests.map((r) => (
              <div class="card card--accent">
                <p class="meta">
                  Le {formatShortDate(r.created_at, t.timezone)} · {labelOf(horizons, r.horizon)} · {labelOf(movers, r.movers)}
                </p>
                <p>{r.project}</p>
                <p>Aide souhaitée : {(JSON.parse(r.needs) as string[]).map((n) => labelOf(needs, n)).join(', ') || 'non précisée'}</p>
                {r.message ? <p>Message : {r.message}</p> : null}
              </div>
            ))}
          </>
        ) : null}
        <h2>Rencontres</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Rencontre</th>
                <th scope="col">Inscription</th>
                <th scope="col">Présence</th>
                <th scope="col">Question</th>
              </tr>
            </thead>
            <tbody>
              {registrations.map((r) => (
                <tr>
                  <td>
                    <a href={`/admin/rencontres/${r.webinarId}`}>{r.title}</a>
                    <div class="meta">{formatShortDate(r.starts_at, t.timezone)}</div>
                  </td>
                  <td>
                    {statusLabels[r.status]}
                    <div class="meta">le {formatShortDate(r.created_at, t.timezone)}</div>
                  </td>
                  <td>{r.attended === null ? '–' : r.attended ? `présent·e, ${r.attended_minutes ?? 0} min` : 'absent·e'}</td>
                  <td>{r.question ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h2>E-mails</h2>
        {mails.length === 0 ? (
          <p class="inset">Aucun e-mail.</p>
        ) : (
          <ul>
            {mails.map((m) => (
              <li>
                <a href={`/admin/courriels/${m.id}`}>{m.subject}</a> – {mailStatusLabels[m.status].toLowerCase()}, {formatShortDate(m.sent_at ?? m.created_at, t.timezone)} {formatTime(m.sent_at ?? m.created_at, t.timezone)}
              </li>
            ))}
          </ul>
        )}
      </AdminPage>,
    );
  });

  return app;
}
