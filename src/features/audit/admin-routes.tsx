import { Pagination } from '../../platform/views/pagination.tsx';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import { requireRole } from '../../areas/admin/guard.ts';
import { AdminPage } from '../../areas/admin/layout.tsx';
import type { Site } from '../../areas/public/layout.tsx';
import { formatShortDate, zoneLabel } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { listAgents } from '../agents/agents-repository.ts';
import { actionFamilies, actionLabels, actorLabel, AUDIT_PAGE_SIZE, listAuditEntries, subjectHref, subjectLabels, type ActionFamily } from './audit-log.ts';

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
  const label = `${subjectLabels[type] ?? type}${id ? ` ${id.slice(0, 8)}` : ''}`;
  const href = id ? subjectHref(type, id) : null;
  return href ? <a href={href}>{label}</a> : <>{label}</>;
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
          <div class="form-group">
            <label class="label" for="f-action">
              Type d’action
            </label>
            <select class="select" id="f-action" name="action">
              <option value="">Toutes</option>
              {actionFamilies.map((x) => (
                <option value={x.key} selected={f.action === x.key}>
                  {x.label}
                </option>
              ))}
            </select>
          </div>
          <div class="form-group">
            <label class="label" for="f-agent">
              Agent
            </label>
            <select class="select" id="f-agent" name="agent">
              <option value="">Tous</option>
              {agents.map((a) => (
                <option value={a.id} selected={f.agent === a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </div>
          <div class="form-group">
            <button class="button button--secondary" type="submit">
              Filtrer
            </button>
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
                      <code>{r.details === '{}' ? '' : r.details}</code>
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
