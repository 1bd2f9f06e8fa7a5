import { Pagination } from '../../platform/views/pagination.tsx';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import { AdminPage } from '../../areas/admin/layout.tsx';
import type { Site } from '../../areas/public/layout.tsx';
import { clientIp } from '../../platform/http/client-ip.ts';
import { NotFound } from '../../platform/http/errors.ts';
import { formatShortDate, formatTime } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button, HiddenFields, Select, TextInput } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { countByStatus, findMessage, listMessages, MAILBOX_PAGE_SIZE, mailStatusLabels, type MailStatus } from './mailbox-repository.ts';
import { resendMessage } from './resend-message.ts';

const filtersSchema = z.object({
  statut: z.enum(['', 'queued', 'sending', 'sent', 'retrying', 'failed', 'cancelled']).catch('').default(''),
  q: z.string().trim().max(100).catch('').default(''),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

const statusTag: Record<MailStatus, string> = { queued: 'tag tag--grey', sending: 'tag tag--grey', sent: 'tag tag--green', retrying: 'tag tag--warning', failed: 'tag tag--red', cancelled: 'tag tag--grey' };

/** The mailbox: every message the platform sent or will send, readable as the recipient sees it. */
export function mailboxAdminRoutes(s: Services, site: Site, opts: { smtpConfigured: boolean }) {
  const app = new Hono<AdminEnv>();
  const frame = (c: Context<AdminEnv>) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token });
  const t = s.territory;
  const when = (iso: string) => `${formatShortDate(iso, t.timezone)} ${formatTime(iso, t.timezone)}`;

  app.get('/courriels', async (c) => {
    const f = filtersSchema.parse(c.req.query());
    const [{ rows, total }, counts] = await Promise.all([listMessages(s.db.kysely, { status: f.statut, q: f.q, page: f.page }), countByStatus(s.db.kysely)]);
    const pages = Math.max(1, Math.ceil(total / MAILBOX_PAGE_SIZE));
    const link = (over: Partial<typeof f>) => {
      const m = { ...f, ...over };
      const p = new URLSearchParams();
      if (m.statut) p.set('statut', m.statut);
      if (m.q) p.set('q', m.q);
      if (m.page > 1) p.set('page', String(m.page));
      const qs = p.toString();
      return `/admin/courriels${qs ? `?${qs}` : ''}`;
    };
    const flash = c.req.query('ok') === 'renvoye' ? 'Le message est remis dans la file d’envoi.' : null;
    return sendPage(
      c,
      <AdminPage {...frame(c)} title="Courriels" current="mailbox" wide flash={flash}>
        <h1>Courriels</h1>
        {opts.smtpConfigured ? (
          <p>Les messages partent par le serveur SMTP configuré. Ceux en échec définitif peuvent être renvoyés.</p>
        ) : (
          <p class="notice">Aucun serveur SMTP n’est configuré (variable SMTP_URL) : les messages ne quittent pas la plateforme et se lisent ici.</p>
        )}
        <ul class="stats">
          {(Object.keys(mailStatusLabels) as MailStatus[]).map((st) => (
            <li>
              <strong>{counts[st]}</strong> <a href={link({ statut: st, page: 1 })}>{mailStatusLabels[st].toLowerCase()}</a>
            </li>
          ))}
        </ul>
        <form method="get" action="/admin/courriels" class="filters" role="search" aria-label="Filtrer les courriels">
          <TextInput name="q" type="search" label="Destinataire ou objet" value={f.q} width="half" />
          <Select name="statut" label="Statut" placeholder="Tous" value={f.statut} options={(Object.keys(mailStatusLabels) as MailStatus[]).map((st) => ({ value: st, label: mailStatusLabels[st] }))} />
          <div class="form-group">
            <Button variant="secondary">Filtrer</Button>
          </div>
        </form>
        <p role="status">{total === 0 ? 'Aucun message.' : `${total} message${total > 1 ? 's' : ''}.`}</p>
        {rows.length ? (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Courriels</caption>
              <thead>
                <tr>
                  <th scope="col">Créé le</th>
                  <th scope="col">Destinataire</th>
                  <th scope="col">Objet</th>
                  <th scope="col">Statut</th>
                  <th scope="col">Dernière erreur</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((m) => (
                  <tr>
                    <td class="nowrap">{when(m.created_at)}</td>
                    <td>{m.to_address}</td>
                    <td>
                      <a href={`/admin/courriels/${m.id}`}>{m.subject}</a>
                    </td>
                    <td>
                      <span class={statusTag[m.status]}>{mailStatusLabels[m.status]}</span>
                      {m.status === 'retrying' ? <div class="meta">vers {formatTime(m.run_after, t.timezone)}</div> : null}
                    </td>
                    <td>{m.last_error ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pagination page={f.page} pages={pages} href={(n) => link({ page: n })} label="Pages des courriels" />
      </AdminPage>,
    );
  });

  const load = async (id: string) => {
    const m = await findMessage(s.db.kysely, id);
    if (!m) throw new NotFound('Message introuvable');
    return m;
  };

  app.get('/courriels/:id', async (c) => {
    const m = await load(c.req.param('id'));
    const attachments = JSON.parse(m.attachments) as Array<{ filename: string; contentType: string }>;
    return sendPage(
      c,
      <AdminPage {...frame(c)} title={m.subject} current="mailbox" trail={[['Courriels', '/admin/courriels']]}>
        <h1>{m.subject}</h1>
        <dl class="summary-list">
          <div>
            <dt>Destinataire</dt>
            <dd>{m.to_address}</dd>
          </div>
          <div>
            <dt>Statut</dt>
            <dd>
              <span class={statusTag[m.status]}>{mailStatusLabels[m.status]}</span> {m.sent_at ? `le ${when(m.sent_at)}` : ''}
            </dd>
          </div>
          <div>
            <dt>Créé le</dt>
            <dd>{when(m.created_at)}</dd>
          </div>
          <div>
            <dt>Tentatives</dt>
            <dd>{m.attempts}</dd>
          </div>
          {m.last_error ? (
            <div>
              <dt>Dernière erreur</dt>
              <dd>{m.last_error}</dd>
            </div>
          ) : null}
          <div>
            <dt>Pièces jointes</dt>
            <dd>
              {attachments.length
                ? attachments.map((a, i) => (
                    <>
                      {i ? ', ' : ''}
                      <a href={`/admin/courriels/${m.id}/pj/${i}`}>{a.filename}</a>
                    </>
                  ))
                : 'Aucune'}
            </dd>
          </div>
        </dl>
        {m.status === 'failed' ? (
          <form method="post" action={`/admin/courriels/${m.id}/renvoyer`}>
            <HiddenFields fields={{ _csrf: c.get('session').csrf_token }} />
            <Button>Renvoyer ce message</Button>
          </form>
        ) : null}
        <h2>Le message tel que le reçoit le destinataire</h2>
        <iframe class="iframe-preview" title={`Aperçu du message : ${m.subject}`} src={`/admin/courriels/${m.id}/apercu`} sandbox="" />
        <details class="details">
          <summary>Version texte</summary>
          <div>
            <pre class="mail-preview">{m.text}</pre>
          </div>
        </details>
      </AdminPage>,
    );
  });

  app.get('/courriels/:id/apercu', async (c) => {
    const m = await load(c.req.param('id'));
    // The message's HTML is shown inert: no script, no request anywhere, framed by our page only.
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox");
    c.header('X-Frame-Options', 'SAMEORIGIN');
    return c.html(m.html);
  });

  app.get('/courriels/:id/pj/:n', async (c) => {
    const m = await load(c.req.param('id'));
    const list = JSON.parse(m.attachments) as Array<{ filename: string; contentType: string; content: string }>;
    const a = list[Number(c.req.param('n'))];
    if (!a) throw new NotFound('Pièce jointe introuvable');
    const safeName = a.filename.replace(/[^A-Za-z0-9._-]/g, '_');
    return c.body(a.content, 200, { 'Content-Type': a.contentType, 'Content-Disposition': `attachment; filename="${safeName}"` });
  });

  app.post('/courriels/:id/renvoyer', async (c) => {
    const m = await load(c.req.param('id'));
    await resendMessage(s, { messageId: m.id, actor: { type: 'agent', id: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) } });
    return c.redirect(`/admin/courriels?ok=renvoye`, 303);
  });

  return app;
}
