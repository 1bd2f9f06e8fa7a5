import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import { AdminPage } from '../../areas/admin/layout.tsx';
import type { Site } from '../../areas/public/layout.tsx';
import type { AgentRow } from '../../platform/db/schema.ts';
import { requireRole } from '../../areas/admin/guard.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { formatShortDate } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button, ErrorSummary, HiddenFields, Radios, TextInput, type FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { agentStatusLabels, roleLabels } from './agent.ts';
import { findAgentById, listAgents } from './agents-repository.ts';
import { createAgent, sendPasswordReset, setAgentEnabled } from './manage-agents.ts';

const inviteSchema = z.object({
  name: z.string().trim().min(1, 'Saisissez le nom de l’agent').max(100, 'Le nom doit faire 100 caractères au plus'),
  email: z.string().trim().min(1, 'Saisissez l’adresse e-mail de l’agent').max(254, 'L’adresse e-mail est trop longue').pipe(z.email('Saisissez une adresse e-mail valide, comme nom@exemple.fr')),
  role: z.enum(['admin', 'referent'], { message: 'Choisissez le rôle de l’agent' }),
});

const flash: Record<string, string> = {
  invite: 'L’invitation est envoyée : l’agent choisira son mot de passe avec le lien reçu.',
  lien: 'Le lien pour choisir un nouveau mot de passe est envoyé.',
  desactive: 'L’agent est désactivé ; ses sessions sont fermées.',
  reactive: 'L’agent est réactivé.',
};

