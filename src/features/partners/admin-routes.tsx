import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import { AdminPage } from '../../areas/admin/layout.tsx';
import type { Site } from '../../areas/public/layout.tsx';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { PartnerRow } from '../../platform/db/schema.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import { DomainError, Forbidden, NotFound } from '../../platform/http/errors.ts';
import { formatShortDate } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button, ErrorSummary, HiddenFields, TextArea, TextInput, type FieldErrors, CheckboxGroup } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { countOffersByStatus } from '../offers/offers-repository.ts';
import { regionLabel } from '../territory/territory.ts';
import { createPartner, invitePartnerUser, sendPartnerUserNewLink, setPartnerStatus, setPartnerUserEnabled, updatePartner } from './manage-partners.ts';
import { parseKeys, partnerStatusLabels, partnerThemes, partnerUserStatusLabels, themeLabels } from './partner.ts';
import { fieldErrors, formWithLists, partnerFieldOrder, partnerSchema, partnerUserSchema } from './partner-schemas.ts';
import { findPartnerBySlug, findPartnerUserById, listPartners, listPartnerUsers } from './partners-repository.ts';

const flashes: Record<string, string> = {
  cree: 'Le partenaire est ajouté à l’annuaire.',
  modifie: 'La fiche du partenaire est enregistrée.',
  archive: 'Le partenaire est archivé : ses accès sont fermés et ses offres retirées du site.',
  reactive: 'Le partenaire est de nouveau actif.',
  invite: 'L’invitation est envoyée : la personne choisira son mot de passe avec le lien reçu.',
  lien: 'Un nouveau lien est envoyé.',
  desactive: 'L’accès est désactivé ; ses sessions sont fermées.',
  reactiveu: 'L’accès est réactivé.',
};

type Values = Record<string, string | string[]>;

function partnerValues(p: PartnerRow): Values {
  return {
    name: p.name,
    role: p.role,
    themes: parseKeys(p.themes),
    regions: parseKeys(p.regions),
    email: p.email ?? '',
    phone: p.phone ?? '',
    website: p.website ?? '',
    address: p.address ?? '',
    contactName: p.contact_name ?? '',
    contactTitle: p.contact_title ?? '',
    contactEmail: p.contact_email ?? '',
    contactPhone: p.contact_phone ?? '',
  };
}

/** The form kit's checkbox group, with the directory's prop names. */
function Checkboxes(p: { name: string; legend: string; hint?: string; options: Array<{ value: string; label: string }>; values: string[]; errors: FieldErrors; optional?: boolean }) {
  return <CheckboxGroup name={p.name} label={p.legend} hint={p.hint} options={p.options} values={p.values} errors={p.errors} optional={p.optional} />;
}

/**
 * The partner directory in the back-office: every agent reads it (a referent picks a partner to refer
 * a candidate to); only admins add, change, archive partners and open or close their users' access.
 */
