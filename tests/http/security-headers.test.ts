import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/platform/http/rate-limit.ts';
import { bookAppointment } from '../../src/features/appointments/book-appointment.ts';
import { publishSlots } from '../../src/features/appointments/manage-slots.ts';
import type { ReferentTables } from '../../src/features/referents/referent-tables.ts';
import { createTask } from '../../src/features/tasks/manage-tasks.ts';
import { makeAgent, signIn, type SignedIn } from '../support/admin.ts';
import { createWebinar, formFields, postForm } from '../support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';
import { privateTokenFromEmail, textOf } from './html.ts';

/**
 * Routes whose own policy replaces the default, and why. Anything else must carry the default one.
 * The e-mail preview is shown in an iframe of the back-office's own page, so it allows that one frame.
 */
const FRAMED_BY_OUR_OWN_PAGE = new Set(['/admin/courriels/:id/apercu']);

function directives(csp: string | null): Record<string, string> {
  return Object.fromEntries(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...values] = d.split(/\s+/);
        return [name!, values.join(' ')];
      }),
  );
}

/** The headers every response must carry, errors and redirects included, and the doctype of every HTML page. */
async function expectHardened(res: Response, label: string, pattern?: string) {
  const csp = directives(res.headers.get('content-security-policy'));
  expect(csp['object-src'] ?? csp['default-src'], `${label}: object-src`).toBe("'none'");
  expect(csp['base-uri'], `${label}: base-uri`).toBe("'none'");
  const framed = pattern !== undefined && FRAMED_BY_OUR_OWN_PAGE.has(pattern) && res.status === 200;
  expect(csp['frame-ancestors'], `${label}: frame-ancestors`).toBe(framed ? "'self'" : "'none'");
  expect(res.headers.get('x-content-type-options'), `${label}: nosniff`).toBe('nosniff');
  // Private links carry their token in the path: no Referer may take it to another site.
  expect(['same-origin', 'no-referrer'], `${label}: Referrer-Policy`).toContain(res.headers.get('referrer-policy'));
  const body = await res.text();
  if ((res.headers.get('content-type') ?? '').startsWith('text/html') && body.length > 0 && !framed) {
    expect(body.slice(0, 15), `${label}: doctype`).toBe('<!DOCTYPE html>');
  }
  return body;
}