/** Agents' management, for admins: invite, disable or enable, send a new password link. */
export function agentAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  // Mounted at /admin/agents: every route below is for admins only, checked on the server.
  app.use('*', requireRole(s, 'admin'));
  const frame = (c: Context<AdminEnv>) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token });
  const actor = (c: Context<AdminEnv>) => ({ type: 'agent' as const, id: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) });

  const listPage = async (c: Context<AdminEnv>, values: Record<string, string>, errors: FieldErrors, status: 200 | 409 | 422 = 200) => {
    const agents = await listAgents(s.db.kysely);
    const me = c.get('agent');
    return sendPage(
      c,
      <AdminPage {...frame(c)} title="Agents" current="agents" hasError={Object.keys(errors).length > 0} flash={flash[c.req.query('ok') ?? ''] ?? null}>
        <h1>Agents</h1>
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Les agents</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">E-mail</th>
                <th scope="col">Rôle</th>
                <th scope="col">Statut</th>
                <th scope="col">Dernière connexion</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {agents.map((a: AgentRow) => (
                <tr>
                  <th scope="row">{a.name}</th>
                  <td>{a.email}</td>
                  <td>{roleLabels[a.role]}</td>
                  <td>{agentStatusLabels[a.status]}</td>
                  <td>{a.last_sign_in_at ? formatShortDate(a.last_sign_in_at, s.territory.timezone) : 'Jamais'}</td>
                  <td class="actions-cell">
                    {a.id !== me.id ? (
                      <>
                        <a href={`/admin/agents/${a.id}/${a.status === 'disabled' ? 'reactiver' : 'desactiver'}`}>
                          {a.status === 'disabled' ? 'Réactiver' : 'Désactiver'}
                          <span class="visually-hidden"> {a.name}</span>
                        </a>
                        {a.status !== 'disabled' ? (
                          <>
                            <br />
                            <a href={`/admin/agents/${a.id}/lien`}>
                              Envoyer un lien de mot de passe<span class="visually-hidden"> à {a.name}</span>
                            </a>
                          </>
                        ) : null}
                      </>
                    ) : (
                      'Vous'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h2 id="invite">Inviter un agent</h2>
        <p>L’agent reçoit un e-mail avec un lien valable 72 heures pour choisir son mot de passe.</p>
        <form method="post" action="/admin/agents" novalidate>
          <ErrorSummary errors={errors} order={['name', 'email', 'role']} />
          <HiddenFields fields={{ _csrf: c.get('session').csrf_token }} />
          <TextInput name="name" label="Nom" value={values.name} errors={errors} autocomplete="off" width="half" />
          <TextInput name="email" type="email" label="Adresse e-mail" value={values.email} errors={errors} autocomplete="off" spellcheck={false} width="half" />
          <Radios
            name="role"
            label="Rôle"
            value={values.role ?? 'referent'}
            errors={errors}
            options={[
              { value: 'referent', label: roleLabels.referent, hint: 'Suit les Rencontres et les personnes.' },
              { value: 'admin', label: roleLabels.admin, hint: 'Tout, plus la gestion des agents et le journal.' },
            ]}
          />
          <Button>Envoyer l’invitation</Button>
        </form>
      </AdminPage>,
      status,
    );
  };

  app.get('/', (c) => listPage(c, {}, {}));

  app.post('/', async (c) => {
    const body = c.get('form');
    const parsed = inviteSchema.safeParse(body);
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const i of parsed.error.issues) errors[String(i.path[0])] ??= i.message;
      return listPage(c, body, errors, 422);
    }
    try {
      await createAgent(s, { ...parsed.data, actor: actor(c) });
    } catch (e) {
      if (e instanceof DomainError && e.code === 'agent-exists') return listPage(c, body, { email: e.message }, 422);
      throw e;
    }
    return c.redirect('/admin/agents?ok=invite', 303);
  });

  const load = async (id: string) => {
    const a = await findAgentById(s.db.kysely, id);
    if (!a) throw new NotFound('Agent introuvable');
    return a;
  };

  const confirmPage = (c: Context<AdminEnv>, a: AgentRow, heading: string, body: string, action: string, button: string, variant: 'primary' | 'warning') =>
    sendPage(
      c,
      <AdminPage {...frame(c)} title={heading} current="agents" trail={[['Agents', '/admin/agents']]}>
        <h1>{heading}</h1>
        <p>{body}</p>
        <form method="post" action={action}>
          <HiddenFields fields={{ _csrf: c.get('session').csrf_token }} />
          <div class="button-row">
            <Button variant={variant}>{button}</Button>
            <a href="/admin/agents">Revenir sans rien changer</a>
          </div>
        </form>
      </AdminPage>,
    );

  app.get('/:id/desactiver', async (c) => {
    const a = await load(c.req.param('id'));
    return confirmPage(c, a, `Désactiver ${a.name} ?`, `${a.name} ne pourra plus se connecter et ses sessions ouvertes seront fermées immédiatement. Vous pourrez le réactiver.`, `/admin/agents/${a.id}/desactiver`, 'Oui, désactiver', 'warning');
  });
  app.get('/:id/reactiver', async (c) => {
    const a = await load(c.req.param('id'));
    return confirmPage(c, a, `Réactiver ${a.name} ?`, `${a.name} pourra de nouveau se connecter avec son mot de passe.`, `/admin/agents/${a.id}/reactiver`, 'Oui, réactiver', 'primary');
  });
  app.get('/:id/lien', async (c) => {
    const a = await load(c.req.param('id'));
    return confirmPage(c, a, `Envoyer un lien de mot de passe à ${a.name} ?`, `${a.name} recevra à ${a.email} un lien valable 24 heures pour choisir un nouveau mot de passe. Son mot de passe actuel reste valable jusque-là.`, `/admin/agents/${a.id}/lien`, 'Oui, envoyer le lien', 'primary');
  });

  for (const [path, enabled] of [
    ['desactiver', false],
    ['reactiver', true],
  ] as const) {
    app.post(`/:id/${path}`, async (c) => {
      const a = await load(c.req.param('id'));
      // A refused change (one's own account, the last admin) is a DomainError: the error page says why.
      await setAgentEnabled(s, { agentId: a.id, enabled, actor: actor(c) });
      return c.redirect(`/admin/agents?ok=${enabled ? 'reactive' : 'desactive'}`, 303);
    });
  }

  app.post('/:id/lien', async (c) => {
    const a = await load(c.req.param('id'));
    await sendPasswordReset(s, { agentId: a.id, actor: actor(c) });
    return c.redirect('/admin/agents?ok=lien', 303);
  });

  return app;
}
