import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAgent, signIn, type SignedIn } from '../../../tests/support/admin.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { sealImport } from './carried-import.ts';

const fixture = (name: string) => fs.readFileSync(new URL(`../../../tests/fixtures/zoom/${name}`, import.meta.url));
type Upload = Partial<Record<'registrations' | 'attendees', [string, Buffer]>>;
const APRIL: Upload = { registrations: ['inscriptions.csv', fixture('2026-04-24-registration-report.csv')], attendees: ['participants.csv', fixture('2026-04-24-attendee-report.csv')] };

describe.each(dialects())('back-office import of Zoom reports on %s', (dialect) => {
  let t: TestContext;
  let agent: SignedIn;
  beforeEach(async () => {
    t = await createTestContext(dialect);
    agent = await signIn(t, await makeAgent(t, 'referent'));
  });
  afterEach(async () => {
    await t.close();
  });

  /** The form as a browser posts it: multipart, an empty part for a file field left empty. */
  const upload = (files: Upload, fields: Record<string, string> = {}, withCsrf = true) => {
    const form = new FormData();
    if (withCsrf) form.append('_csrf', agent.csrf);
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    for (const name of ['registrations', 'attendees'] as const) {
      const f = files[name];
      form.append(name, f ? new File([new Uint8Array(f[1])], f[0], { type: 'text/csv' }) : new File([], '', { type: 'application/octet-stream' }));
    }
    return t.app.request('/admin/imports/zoom', { method: 'POST', headers: { Cookie: agent.cookie }, body: form });
  };
  const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];
  const counts = async () => {
    const n = async (table: 'webinars' | 'candidates' | 'registrations' | 'audit_log') => Number((await t.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { webinars: await n('webinars'), candidates: await n('candidates'), registrations: await n('registrations'), audit: await n('audit_log') };
  };

  it('is linked from the Rencontres list, and asks for the two files in a multipart form', async () => {
    const list = await (await agent.get('/admin/rencontres')).text();
    expect(list).toContain('<a href="/admin/imports/zoom">Importer des rapports Zoom</a>');
    const res = await agent.get('/admin/imports/zoom');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<title>Importer des rapports Zoom');
    expect(html).toMatch(/<form method="post" action="\/admin\/imports\/zoom" enctype="multipart\/form-data"/);
    expect(html).toContain('id="f-registrations" name="registrations" type="file" accept=".csv,text/csv"');
    expect(html).toContain('id="f-attendees" name="attendees" type="file"');
    expect(html).toContain('value="Europe/Paris"');
    expect(html).toContain(`name="_csrf" value="${agent.csrf}"`);
  });

  it('uploads, previews without writing, confirms without uploading again, and shows what was done; confirming again changes nothing', async () => {
    const before = await counts();
    const res = await upload(APRIL);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(await counts()).toEqual(before);
    expect(html).toContain('Aperçu de l’import');
    expect(html).toContain('Rien n’est encore enregistré.');
    expect(html).toContain('<dt>Personnes</dt><dd>7 à créer, 0 déjà connue</dd>');
    expect(html).toContain('<dt>Inscriptions</dt><dd>7 à créer, 0 déjà enregistrée</dd>');
    expect(html).toContain('4 présents, 3 absents (présent à partir de 10 minutes)');
    expect(html).toContain('<td>Zoé C.</td><td>zoe.chassagne@example.fr</td><td>ligne 21</td>');
    expect(html).toContain('<td>iPhone de Paul<span class="tag tag--grey">invité·e</span></td><td class="num">22</td>');
    expect(html).toContain('<td>Élodie Fabre</td><td>elodie.fabre@example.fr</td><td>inscription : ligne 7 ; participation : lignes 16, 17</td>');
    expect(html).toContain('Test Robot (noreply@mailinator.com) : refusée dans Zoom, rapport d’inscription, ligne 14');
    const payload = hidden(html, 'payload');
    const mac = hidden(html, 'mac');
    expect(payload).toBeDefined();
    expect(mac).toBeDefined();

    const confirmed = await agent.post('/admin/imports/zoom/confirmer', { payload: payload!, mac: mac! });
    expect(confirmed.status).toBe(303);
    const webinar = await t.db.kysely.selectFrom('webinars').select(['id', 'title']).executeTakeFirstOrThrow();
    expect(confirmed.headers.get('location')).toBe(`/admin/imports/zoom/rencontres/${webinar.id}`);
    expect(await counts()).toMatchObject({ webinars: 1, candidates: 7, registrations: 7 });
    const regs = await t.db.kysely.selectFrom('registrations').select(['attended', 'attended_minutes']).execute();
    expect(regs.filter((r) => r.attended === 1)).toHaveLength(4);

    const done = await (await agent.get(confirmed.headers.get('location')!)).text();
    expect(done).toContain('Import des rapports Zoom enregistré');
    expect(done).toContain(`, par ${agent.agent.name}.`);
    expect(done).toContain(`<a href="/admin/rencontres/${webinar.id}">Rencontre Lozère Nouvelle Vie – avril 2026</a>`);
    expect(done).toContain('<dt>Personnes</dt><dd>7 créées, 0 déjà connue</dd>');
    expect(done).toContain('<dt>Participation</dt><dd>4 présents, 3 absents</dd>');
    const audit = await t.db.kysely.selectFrom('audit_log').select(['actor_type', 'actor_id']).where('action', '=', 'import.zoom').execute();
    expect(audit).toEqual([{ actor_type: 'agent', actor_id: agent.agent.id }]);

    // The same confirmation sent twice (a double click, the back button): nothing more.
    const afterFirst = await t.db.kysely.selectFrom('registrations').selectAll().orderBy('id').execute();
    expect((await agent.post('/admin/imports/zoom/confirmer', { payload: payload!, mac: mac! })).status).toBe(303);
    expect(await t.db.kysely.selectFrom('registrations').selectAll().orderBy('id').execute()).toEqual(afterFirst);
    expect(await counts()).toMatchObject({ webinars: 1, candidates: 7, registrations: 7 });
  });

  it('shows a broken file’s problems at its field, after the GOV.UK pattern, and writes nothing', async () => {
    const before = await counts();
    const res = await upload({ registrations: APRIL.registrations, attendees: ['participants.csv', fixture('broken-bad-date.csv')] });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('<title>Erreur : Importer des rapports Zoom');
    expect(html).toContain('<a href="#f-attendees">Ligne 18 : la date « 13/45/2026 12:28:30 PM » n’est pas lisible');
    expect(html).toMatch(/<div id="f-attendees-error" class="error-message"><span class="visually-hidden">Erreur : <\/span>Ligne 18 : la date « 13\/45\/2026 12:28:30 PM »/);
    expect(html).toContain('aria-describedby="f-attendees-hint f-attendees-error" aria-invalid="true"');
    expect(await counts()).toEqual(before);

    const none = await upload({});
    expect(none.status).toBe(422);
    expect(await none.text()).toContain('<a href="#f-registrations">Choisissez au moins un des deux rapports exportés de Zoom');

    const swapped = await upload({ registrations: ['participants.csv', fixture('2026-04-24-attendee-report.csv')] });
    expect(swapped.status).toBe(422);
    expect(await swapped.text()).toContain('<a href="#f-registrations">Ligne 1 : ce fichier est un rapport de participation (Attendee Report), pas un rapport d’inscription');

    const badZone = await upload(APRIL, { zone: 'Lune/Tranquillité' });
    expect(badZone.status).toBe(422);
    const badZoneHtml = await badZone.text();
    expect(badZoneHtml).toContain('<a href="#f-zone">Le fuseau horaire « Lune/Tranquillité » est inconnu');
    expect(badZoneHtml).toContain('value="Lune/Tranquillité"');
    expect(await counts()).toEqual(before);
  });

  it('refuses a confirmation whose files were altered, carried for another agent or too old, and writes nothing', async () => {
    const html = await (await upload(APRIL)).text();
    const payload = hidden(html, 'payload')!;
    const mac = hidden(html, 'mac')!;
    const before = await counts();

    // Someone edits the carried files in the page: the signature no longer matches.
    const forged = sealImport(Buffer.alloc(32, 9), { registrations: null, attendees: 'x', webinarId: null, zone: null, agentId: agent.agent.id, issuedAt: t.clock.now().getTime() });
    const attempts: Array<Record<string, string>> = [{ payload: forged.payload, mac }, { payload, mac: forged.mac }, { payload: `${payload}A`, mac }, {}];
    for (const fields of attempts) {
      const res = await agent.post('/admin/imports/zoom/confirmer', fields);
      expect(res.status).toBe(422);
      expect(await res.text()).toContain('L’aperçu envoyé n’est pas celui que la plateforme a préparé pour vous');
    }
    const other = await signIn(t, await makeAgent(t, 'admin'));
    const byOther = await other.post('/admin/imports/zoom/confirmer', { payload, mac });
    expect(byOther.status).toBe(422);
    // The agent stays active (the session lasts two idle hours) but leaves the preview open too long.
    t.clock.advance(3600_000);
    expect((await agent.get('/admin')).status).toBe(200);
    t.clock.advance(3600_000 + 1000);
    const late = await agent.post('/admin/imports/zoom/confirmer', { payload, mac });
    expect(late.status).toBe(422);
    expect(await late.text()).toContain('L’aperçu date de plus de deux heures');
    const after = await counts();
    // Only the second agent's sign-in was written meanwhile.
    expect({ ...after, audit: 0 }).toEqual({ ...before, audit: 0 });
    expect(await t.db.kysely.selectFrom('audit_log').select('id').where('action', '=', 'import.zoom').execute()).toEqual([]);
  });

  it('refuses an upload without the session’s CSRF token', async () => {
    const before = await counts();
    const res = await upload(APRIL, {}, false);
    expect(res.status).toBe(403);
    const after = await counts();
    expect({ ...after, audit: 0 }).toEqual({ ...before, audit: 0 });
    expect(await t.db.kysely.selectFrom('audit_log').select('action').where('action', '=', 'security.csrf-refused').execute()).toHaveLength(1);
  });
});
