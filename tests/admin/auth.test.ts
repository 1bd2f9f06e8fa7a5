import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignInThrottle } from '../../src/features/agents/sign-in.ts';
import { passwordProblem } from '../../src/features/agents/agent.ts';
import { AGENT_PASSWORD, makeAgent, signIn } from '../support/admin.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';

const form = (fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});

describe('the password rule', () => {
  it('wants 12 characters, accepts long ones, refuses the common and the obvious, has no composition rule', () => {
    expect(passwordProblem('court')).toMatch(/au moins 12 caractères/);
    expect(passwordProblem('qwerty123456')).toMatch(/plus utilisés/);
    expect(passwordProblem('aaaaaaaaaaaaaaa')).toMatch(/trop simple/);
    expect(passwordProblem('claire.bonnet-2027', { email: 'claire.bonnet@lozere.fr' })).toMatch(/adresse e-mail/);
    expect(passwordProblem('tout en minuscules sans chiffre')).toBeNull();
    expect(passwordProblem('é'.repeat(3) + ' une phrase de plus de soixante-quatre caractères, tout à fait acceptable ici')).toBeNull();
  });
});

describe.each(dialects())('signing in to the back-office on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect, { appOptions: { signInThrottle: undefined } });
  });
  afterEach(async () => {
    await t.close();
  });

  it('a right password opens a session with a fresh HttpOnly SameSite cookie; a wrong one does not, with one message for both fields', async () => {
    const agent = await makeAgent(t, 'admin');
    const bad = await t.app.request('/connexion', form({ email: agent.email, password: 'pas le bon mot de passe' }));
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('<title>Erreur : ');
    expect(html).toContain('Adresse e-mail ou mot de passe incorrect');
    expect(bad.headers.get('set-cookie')).toBeNull();

    const ok = await t.app.request('/connexion', form({ email: agent.email.toUpperCase(), password: AGENT_PASSWORD, retour: '/admin/rencontres' }));
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/admin/rencontres');
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^nv_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const audit = await t.db.kysely.selectFrom('audit_log').select(['action', 'details']).orderBy('at').execute();
    expect(audit.map((a) => a.action)).toEqual(['agent.created', 'agent.sign-in-failed', 'agent.sign-in']);
    expect(JSON.stringify(audit)).not.toContain(AGENT_PASSWORD);
  });

  it('never sends people to another site after sign-in', async () => {
    const agent = await makeAgent(t, 'admin');
    for (const retour of ['https://evil.example/', '//evil.example', '/rencontres', 'javascript:alert(1)']) {
      const res = await t.app.request('/connexion', form({ email: agent.email, password: AGENT_PASSWORD, retour }));
      expect(res.headers.get('location')).toBe('/admin');
    }
  });

  it('throttles after repeated failures on one account, without locking the real user out for long', async () => {
    const agent = await makeAgent(t, 'referent');
    for (let i = 0; i < 5; i++) expect((await t.app.request('/connexion', form({ email: agent.email, password: `mauvais mot de passe ${i}` }))).status).toBe(422);
    const blocked = await t.app.request('/connexion', form({ email: agent.email, password: AGENT_PASSWORD }));
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toMatch(/Trop de tentatives : réessayez dans \d+ minutes?/);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    t.clock.advance(15 * 60 * 1000 + 1000);
    expect((await t.app.request('/connexion', form({ email: agent.email, password: AGENT_PASSWORD }))).status).toBe(303);
  });

  it('throttles one address trying many accounts', async () => {
    const throttle = new SignInThrottle(t.s, { perAccount: 100, perIp: 3, windowMs: 60_000 });
    const tt = await createTestContext(dialect, { appOptions: { signInThrottle: throttle } });
    try {
      for (let i = 0; i < 3; i++) await tt.app.request('/connexion', form({ email: `inconnu${i}@example.org`, password: 'quelque chose de faux' }));
      expect((await tt.app.request('/connexion', form({ email: 'autre@example.org', password: 'quelque chose de faux' }))).status).toBe(429);
    } finally {
      await tt.close();
    }
  });

  it('signing out ends the session on the server: the old cookie no longer works', async () => {
    const a = await signIn(t, await makeAgent(t, 'admin'));
    expect((await a.get('/admin')).status).toBe(200);
    const out = await a.post('/deconnexion');
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/connexion?ok=deconnecte');
    const after = await a.get('/admin');
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(/^\/connexion\?retour=/);
  });

  it('a disabled agent is thrown out at once, and cannot sign in again', async () => {
    const admin = await signIn(t, await makeAgent(t, 'admin'));
    const referentRow = await makeAgent(t, 'referent');
    const referent = await signIn(t, referentRow);
    expect((await referent.get('/admin/rencontres')).status).toBe(200);
    const res = await admin.post(`/admin/agents/${referentRow.id}/desactiver`);
    expect(res.status).toBe(303);
    expect((await referent.get('/admin/rencontres')).status).toBe(303);
    expect((await t.app.request('/connexion', form({ email: referentRow.email, password: AGENT_PASSWORD }))).status).toBe(422);
    // Re-enabled, the same password works again.
    await admin.post(`/admin/agents/${referentRow.id}/reactiver`);
    expect((await t.app.request('/connexion', form({ email: referentRow.email, password: AGENT_PASSWORD }))).status).toBe(303);
  });

  it('a session ends after two hours without activity, and after twelve hours whatever happens', async () => {
    const a = await signIn(t, await makeAgent(t, 'admin'));
    t.clock.advance(2 * 3600 * 1000 + 1000);
    expect((await a.get('/admin')).status).toBe(303);
    const b = await signIn(t, await makeAgent(t, 'admin'));
    for (let i = 0; i < 11; i++) {
      t.clock.advance(3600 * 1000 - 1000);
      expect((await b.get('/admin')).status).toBe(200);
    }
    // Active all along, but twelve hours have now passed since sign-in.
    t.clock.advance(3600 * 1000 + 20 * 1000);
    expect((await b.get('/admin')).status).toBe(303);
  });

  it('refuses a write without the session’s CSRF token, or from another site', async () => {
    const a = await signIn(t, await makeAgent(t, 'admin'));
    const noToken = await t.app.request('/admin/agents', { method: 'POST', headers: { Cookie: a.cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'name=X&email=x%40example.org&role=admin' });
    expect(noToken.status).toBe(403);
    const crossSite = await t.app.request('/admin/agents', {
      method: 'POST',
      headers: { Cookie: a.cookie, 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
      body: `_csrf=${a.csrf}&name=X&email=x%40example.org&role=admin`,
    });
    expect(crossSite.status).toBe(403);
    expect(await t.db.kysely.selectFrom('agents').select('id').where('email', '=', 'x@example.org').execute()).toHaveLength(0);
  });

  it('an invited agent chooses a password with the one-time link, which then stops working', async () => {
    const admin = await signIn(t, await makeAgent(t, 'admin'));
    const res = await admin.post('/admin/agents', { name: 'Nadia Benali', email: 'nadia.benali@lozere.example', role: 'referent' });
    expect(res.status).toBe(303);
    const mail = await t.db.kysely.selectFrom('outbox_messages').selectAll().where('kind', '=', 'agent-invite').executeTakeFirstOrThrow();
    expect(mail.to_address).toBe('nadia.benali@lozere.example');
    const link = /http:\/\/nv\.test(\/connexion\/lien\/[A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
    expect((await t.app.request(link)).status).toBe(200);
    const weak = await t.app.request(link, form({ password: 'qwerty123456', confirmation: 'qwerty123456' }));
    expect(weak.status).toBe(422);
    expect(await weak.text()).toContain('plus utilisés');
    const mismatch = await t.app.request(link, form({ password: 'une phrase bien longue', confirmation: 'une autre phrase' }));
    expect(mismatch.status).toBe(422);
    const done = await t.app.request(link, form({ password: 'une phrase bien longue', confirmation: 'une phrase bien longue' }));
    expect(done.status).toBe(303);
    expect((await t.app.request(link)).status).toBe(410);
    expect((await t.app.request('/connexion', form({ email: 'nadia.benali@lozere.example', password: 'une phrase bien longue' }))).status).toBe(303);
    const audit = await t.db.kysely.selectFrom('audit_log').select('details').execute();
    expect(JSON.stringify(audit)).not.toMatch(/une phrase bien longue|connexion\/lien/);
  });

  it('an admin can neither disable themself nor the last active admin', async () => {
    const meRow = await makeAgent(t, 'admin');
    const me = await signIn(t, meRow);
    const res = await me.post(`/admin/agents/${meRow.id}/desactiver`);
    expect(res.status).toBe(409);
    expect((await me.get('/admin')).status).toBe(200);
  });
});