export function partnerAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const t = s.territory;
  const frame = (c: Context<AdminEnv>) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token });
  const actor = (c: Context<AdminEnv>) => ({ type: 'agent' as const, id: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) });
  const trail: Array<[string, string]> = [['Partenaires', '/admin/partenaires']];
  const schema = partnerSchema(t.regions.map((r) => r.key));

  /** Function-level rule (ASVS 8.2.1), route by route: reading is for agents, managing for admins. */
  const adminOnly: MiddlewareHandler<AdminEnv> = async (c, next) => {
    const agent = c.get('agent');
    if (agent.role !== 'admin') {
      await recordAudit(s.db.kysely, s.clock.now(), { type: 'agent', id: agent.id }, 'security.forbidden', null, { path: c.req.path, method: c.req.method });
      throw new Forbidden('La gestion des partenaires est réservée aux administrateurs.');
    }
    await next();
  };

  const load = async (slug: string) => {
    const p = await findPartnerBySlug(s.db.kysely, slug);
    if (!p) throw new NotFound('Partenaire introuvable');
    return p;
  };

  app.get('/partenaires', async (c) => {
    const partners = await listPartners(s.db.kysely);
    const isAdmin = c.get('agent').role === 'admin';
    return sendPage(
      c,
      <AdminPage {...frame(c)} title="Partenaires" current="partners" wide flash={flashes[c.req.query('ok') ?? ''] ?? null}>
        <h1>Partenaires</h1>
        {isAdmin ? (
          <p>
            <a class="button button--primary" href="/admin/partenaires/nouveau">
              Ajouter un partenaire
            </a>
          </p>
        ) : null}
        {partners.length ? (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">L’annuaire des partenaires</caption>
              <thead>
                <tr>
                  <th scope="col">Partenaire</th>
                  <th scope="col">Thèmes</th>
                  <th scope="col">Territoire</th>
                  <th scope="col">Contact</th>
                  <th scope="col">Statut</th>
                </tr>
              </thead>
              <tbody>
                {partners.map((p) => {
                  const regions = parseKeys(p.regions);
                  return (
                    <tr>
                      <th scope="row">
                        <a href={`/admin/partenaires/${p.slug}`}>{p.name}</a>
                      </th>
                      <td>{themeLabels(parseKeys(p.themes)).join(', ')}</td>
                      <td>{regions.length ? regions.map((r) => regionLabel(t, r)).join(', ') : 'Tout le territoire'}</td>
                      <td>{[p.contact_name, p.contact_email ?? p.email, p.contact_phone ?? p.phone].filter(Boolean).join(' · ') || '–'}</td>
                      <td>{partnerStatusLabels[p.status]}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="inset">Aucun partenaire pour l’instant.</p>
        )}
      </AdminPage>,
    );
  });

  const form = (c: Context<AdminEnv>, p: { title: string; action: string; values: Values; errors: FieldErrors; back: string; button: string; trail: Array<[string, string]> }, status: 200 | 422 = 200) => {
    const v = p.values;
    const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
    const list = (k: string) => (Array.isArray(v[k]) ? (v[k] as string[]) : []);
    return sendPage(
      c,
      <AdminPage {...frame(c)} title={p.title} current="partners" trail={p.trail} hasError={Object.keys(p.errors).length > 0}>
        <h1>{p.title}</h1>
        <form method="post" action={p.action} novalidate>
          <ErrorSummary errors={p.errors} order={partnerFieldOrder} />
          <HiddenFields fields={{ _csrf: c.get('session').csrf_token }} />
          <TextInput name="name" label="Nom de l’organisation" value={str('name')} errors={p.errors} maxlength={150} autocomplete="organization" />
          <TextArea name="role" label="Son rôle pour les nouveaux habitants" hint="En une ou deux phrases : ce que les personnes orientées peuvent en attendre." value={str('role')} errors={p.errors} rows={3} maxlength={1000} />
          <Checkboxes name="themes" legend="Thèmes" options={partnerThemes.map((x) => ({ value: x.value, label: x.label }))} values={list('themes')} errors={p.errors} />
          <Checkboxes name="regions" legend="Régions naturelles couvertes" hint="Ne cochez rien si le partenaire couvre tout le territoire." options={t.regions.map((r) => ({ value: r.key, label: r.label }))} values={list('regions')} errors={p.errors} optional />
          <h2>Coordonnées publiques</h2>
          <TextInput name="email" type="email" label="E-mail de l’accueil" value={str('email')} errors={p.errors} width="half" spellcheck={false} autocomplete="off" required={false} />
          <TextInput name="phone" type="tel" label="Téléphone de l’accueil" value={str('phone')} errors={p.errors} width="half" autocomplete="off" required={false} />
          <TextInput name="website" type="url" label="Site internet" value={str('website')} errors={p.errors} spellcheck={false} autocomplete="off" required={false} />
          <TextInput name="address" label="Adresse" value={str('address')} errors={p.errors} autocomplete="off" required={false} />
          <h2>Contact pour l’équipe</h2>
          <TextInput name="contactName" label="Nom du contact" value={str('contactName')} errors={p.errors} width="half" autocomplete="off" required={false} />
          <TextInput name="contactTitle" label="Fonction" value={str('contactTitle')} errors={p.errors} width="half" autocomplete="off" required={false} />
          <TextInput name="contactEmail" type="email" label="E-mail du contact" value={str('contactEmail')} errors={p.errors} width="half" spellcheck={false} autocomplete="off" required={false} />
          <TextInput name="contactPhone" type="tel" label="Téléphone du contact" value={str('contactPhone')} errors={p.errors} width="half" autocomplete="off" required={false} />
          <p class="privacy">Les coordonnées du contact servent à l’équipe pour travailler avec le partenaire ; elles ne sont pas publiées.</p>
          <div class="button-row">
            <Button>{p.button}</Button>
            <a href={p.back}>Revenir sans enregistrer</a>
          </div>
        </form>
      </AdminPage>,
      status,
    );
  };

  app.get('/partenaires/nouveau', adminOnly, (c) => form(c, { title: 'Ajouter un partenaire', action: '/admin/partenaires', values: {}, errors: {}, back: '/admin/partenaires', button: 'Ajouter le partenaire', trail }));

  app.post('/partenaires', adminOnly, async (c) => {
    const body = formWithLists(c.get('params'), ['themes', 'regions']);
    const again = (errors: FieldErrors) => form(c, { title: 'Ajouter un partenaire', action: '/admin/partenaires', values: body, errors, back: '/admin/partenaires', button: 'Ajouter le partenaire', trail }, 422);
    const parsed = schema.safeParse(body);
    if (!parsed.success) return again(fieldErrors(parsed.error));
    try {
      const p = await createPartner(s, { form: parsed.data, actor: actor(c) });
      return c.redirect(`/admin/partenaires/${p.slug}?ok=cree`, 303);
    } catch (e) {
      if (e instanceof DomainError) return again({ name: e.message });
      throw e;
    }
  });

  const detail = async (c: Context<AdminEnv>, p: PartnerRow, inviteValues: Record<string, string>, inviteErrors: FieldErrors, status: 200 | 422 = 200) => {
    const isAdmin = c.get('agent').role === 'admin';
    const [users, counts, referrals] = await Promise.all([
      isAdmin ? listPartnerUsers(s.db.kysely, p.id) : Promise.resolve([]),
      countOffersByStatus(s.db.kysely, p.id),
      s.db.kysely.selectFrom('referrals').select((eb) => eb.fn.countAll<number>().as('n')).where('partner_id', '=', p.id).where('status', '=', 'consented').executeTakeFirstOrThrow(),
    ]);
    const regions = parseKeys(p.regions);
    const csrf = c.get('session').csrf_token;
    return sendPage(
      c,
      <AdminPage {...frame(c)} title={p.name} current="partners" trail={trail} hasError={Object.keys(inviteErrors).length > 0} flash={flashes[c.req.query('ok') ?? ''] ?? null}>
        <h1>{p.name}</h1>
        <dl class="summary-list">
          <div>
            <dt>Rôle</dt>
            <dd>{p.role}</dd>
          </div>
          <div>
            <dt>Thèmes</dt>
            <dd>{themeLabels(parseKeys(p.themes)).join(', ')}</dd>
          </div>
          <div>
            <dt>Territoire</dt>
            <dd>{regions.length ? regions.map((r) => regionLabel(t, r)).join(', ') : 'Tout le territoire'}</dd>
          </div>
          <div>
            <dt>Accueil</dt>
            <dd>{[p.email, p.phone, p.address].filter(Boolean).join(' · ') || '–'}</dd>
          </div>
          <div>
            <dt>Site</dt>
            <dd>{p.website ? <a href={p.website}>{p.website}</a> : '–'}</dd>
          </div>
          <div>
            <dt>Contact</dt>
            <dd>{[p.contact_name, p.contact_title, p.contact_email, p.contact_phone].filter(Boolean).join(' · ') || '–'}</dd>
          </div>
          <div>
            <dt>Offres</dt>
            <dd>
              <a href={`/admin/offres?partenaire=${p.id}`}>
                {counts.published} en ligne, {counts.draft} en brouillon, {counts.filled} pourvues, {counts.expired} expirées
              </a>
            </dd>
          </div>
          <div>
            <dt>Personnes orientées</dt>
            <dd>{Number(referrals.n)} avec un accord en cours</dd>
          </div>
          <div>
            <dt>Statut</dt>
            <dd>{partnerStatusLabels[p.status]}</dd>
          </div>
        </dl>
        {isAdmin ? (
          <>
            <div class="button-row">
              <a class="button button--secondary" href={`/admin/partenaires/${p.slug}/modifier`}>
                Modifier la fiche
              </a>
              <a href={`/admin/partenaires/${p.slug}/statut`}>{p.status === 'active' ? 'Archiver le partenaire' : 'Réactiver le partenaire'}</a>
            </div>
            <h2>Accès à l’espace partenaires</h2>
            {users.length ? (
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">Les personnes qui ont un accès</caption>
                  <thead>
                    <tr>
                      <th scope="col">Nom</th>
                      <th scope="col">E-mail</th>
                      <th scope="col">Statut</th>
                      <th scope="col">Dernière connexion</th>
                      <th scope="col">Actions</th>
                    </tr>
                  </thead>
                  <tbody>
                    {users.map((u) => (
                      <tr>
                        <th scope="row">{u.name}</th>
                        <td>{u.email}</td>
                        <td>{partnerUserStatusLabels[u.status]}</td>
                        <td>{u.last_sign_in_at ? formatShortDate(u.last_sign_in_at, t.timezone) : 'Jamais'}</td>
                        <td class="actions-cell">
                          <a href={`/admin/partenaires/${p.slug}/acces?utilisateur=${u.id}&action=${u.status === 'disabled' ? 'reactiver' : 'desactiver'}`}>
                            {u.status === 'disabled' ? 'Réactiver' : 'Désactiver'}
                            <span class="visually-hidden"> l’accès de {u.name}</span>
                          </a>
                          {u.status !== 'disabled' ? (
                            <>
                              <br />
                              <a href={`/admin/partenaires/${p.slug}/acces?utilisateur=${u.id}&action=lien`}>
                                Envoyer un nouveau lien<span class="visually-hidden"> à {u.name}</span>
                              </a>
                            </>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p>Personne n’a encore d’accès pour ce partenaire.</p>
            )}
            {p.status === 'active' ? (
              <>
                <h3 id="inviter">Inviter une personne du partenaire</h3>
                <p>Elle reçoit un e-mail avec un lien valable 72 heures pour choisir son mot de passe (12 caractères au moins).</p>
                <form method="post" action={`/admin/partenaires/${p.slug}/acces`} novalidate>
                  <ErrorSummary errors={inviteErrors} order={['name', 'email']} />
                  <HiddenFields fields={{ _csrf: csrf, action: 'inviter' }} />
                  <TextInput name="name" label="Nom" value={inviteValues.name} errors={inviteErrors} width="half" autocomplete="off" />
                  <TextInput name="email" type="email" label="Adresse e-mail" value={inviteValues.email} errors={inviteErrors} width="half" spellcheck={false} autocomplete="off" />
                  <Button>Envoyer l’invitation</Button>
                </form>
              </>
            ) : null}
          </>
        ) : null}
      </AdminPage>,
      status,
    );
  };

  app.get('/partenaires/:slug', async (c) => detail(c, await load(c.req.param('slug')), {}, {}));

  app.get('/partenaires/:slug/modifier', adminOnly, async (c) => {
    const p = await load(c.req.param('slug'));
    return form(c, { title: `Modifier ${p.name}`, action: `/admin/partenaires/${p.slug}`, values: partnerValues(p), errors: {}, back: `/admin/partenaires/${p.slug}`, button: 'Enregistrer la fiche', trail: [...trail, [p.name, `/admin/partenaires/${p.slug}`]] });
  });

  app.post('/partenaires/:slug', adminOnly, async (c) => {
    const p = await load(c.req.param('slug'));
    const body = formWithLists(c.get('params'), ['themes', 'regions']);
    const again = (errors: FieldErrors) => form(c, { title: `Modifier ${p.name}`, action: `/admin/partenaires/${p.slug}`, values: body, errors, back: `/admin/partenaires/${p.slug}`, button: 'Enregistrer la fiche', trail: [...trail, [p.name, `/admin/partenaires/${p.slug}`]] }, 422);
    const parsed = schema.safeParse(body);
    if (!parsed.success) return again(fieldErrors(parsed.error));
    try {
      await updatePartner(s, { partnerId: p.id, form: parsed.data, actor: actor(c) });
    } catch (e) {
      if (e instanceof DomainError) return again({ name: e.message });
      throw e;
    }
    return c.redirect(`/admin/partenaires/${p.slug}?ok=modifie`, 303);
  });

  app.get('/partenaires/:slug/statut', adminOnly, async (c) => {
    const p = await load(c.req.param('slug'));
    const archiving = p.status === 'active';
    const heading = archiving ? `Archiver ${p.name} ?` : `Réactiver ${p.name} ?`;
    return sendPage(
      c,
      <AdminPage {...frame(c)} title={heading} current="partners" trail={[...trail, [p.name, `/admin/partenaires/${p.slug}`]]}>
        <h1>{heading}</h1>
        <p>
          {archiving
            ? 'Ses utilisateurs ne pourront plus se connecter (leurs sessions sont fermées à l’instant), ses offres en ligne seront retirées du site, et il ne sera plus proposé pour orienter une personne. Les orientations passées restent dans les dossiers.'
            : 'Ses utilisateurs pourront de nouveau se connecter ; ses offres retirées restent expirées jusqu’à ce qu’il les republie.'}
        </p>
        <form method="post" action={`/admin/partenaires/${p.slug}/statut`}>
          <HiddenFields fields={{ _csrf: c.get('session').csrf_token, status: archiving ? 'archived' : 'active' }} />
          <div class="button-row">
            <Button variant={archiving ? 'warning' : 'primary'}>{archiving ? 'Oui, archiver' : 'Oui, réactiver'}</Button>
            <a href={`/admin/partenaires/${p.slug}`}>Revenir sans rien changer</a>
          </div>
        </form>
      </AdminPage>,
    );
  });

  app.post('/partenaires/:slug/statut', adminOnly, async (c) => {
    const p = await load(c.req.param('slug'));
    const status = c.get('form').status === 'active' ? 'active' : 'archived';
    await setPartnerStatus(s, { partnerId: p.id, status, actor: actor(c) });
    return c.redirect(`/admin/partenaires/${p.slug}?ok=${status === 'archived' ? 'archive' : 'reactive'}`, 303);
  });

  // ---- Partner users: invite (POST with action=inviter), disable, enable, new link (a confirmation page first).
  const userActions = {
    desactiver: { heading: (n: string) => `Désactiver l’accès de ${n} ?`, body: (n: string) => `${n} ne pourra plus se connecter et ses sessions ouvertes seront fermées immédiatement.`, button: 'Oui, désactiver', variant: 'warning' as const },
    reactiver: { heading: (n: string) => `Réactiver l’accès de ${n} ?`, body: (n: string) => `${n} pourra de nouveau se connecter avec son mot de passe.`, button: 'Oui, réactiver', variant: 'primary' as const },
    lien: { heading: (n: string) => `Envoyer un nouveau lien à ${n} ?`, body: (n: string) => `${n} recevra un lien pour choisir un mot de passe ; l’actuel reste valable jusque-là.`, button: 'Oui, envoyer le lien', variant: 'primary' as const },
  };
  type UserAction = keyof typeof userActions;

  app.get('/partenaires/:slug/acces', adminOnly, async (c) => {
    const p = await load(c.req.param('slug'));
    const action = c.req.query('action') as UserAction;
    const user = await findPartnerUserById(s.db.kysely, c.req.query('utilisateur') ?? '');
    if (!user || user.partner_id !== p.id || !(action in userActions)) throw new NotFound('Utilisateur introuvable');
    const a = userActions[action];
    return sendPage(
      c,
      <AdminPage {...frame(c)} title={a.heading(user.name)} current="partners" trail={[...trail, [p.name, `/admin/partenaires/${p.slug}`]]}>
        <h1>{a.heading(user.name)}</h1>
        <p>{a.body(user.name)}</p>
        <form method="post" action={`/admin/partenaires/${p.slug}/acces`}>
          <HiddenFields fields={{ _csrf: c.get('session').csrf_token, action, utilisateur: user.id }} />
          <div class="button-row">
            <Button variant={a.variant}>{a.button}</Button>
            <a href={`/admin/partenaires/${p.slug}`}>Revenir sans rien changer</a>
          </div>
        </form>
      </AdminPage>,
    );
  });

  app.post('/partenaires/:slug/acces', adminOnly, async (c) => {
    const p = await load(c.req.param('slug'));
    const f = c.get('form');
    if (f.action === 'inviter') {
      const parsed = partnerUserSchema.safeParse(f);
      if (!parsed.success) return detail(c, p, f, fieldErrors(parsed.error), 422);
      try {
        await invitePartnerUser(s, { partnerId: p.id, name: parsed.data.name, email: parsed.data.email, actor: actor(c) });
      } catch (e) {
        if (e instanceof DomainError) return detail(c, p, f, { email: e.message }, 422);
        throw e;
      }
      return c.redirect(`/admin/partenaires/${p.slug}?ok=invite`, 303);
    }
    const userId = f.utilisateur ?? '';
    if (f.action === 'desactiver' || f.action === 'reactiver') {
      await setPartnerUserEnabled(s, { partnerId: p.id, userId, enabled: f.action === 'reactiver', actor: actor(c) });
      return c.redirect(`/admin/partenaires/${p.slug}?ok=${f.action === 'reactiver' ? 'reactiveu' : 'desactive'}`, 303);
    }
    if (f.action === 'lien') {
      await sendPartnerUserNewLink(s, { partnerId: p.id, userId, actor: actor(c) });
      return c.redirect(`/admin/partenaires/${p.slug}?ok=lien`, 303);
    }
    throw new NotFound('Action inconnue');
  });

  return app;
}
