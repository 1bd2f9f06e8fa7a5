import { Pagination } from '../../platform/views/pagination.tsx';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import { requireRole } from '../../areas/admin/guard.ts';
import { AdminPage } from '../../areas/admin/layout.tsx';
import type { Site } from '../../areas/public/layout.tsx';
import { formatShortDate, zoneLabel } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button, Select } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { listAgents } from '../agents/agents-repository.ts';
import { actionFamilies, actionLabels, actorLabel, AUDIT_PAGE_SIZE, listAuditEntries, detailLabels, detailValues, shortId, subjectHref, subjectLabels, type ActionFamily } from './audit-log.ts';

const filtersSchema = z.object({
  action: z
    .enum(actionFamilies.map((x) => x.key) as [ActionFamily, ...ActionFamily[]])
    .nullable()
    .catch(null)
    .default(null),
  agent: z.string().trim().max(60).catch('').default(''),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

/** The subject of an entry: its kind in French and the start of its id, a link when it has a page. */
function Subject({ type, id }: { type: string | null; id: string | null }) {
  if (!type) return null;
  const label = `${subjectLabels[type] ?? type}${id ? ` ${shortId(id)}` : ''}`;
  const href = id ? subjectHref(type, id) : null;
  return href ? <a href={href}>{label}</a> : <>{label}</>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An entry's details as "key: value" lines; ids shortened, those of a file or a Rencontre linked. */
function Details({ json }: { json: string }) {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return <>{json}</>;
  }
  const entries = Object.entries(details ?? {}).filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (!entries.length) return null;
  return (
    <ul class="details-list">
      {entries.map(([k, v]) => {
        const text = typeof v === 'string' ? (UUID.test(v) ? shortId(v) : (detailValues[v] ?? v)) : JSON.stringify(v);
        const href = typeof v === 'string' && UUID.test(v) ? (k === 'candidateId' ? subjectHref('candidate', v) : k === 'webinarId' ? subjectHref('webinar', v) : null) : null;
        return (
          <li>
            {detailLabels[k] ?? k} : {href ? <a href={href}>{text}</a> : text}
          </li>
        );
      })}
    </ul>
  );
}

/** The journal of who did what, for admins; kept for the configured retention period. */
export function auditAdminRoutes(s: Services, site: Site, opts: { retentionDays: number }) {
  const app = new Hono<AdminEnv>();
  // Mounted at /admin/journal, for admins only.
  app.use('*', requireRole(s, 'admin'));
  const t = s.territory;
  const time = new Intl.DateTimeFormat('fr-FR', { timeZone: t.timezone, hour: '2-digit', minute: '2-digit', second: '2-digit' });

  app.get('/', async (c) => {
    const f = filtersSchema.parse(c.req.query());
    const [{ rows, total }, agents] = await Promise.all([listAuditEntries(s.db.kysely, { family: f.action, actor: f.agent, page: f.page }), listAgents(s.db.kysely)]);
    const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
    const link = (page: number) => `/admin/journal?${new URLSearchParams({ ...(f.action ? { action: f.action } : {}), ...(f.agent ? { agent: f.agent } : {}), page: String(page) })}`;
    return sendPage(
      c,
      <AdminPage site={site} agent={c.get('agent')} csrf={c.get('session').csrf_token} title="Journal" current="audit" wide>
        <h1>Journal des actions</h1>
        <p>
          Qui a fait quoi, et quand ({zoneLabel(t.timezone)}). Les entrées sont gardées {opts.retentionDays} jours. Aucun mot de passe, lien personnel ni contenu de message n’y figure.
        </p>
        <form method="get" action="/admin/journal" class="filters" role="search" aria-label="Filtrer le journal">
          <Select name="action" label="Type d’action" placeholder="Toutes" value={f.action} options={actionFamilies.map((x) => ({ value: x.key, label: x.label }))} />
          <Select name="agent" label="Agent" placeholder="Tous" value={f.agent} options={agents.map((a) => ({ value: a.id, label: a.name }))} />
          <div class="form-group">
            <Button variant="secondary">Filtrer</Button>
          </div>
        </form>
        <p role="status">{total === 0 ? 'Aucune entrée.' : `${total} entrée${total > 1 ? 's' : ''}.`}</p>
        {rows.length ? (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Journal des actions</caption>
              <thead>
                <tr>
                  <th scope="col">Quand</th>
                  <th scope="col">Qui</th>
                  <th scope="col">Action</th>
                  <th scope="col">Objet</th>
                  <th scope="col">Détails</th>
                  <th scope="col">Adresse IP</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr>
                    <td class="nowrap">
                      {formatShortDate(r.at, t.timezone)} {time.format(new Date(r.at))}
                    </td>
                    <td>{actorLabel(r)}</td>
                    <td>{actionLabels[r.action] ?? r.action}</td>
                    <td>
                      <Subject type={r.subject_type} id={r.subject_id} />
                    </td>
                    <td>
                      <Details json={r.details} />
                    </td>
                    <td>{r.ip ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pagination page={f.page} pages={pages} href={link} label="Pages du journal" />
      </AdminPage>,
    );
  });

  return app;
}
