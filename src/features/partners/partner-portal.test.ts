import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgent, signIn, type SignedIn } from '../../../tests/support/admin.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { errorSummaryLinks, textOf, titleOf } from '../../../tests/http/html.ts';
import { makeOffer, makePartner, makePartnerUser, PARTNER_PASSWORD, partnerLinkFor, signInPartnerUser } from './testing/partner-fixtures.ts';

const form = (fields: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: p.toString() };
};

describe.each(dialects())('partners: directory, invitations and the partner portal, on %s', (dialect) => {
  let t: TestContext;
  let admin: SignedIn;
  let referent: SignedIn;

  beforeAll(async () => {
    t = await createTestContext(dialect);
    admin = await signIn(t, await makeAgent(t, 'admin'));
    referent = await signIn(t, await makeAgent(t, 'referent'));
  });
  afterAll(async () => {
    await t.close();
  });

  it('lets an admin add a partner to the directory, with errors in French at the fields first', async () => {
    const bad = await admin.post('/admin/partenaires', { name: '', role: '', email: 'pas-une-adresse', website: 'www.exemple.fr' });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(titleOf(html)).toMatch(/^Erreur : /);
    expect(errorSummaryLinks(html)).toEqual([
      ['#f-name', 'Saisissez le nom de l’organisation'],
      ['#f-role', 'Décrivez en une phrase ce que l’organisation fait pour les nouveaux habitants'],
      ['#f-themes', 'Cochez au moins un thème'],
      ['#f-email', 'Saisissez une adresse e-mail valide, comme accueil@exemple.fr'],
      ['#f-website', 'Saisissez l’adresse complète du site, commençant par https://'],
    ]);
    // What was typed is kept.
    expect(html).toContain('value="pas-une-adresse"');

    const ok = await admin.post('/admin/partenaires', { name: 'Chambre d’agriculture', role: 'Installation agricole.', themes: ['agriculture', 'creation-reprise'], regions: ['aubrac', 'margeride'], email: 'accueil@agri.example' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/admin/partenaires/chambre-d-agriculture?ok=cree');
    const row = await t.db.kysely.selectFrom('partners').selectAll().where('slug', '=', 'chambre-d-agriculture').executeTakeFirstOrThrow();
    expect(JSON.parse(row.themes)).toEqual(['agriculture', 'creation-reprise']);
    expect(JSON.parse(row.regions)).toEqual(['aubrac', 'margeride']);
    const page = textOf(await (await admin.get('/admin/partenaires/chambre-d-agriculture')).text());
    expect(page).toContain('Installation agricole, Création et reprise d’entreprise');
    expect(page).toContain('Aubrac, Margeride');
    // A second one of the same name (case and accents aside) is refused.
    const twice = await admin.post('/admin/partenaires', { name: 'CHAMBRE D’AGRICULTURE', role: 'x', themes: 'agriculture' });
    expect(twice.status).toBe(422);
    expect(errorSummaryLinks(await twice.text())).toEqual([['#f-name', 'Un partenaire porte déjà ce nom']]);
    const audit = await t.db.kysely.selectFrom('audit_log').select(['action', 'actor_id']).where('action', '=', 'partner.created').execute();
    expect(audit).toEqual([{ action: 'partner.created', actor_id: admin.agent.id }]);
  });

  it('shows the directory to referents, but keeps its management for admins', async () => {
    expect((await referent.get('/admin/partenaires')).status).toBe(200);
    expect((await referent.get('/admin/partenaires/chambre-d-agriculture')).status).toBe(200);
    expect(await (await referent.get('/admin/partenaires')).text()).not.toContain('Ajouter un partenaire');
    expect((await referent.get('/admin/partenaires/nouveau')).status).toBe(403);
    expect((await referent.post('/admin/partenaires', { name: 'Par un référent', role: 'x', themes: 'emploi' })).status).toBe(403);
    expect((await referent.post('/admin/partenaires/chambre-d-agriculture/acces', { action: 'inviter', name: 'X', email: 'x@partenaire.example' })).status).toBe(403);
    expect(await t.db.kysely.selectFrom('partners').select('id').where('name', '=', 'Par un référent').execute()).toEqual([]);
    expect(await t.db.kysely.selectFrom('partner_users').select('id').where('email', '=', 'x@partenaire.example').execute()).toEqual([]);
  });

  it('invites a partner user, who chooses a password with the agents’ rule through a one-time link', async () => {
    const invite = await admin.post('/admin/partenaires/chambre-d-agriculture/acces', { action: 'inviter', name: 'Marie Teissier', email: 'marie@agri.example' });
    expect(invite.status).toBe(303);
    const mail = await t.db.kysely.selectFrom('outbox_messages').selectAll().where('to_address', '=', 'marie@agri.example').executeTakeFirstOrThrow();
    expect(mail.subject).toBe('Votre accès à l’espace partenaires Lozère Nouvelle Vie');
    const token = await partnerLinkFor(t, 'marie@agri.example');
    expect((await t.app.request(`/partenaires/lien/${token}`)).status).toBe(200);
    const weak = await t.app.request(`/partenaires/lien/${token}`, form({ password: 'motdepasse', confirmation: 'motdepasse' }));
    expect(weak.status).toBe(422);
    expect(errorSummaryLinks(await weak.text())).toEqual([['#f-password', 'Le mot de passe doit faire au moins 12 caractères']]);
    const common = await t.app.request(`/partenaires/lien/${token}`, form({ password: 'password1234', confirmation: 'password1234' }));
    expect(errorSummaryLinks(await common.text())[0]![1]).toMatch(/plus utilisés/);
    const ok = await t.app.request(`/partenaires/lien/${token}`, form({ password: PARTNER_PASSWORD, confirmation: PARTNER_PASSWORD }));
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/partenaires/connexion?ok=mot-de-passe');
    // The link is spent.
    expect((await t.app.request(`/partenaires/lien/${token}`)).status).toBe(404);
    const user = await t.db.kysely.selectFrom('partner_users').selectAll().where('email', '=', 'marie@agri.example').executeTakeFirstOrThrow();
    expect(user.status).toBe('active');
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('signs the partner user in to a portal of their own, with their organisation’s name', async () => {
    const user = await t.db.kysely.selectFrom('partner_users').selectAll().where('email', '=', 'marie@agri.example').executeTakeFirstOrThrow();
    const partner = await signInPartnerUser(t, user);
    const home = await partner.get('/partenaires');
    expect(home.status).toBe(200);
    expect(home.headers.get('cache-control')).toBe('no-store');
    const text = textOf(await home.text());
    expect(text).toContain('Chambre d’agriculture');
    expect(text).toContain('Bienvenue Marie Teissier');
    // Without a session, the portal sends to its own sign-in, keeping the page asked for.
    const anonymous = await t.app.request('/partenaires/offres');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/partenaires/connexion?retour=%2Fpartenaires%2Foffres');
    expect((await t.app.request('/partenaires/offres', form({}))).status).toBe(401);
  });

  it('never takes a partner’s session for an agent’s, nor an agent’s for a partner’s', async () => {
    const user = await t.db.kysely.selectFrom('partner_users').selectAll().where('email', '=', 'marie@agri.example').executeTakeFirstOrThrow();
    const partner = await signInPartnerUser(t, user);
    const partnerToken = partner.cookie.split('=')[1]!;
    const agentToken = admin.cookie.split('=')[1]!;
    // The partner's token under the agents' cookie name: the back-office does not know it.
    const asAgent = await t.app.request('/admin', { headers: { Cookie: `nv_session=${partnerToken}` } });
    expect(asAgent.status).toBe(303);
    expect(asAgent.headers.get('location')).toMatch(/^\/connexion/);
    // With its own cookie, the back-office is not opened either.
    expect((await partner.get('/admin')).status).toBe(303);
    expect((await partner.get('/admin/partenaires')).status).toBe(303);
    // The agent's token under the partners' cookie name: the portal does not know it.
    const asPartner = await t.app.request('/partenaires', { headers: { Cookie: `nv_partner=${agentToken}` } });
    expect(asPartner.status).toBe(303);
    expect(asPartner.headers.get('location')).toMatch(/^\/partenaires\/connexion/);
    expect((await admin.get('/partenaires/offres')).status).toBe(303);
  });

  it('refuses a portal write without the session’s CSRF token, and logs it', async () => {
    const user = await t.db.kysely.selectFrom('partner_users').selectAll().where('email', '=', 'marie@agri.example').executeTakeFirstOrThrow();
    const partner = await signInPartnerUser(t, user);
    const res = await t.app.request('/partenaires/offres', { method: 'POST', headers: { Cookie: partner.cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'title=X' });
    expect(res.status).toBe(403);
    const wrong = await t.app.request('/partenaires/offres', { method: 'POST', headers: { Cookie: partner.cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `_csrf=${admin.csrf}&title=X` });
    expect(wrong.status).toBe(403);
    const logged = await t.db.kysely.selectFrom('audit_log').select(['actor_type', 'actor_id']).where('action', '=', 'security.csrf-refused').where('actor_type', '=', 'partner').execute();
    expect(logged).toEqual([
      { actor_type: 'partner', actor_id: user.id },
      { actor_type: 'partner', actor_id: user.id },
    ]);
  });

  it('throttles failed partner sign-ins per account, with one message for a wrong e-mail or password', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await t.app.request('/partenaires/connexion', form({ email: 'marie@agri.example', password: 'pas le bon mot de passe' }));
      expect(r.status).toBe(422);
      expect(errorSummaryLinks(await r.text())[0]![1]).toBe('Adresse e-mail ou mot de passe incorrect');
    }
    const blocked = await t.app.request('/partenaires/connexion', form({ email: 'marie@agri.example', password: PARTNER_PASSWORD }));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Fifteen minutes later the real user gets in.
    t.clock.advance(15 * 60_000 + 1000);
    const later = await t.app.request('/partenaires/connexion', form({ email: 'marie@agri.example', password: PARTNER_PASSWORD }));
    expect(later.status).toBe(303);
    const audit = await t.db.kysely.selectFrom('audit_log').select('action').where('action', 'in', ['partner-user.sign-in-failed', 'partner-user.sign-in-throttled', 'partner-user.sign-in']).execute();
    expect(audit.filter((a) => a.action === 'partner-user.sign-in-failed')).toHaveLength(5);
    expect(audit.filter((a) => a.action === 'partner-user.sign-in-throttled')).toHaveLength(1);
  });

  it('ends a partner user’s sessions at once when an admin disables them, after a confirmation page', async () => {
    const p = await makePartner(t);
    const user = await makePartnerUser(t, p);
    const partner = await signInPartnerUser(t, user);
    expect((await partner.get('/partenaires')).status).toBe(200);
    const confirm = await admin.get(`/admin/partenaires/${p.slug}/acces?utilisateur=${user.id}&action=desactiver`);
    expect(textOf(await confirm.text())).toContain(`Désactiver l’accès de ${user.name} ?`);
    expect((await partner.get('/partenaires')).status).toBe(200);
    const done = await admin.post(`/admin/partenaires/${p.slug}/acces`, { action: 'desactiver', utilisateur: user.id });
    expect(done.status).toBe(303);
    expect((await partner.get('/partenaires')).status).toBe(303);
    expect((await t.app.request('/partenaires/connexion', form({ email: user.email, password: PARTNER_PASSWORD }))).status).toBe(422);
    // A user of another partner cannot be reached through this partner's address.
    const other = await makePartner(t);
    const stranger = await makePartnerUser(t, other);
    expect((await admin.get(`/admin/partenaires/${p.slug}/acces?utilisateur=${stranger.id}&action=desactiver`)).status).toBe(404);
    expect((await admin.post(`/admin/partenaires/${p.slug}/acces`, { action: 'desactiver', utilisateur: stranger.id })).status).toBe(404);
    expect((await t.db.kysely.selectFrom('partner_users').select('status').where('id', '=', stranger.id).executeTakeFirstOrThrow()).status).toBe('active');
  });

  it('archiving a partner closes its users’ sessions and takes its published offers off the site', async () => {
    const p = await makePartner(t);
    const user = await makePartnerUser(t, p);
    const partner = await signInPartnerUser(t, user);
    const offer = await makeOffer(t, { kind: 'partner', partnerId: p.id, userId: user.id }, { title: 'Épicerie à reprendre' });
    expect((await t.app.request(`/offres/${offer.slug}`)).status).toBe(200);
    expect(textOf(await (await admin.get(`/admin/partenaires/${p.slug}/statut`)).text())).toContain(`Archiver ${p.name} ?`);
    expect((await admin.post(`/admin/partenaires/${p.slug}/statut`, { status: 'archived' })).status).toBe(303);
    expect((await partner.get('/partenaires')).status).toBe(303);
    expect((await t.app.request(`/offres/${offer.slug}`)).status).toBe(404);
    expect((await t.db.kysely.selectFrom('offers').select('status').where('id', '=', offer.id).executeTakeFirstOrThrow()).status).toBe('expired');
    expect((await t.app.request('/partenaires/connexion', form({ email: user.email, password: PARTNER_PASSWORD }))).status).toBe(422);
    // Back to active: the users can sign in again; the offers stay expired until republished.
    expect((await admin.post(`/admin/partenaires/${p.slug}/statut`, { status: 'active' })).status).toBe(303);
    expect((await t.app.request('/partenaires/connexion', form({ email: user.email, password: PARTNER_PASSWORD }))).status).toBe(303);
  });

  it('signs out for good', async () => {
    const p = await makePartner(t);
    const partner = await signInPartnerUser(t, await makePartnerUser(t, p));
    const out = await partner.post('/partenaires/deconnexion');
    expect(out.status).toBe(303);
    expect((await partner.get('/partenaires')).status).toBe(303);
  });

  // Last of the file: it moves the shared clock by hours, past every other session of this context.
  it('ends a partner session after two hours without activity, and after twelve hours whatever happens', async () => {
    const p = await makePartner(t);
    const idle = await signInPartnerUser(t, await makePartnerUser(t, p));
    t.clock.advance(2 * 3600 * 1000 + 1000);
    const gone = await idle.get('/partenaires');
    expect(gone.status).toBe(303);
    expect(gone.headers.get('location')).toMatch(/^\/partenaires\/connexion/);
    const active = await signInPartnerUser(t, await makePartnerUser(t, p));
    for (let i = 0; i < 11; i++) {
      t.clock.advance(3600 * 1000 - 1000);
      expect((await active.get('/partenaires')).status).toBe(200);
    }
    // Active all along, but twelve hours have now passed since sign-in.
    t.clock.advance(3600 * 1000 + 20 * 1000);
    expect((await active.get('/partenaires')).status).toBe(303);
    expect(await t.db.kysely.selectFrom('partner_sessions').select('id_hash').where('partner_user_id', 'in', (eb) => eb.selectFrom('partner_users').select('id').where('partner_id', '=', p.id)).execute()).toEqual([]);
  });
});