describe.each(dialects())('security headers on every route, on %s', (dialect) => {
  let t: TestContext;
  let admin: SignedIn;
  let values: (pattern: string, name: string) => string;
  let routes: Array<{ method: string; pattern: string }>;

  beforeAll(async () => {
    t = await createTestContext(dialect);
    const w = await createWebinar(t.db);
    const res = await t.app.request(`/rencontres/${w.slug}/inscription`, postForm(formFields()));
    const key = res.headers.get('location')!.split('/').pop()!;
    const reg = await t.db.kysely.selectFrom('registrations').selectAll().executeTakeFirstOrThrow();
    const token = await privateTokenFromEmail(t.db, reg.id);
    const mail = await t.db.kysely.selectFrom('outbox_messages').select('id').executeTakeFirstOrThrow();
    admin = await signIn(t, await makeAgent(t, 'admin'));
    const colleague = await makeAgent(t, 'referent');
    // A saved view and a person of the household, for the candidate file's routes.
    const view = { id: '00000000-0000-4000-8000-0000000000aa', agent_id: admin.agent.id, name: 'Toutes les fiches', query: '', created_at: '2027-01-04T09:00:00.000Z' };
    await t.db.kysely.insertInto('saved_views').values(view).execute();
    const member = { id: '00000000-0000-4000-8000-0000000000bb', candidate_id: reg.candidate_id, kind: 'child' as const, first_name: 'Léa', age: 8, occupation: null, needs_job: 0, school_need: 'elementaire', created_at: '2027-01-04T09:00:00.000Z' };
    await t.db.kysely.insertInto('household_members').values(member).execute();
    // A task, a free slot, an appointment and a new request given to a referent, for issue 5's routes.
    const task = await createTask(t.s, { candidateId: reg.candidate_id, form: { title: 'Rappeler', dueOn: '2027-01-12', assigneeId: colleague.id }, by: colleague });
    await publishSlots(t.s, { form: { mode: 'phone', day: '2027-01-20', from: '10:00', to: '11:00', duration: 30, videoUrl: '' }, by: colleague });
    const slots = await t.db.kysely.selectFrom('appointment_slots').select('id').orderBy('starts_at').execute();
    const appointment = await bookAppointment(t.s, { candidateId: reg.candidate_id, slotId: slots[0]!.id, form: { phone: '06 12 34 56 78', topic: null }, actor: { type: 'candidate', id: reg.candidate_id } });
    const assignment = { id: '00000000-0000-4000-8000-0000000000cc', candidate_id: reg.candidate_id, request_id: null, agent_id: colleague.id, previous_agent_id: null, method: 'manual' as const, at: '2027-01-04T09:00:00.000Z', actor_type: 'system' as const, actor_id: null, acknowledged_at: null };
    await t.db.kysely.withTables<ReferentTables>().insertInto('referent_assignments').values(assignment).execute();
    const ids: Record<string, string> = {
      '/admin/rencontres/': w.id,
      '/admin/statistiques/rencontres/': w.id,
      '/admin/imports/zoom/rencontres/': w.id,
      '/admin/candidats/': reg.candidate_id,
      '/admin/courriels/': mail.id,
      '/admin/agents/': colleague.id,
      '/admin/taches/': task,
      '/admin/rendez-vous/creneaux/': slots[1]!.id,
      '/admin/rendez-vous/': appointment.appointmentId,
      '/admin/a-faire/demandes/': assignment.id,
    };
    values = (pattern, name) => {
      if (name === 'slug') return w.slug;
      if (name === 'key') return key;
      if (name === 'token') return pattern.startsWith('/mon-inscription/') ? token : 'lien-inconnu';
      if (name === 'rid') return reg.id;
      if (name === 'n') return '0';
      if (name === 'vid') return view.id;
      // Every statistics table as a workbook: the route that reads the most.
      if (name === 'file' && pattern.startsWith('/admin/statistiques/export/')) return 'tout.xlsx';
      if (name === 'mid') return member.id;
      if (name === 'step') return 'vous';
      const byPrefix = Object.entries(ids).find(([prefix]) => name === 'id' && pattern.startsWith(prefix));
      if (byPrefix) return byPrefix[1];
      throw new Error(`No value for :${name} in ${pattern}: give this test a real one, so that the new route is checked for what it really answers.`);
    };
    const seen = new Set<string>();
    routes = t.app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({ method: r.method, pattern: r.path }))
      .filter((r) => !seen.has(`${r.method} ${r.pattern}`) && seen.add(`${r.method} ${r.pattern}`))
      // Writes last: cancelling the registration must not change what the pages above answer.
      .sort((a, b) => Number(a.method !== 'GET') - Number(b.method !== 'GET'));
  });
  afterAll(async () => {
    await t.close();
  });

  const concrete = (pattern: string) => pattern.replace(/:([A-Za-z]+)/g, (_, name: string) => encodeURIComponent(values(pattern, name))).replace(/\*/g, 'x');

  it('knows the public site, the sign-in and the back-office routes', () => {
    const patterns = routes.map((r) => `${r.method} ${r.pattern}`);
    for (const p of ['GET /', 'GET /healthz', 'GET /rencontres/:slug', 'POST /rencontres/:slug/inscription', 'GET /mon-inscription/:token', 'GET /mentions-legales', 'GET /admin']) expect(patterns).toContain(p);
    expect(routes.length).toBeGreaterThan(20);
  });

  it('for a visitor: every route, every method, whatever it answers', async () => {
    for (const r of routes) {
      const path = concrete(r.pattern);
      const init: RequestInit = r.method === 'GET' ? {} : r.pattern === '/rencontres/:slug/inscription' ? postForm(formFields({ email: 'autre@example.org' })) : postForm({});
      const res = await t.app.request(path, { ...init, method: r.method });
      expect(res.status, `${r.method} ${r.pattern}`).toBeLessThan(500);
      await expectHardened(res, `${r.method} ${path} → ${res.status}`, r.pattern);
    }
  });

  it('for a signed-in agent: every page of the back-office, each answering without a server error', async () => {
    for (const r of routes.filter((x) => x.method === 'GET')) {
      const path = concrete(r.pattern);
      const res = await admin.get(path);
      expect(res.status, `GET ${path}`).toBeLessThan(500);
      await expectHardened(res, `GET ${path} (agent) → ${res.status}`, r.pattern);
    }
  });

  it('on pages that do not exist, on refusals and on other error answers', async () => {
    const cases: Array<[string, Response | Promise<Response>, number]> = [
      ['unknown address', t.app.request('/nulle-part'), 404],
      ['unknown Rencontre', t.app.request('/rencontres/rencontre-1999-01-01'), 404],
      ['malformed private link', t.app.request('/mon-inscription/abc'), 404],
      ['method not routed', t.app.request('/mentions-legales', { method: 'DELETE' }), 404],
      ['cross-site post by Origin', t.app.request('/rencontres/x/inscription', postForm(formFields(), { Origin: 'https://evil.example' })), 403],
      ['cross-site post by Sec-Fetch-Site', t.app.request('/rencontres/x/inscription', postForm(formFields(), { 'Sec-Fetch-Site': 'cross-site' })), 403],
      ['body too large', t.app.request('/rencontres/x/inscription', postForm({ question: 'x'.repeat(300 * 1024) })), 413],
      ['stylesheet not modified', (async () => {
        const css = routes.find((r) => r.pattern.startsWith('/static/'))!.pattern;
        const etag = (await t.app.request(css)).headers.get('etag')!;
        return t.app.request(css, { headers: { 'If-None-Match': etag } });
      })(), 304],
      ['HEAD of a page', t.app.request('/', { method: 'HEAD' }), 200],
    ];
    for (const [label, pending, status] of cases) {
      const res = await pending;
      expect(res.status, label).toBe(status);
      await expectHardened(res, label);
    }
  });

  it('GET /healthz answers 200 once the database answers, never from a cache', async () => {
    const res = await t.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('on too many requests (429)', async () => {
    const limited = await createTestContext(dialect, {
      appOptions: {
        registrationLimits: {
          perIp: new RateLimiter(1, 60_000, t.clock),
          perEmail: new RateLimiter(1, 60_000, t.clock),
        },
      },
    });
    try {
      expect((await limited.app.request('/rencontres/x/inscription', postForm(formFields()))).status).toBe(404);
      const res = await limited.app.request('/rencontres/x/inscription', postForm(formFields()));
      expect(res.status).toBe(429);
      await expectHardened(res, '429');
    } finally {
      await limited.close();
    }
  });
});

describe.each(dialects())('an unexpected server error on %s', (dialect) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('is a French page with a reference, the same headers, and no stack trace', async () => {
    // A row no code path writes (an unreadable start time) makes the page fail as a bug would.
    const w = await createWebinar(t.db);
    await t.db.kysely.updateTable('webinars').set({ starts_at: 'pas une date' }).where('id', '=', w.id).execute();
    const res = await t.app.request(`/rencontres/${w.slug}`, { headers: { 'X-Request-Id': 'abcdef12-3456-7890' } });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-request-id')).toBe('abcdef12-3456-7890');
    const body = await expectHardened(res, '500');
    const text = textOf(body);
    expect(text).toContain('Une erreur est survenue');
    expect(text).toContain('Rien n’a été perdu');
    expect(text).toContain('la référence abcdef12');
    expect(body).not.toMatch(/RangeError|Invalid time value|at \S+ \(|\.tsx?:\d+/);
  });
});
