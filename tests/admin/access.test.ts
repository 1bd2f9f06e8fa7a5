import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgent, signIn, type SignedIn } from '../support/admin.ts';
import { createWebinar } from '../support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';

/** Every /admin route of the app, with its parameters filled in: a new route cannot be forgotten. */
function adminRoutes(t: TestContext, ids: Record<string, string>) {
  const seen = new Set<string>();
  const out: Array<{ method: string; path: string; pattern: string }> = [];
  for (const r of t.app.routes) {
    if (!r.path.startsWith('/admin') || r.method === 'ALL') continue;
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const path = r.path.replace(/:([a-z]+)/g, (_, name: string) => ids[name] ?? 'x');
    out.push({ method: r.method, path, pattern: r.path });
  }
  return out;
}

describe.each(dialects())('who may reach the back-office, on %s', (dialect) => {
  let t: TestContext;
  let referent: SignedIn;
  let admin: SignedIn;
  let ids: Record<string, string>;
  beforeAll(async () => {
    t = await createTestContext(dialect);
    admin = await signIn(t, await makeAgent(t, 'admin'));
    const refRow = await makeAgent(t, 'referent');
    referent = await signIn(t, refRow);
    const w = await createWebinar(t.db);
    ids = { id: w.id, rid: 'unknown', n: '0', token: 'x' };
  });
  afterAll(async () => {
    await t.close();
  });

  it('has a good number of back-office routes to check', () => {
    expect(adminRoutes(t, ids).length).toBeGreaterThan(25);
  });

  it('answers every /admin route without a session with a redirect to sign-in (pages) or 401 (writes), and no data', async () => {
    for (const r of adminRoutes(t, ids)) {
      const res = await t.app.request(r.path, { method: r.method, headers: r.method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}, body: r.method === 'POST' ? '' : undefined });
      const body = await res.text();
      if (r.method === 'GET') {
        expect(res.status, `${r.method} ${r.pattern}`).toBe(303);
        expect(res.headers.get('location'), r.pattern).toMatch(/^\/connexion\?retour=%2Fadmin/);
      } else {
        expect(res.status, `${r.method} ${r.pattern}`).toBe(401);
      }
      expect(body).not.toContain('Rencontre Lozère Nouvelle Vie du');
      expect(res.headers.get('content-security-policy'), r.pattern).toContain("frame-ancestors 'none'");
    }
  });

  it('an unknown /admin address without a session redirects too', async () => {
    expect((await t.app.request('/admin/nimporte-quoi')).status).toBe(303);
  });

  it('keeps the admin-only parts (agents, journal) from referents, on the server, for every method', async () => {
    const adminOnly = adminRoutes(t, ids).filter((r) => r.pattern.startsWith('/admin/agents') || r.pattern.startsWith('/admin/journal'));
    expect(adminOnly.length).toBeGreaterThanOrEqual(6);
    for (const r of adminOnly) {
      const res = r.method === 'GET' ? await referent.get(r.path) : await referent.post(r.path, { name: 'X', email: 'x@example.org', role: 'admin' });
      expect(res.status, `${r.method} ${r.pattern}`).toBe(403);
    }
    expect(await t.db.kysely.selectFrom('agents').select('id').where('email', '=', 'x@example.org').execute()).toHaveLength(0);
    const refused = await t.db.kysely.selectFrom('audit_log').select('action').where('action', '=', 'security.forbidden').execute();
    expect(refused.length).toBe(adminOnly.length);
    // The menu does not offer them either.
    expect(await (await referent.get('/admin')).text()).not.toContain('href="/admin/agents"');
  });

  it('lets an admin reach them', async () => {
    expect((await admin.get('/admin/agents')).status).toBe(200);
    expect((await admin.get('/admin/journal')).status).toBe(200);
  });

  it('lets a referent do the daily work', async () => {
    for (const p of ['/admin', '/admin/rencontres', `/admin/rencontres/${ids.id}`, '/admin/courriels', '/admin/rencontres/nouvelle']) {
      expect((await referent.get(p)).status, p).toBe(200);
    }
  });

  it('never lets back-office pages be cached', async () => {
    expect((await admin.get('/admin')).headers.get('cache-control')).toBe('no-store');
  });
});
