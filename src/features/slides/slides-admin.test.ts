import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hiddenFields, textOf } from '../../../tests/http/html.ts';
import { makeAgent, signIn, type SignedIn } from '../../../tests/support/admin.ts';
import { createWebinar } from '../../../tests/support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { seedContentIfEmpty } from '../content/seed-content.ts';

/** The titles of the slides as the presenter view has them, in order. */
async function slideTitles(agent: SignedIn, webinarId: string): Promise<string[]> {
  const html = await (await agent.get(`/admin/rencontres/${webinarId}/diaporama/presenter/1`)).text();
  return [...html.matchAll(/data-slide="\d+" data-title="([^"]*)"/g)].map((m) => textOf(m[1]!));
}

describe.each(dialects())('slides of a Rencontre on %s', (dialect) => {
  let t: TestContext;
  let agent: SignedIn;

  beforeEach(async () => {
    t = await createTestContext(dialect);
    await seedContentIfEmpty(t.db, t.territory, 'lozere', t.clock.now());
    agent = await signIn(t, await makeAgent(t, 'referent', { name: 'Claire Bonnet' }));
  });
  afterEach(async () => {
    await t.close();
  });

  it('follows the generic outline, or the theme’s, and always ends with how to be accompanied', async () => {
    const generic = await createWebinar(t.db, { date: '2027-01-15' });
    const titles = await slideTitles(agent, generic.id);
    expect(titles).toHaveLength(13);
    expect(titles[0]).toBe(generic.title);
    expect(titles[1]).toBe('Venir en Lozère et s’y déplacer');
    expect(titles.at(-1)).toBe('Être accompagné·e pour votre installation');

    const school = await createWebinar(t.db, { date: '2027-03-19', kind: 'thematic', theme: 'systeme-educatif', title: 'Rencontre thématique : système éducatif' });
    expect(await slideTitles(agent, school.id)).toEqual([
      'Rencontre thématique : système éducatif',
      'Venir en Lozère et s’y déplacer',
      'Écoles et garde d’enfants',
      'Cinq régions naturelles',
      'Santé',
      'La qualité de vie',
      'Ils se sont installés',
      'Être accompagné·e pour votre installation',
    ]);
    // The last slide: the agents who accompany, the short link and its QR code to the first contact form.
    const last = await (await agent.get(`/admin/rencontres/${school.id}/diaporama/presenter/8`)).text();
    expect(textOf(last)).toContain('Claire Bonnet');
    expect(textOf(last)).toContain('nv.test/premier-contact');
    expect(last).toMatch(/<svg class="qr-code"[^>]*role="img" aria-label="QR code vers la demande d’accompagnement : nv.test\/premier-contact"/);
    expect((await agent.get(`/admin/rencontres/${school.id}/diaporama/presenter/9`)).status).toBe(404);
  });

  it('is adjusted for one edition only: reorder, hide, add a slide, remove one after confirmation, back to the outline', async () => {
    const w = await createWebinar(t.db, { date: '2027-03-19', kind: 'thematic', theme: 'logement', title: 'Se loger en Lozère' });
    const other = await createWebinar(t.db, { date: '2027-05-21', kind: 'thematic', theme: 'logement', title: 'Se loger, encore' });
    const base = `/admin/rencontres/${w.id}/diaporama`;
    expect(await slideTitles(agent, w.id)).toEqual(['Se loger en Lozère', 'Venir en Lozère et s’y déplacer', 'Se loger', 'Cinq régions naturelles', 'La qualité de vie', 'Ils se sont installés', 'Être accompagné·e pour votre installation']);

    expect((await agent.post(`${base}/deplacer`, { ref: 'section:logement', sens: 'haut' })).status).toBe(303);
    expect((await agent.post(`${base}/masquer`, { ref: 'section:qualite-de-vie' })).status).toBe(303);
    const added = await agent.post(`${base}/ajouter`, { title: 'Le salon du logement de Mende', body: '- samedi 12 juin\n- halle Saint-Jean', notes: 'Distribuer le programme.', after: 'section:logement' });
    expect(added.headers.get('location')).toBe(`${base}?ok=ajoutee`);
    expect((await agent.post(`${base}/rubrique`, { key: 'emploi' })).status).toBe(303);
    expect(await slideTitles(agent, w.id)).toEqual([
      'Se loger en Lozère',
      'Se loger',
      'Le salon du logement de Mende',
      'Venir en Lozère et s’y déplacer',
      'Cinq régions naturelles',
      'Ils se sont installés',
      'L’emploi et les secteurs qui recrutent',
      'Être accompagné·e pour votre installation',
    ]);
    // The added slide has its notes in the notes window.
    expect(textOf(await (await agent.get(`${base}/notes/3`)).text())).toContain('Distribuer le programme.');
    // Another Rencontre of the same theme is untouched.
    expect(await slideTitles(agent, other.id)).toHaveLength(7);

    // Removing asks first; the answer page removes it.
    const editor = await (await agent.get(base)).text();
    const removeLink = /href="([^"]*\/retirer\?ref=custom%3A[0-9a-f]+)"/.exec(editor)![1]!.replace(/&amp;/g, '&');
    const confirm = await (await agent.get(removeLink)).text();
    expect(textOf(confirm)).toContain('Retirer « Le salon du logement de Mende » ?');
    expect((await agent.post(`${base}/retirer`, hiddenFields(confirm))).status).toBe(303);
    expect(await slideTitles(agent, w.id)).not.toContain('Le salon du logement de Mende');

    const reset = await (await agent.get(`${base}/reinitialiser`)).text();
    expect(textOf(reset)).toContain('Revenir au plan d’origine ?');
    expect((await agent.post(`${base}/reinitialiser`, hiddenFields(reset))).status).toBe(303);
    expect(await slideTitles(agent, w.id)).toEqual(['Se loger en Lozère', 'Venir en Lozère et s’y déplacer', 'Se loger', 'Cinq régions naturelles', 'La qualité de vie', 'Ils se sont installés', 'Être accompagné·e pour votre installation']);
    const journal = await t.db.kysely.selectFrom('audit_log').select('action').where('subject_id', '=', w.id).orderBy('at').execute();
    expect(journal.map((j) => j.action)).toEqual(['slides.changed', 'slides.changed', 'slides.changed', 'slides.changed', 'slides.changed', 'slides.reset']);
  });

  it('says in French what an added slide lacks, and keeps what was typed', async () => {
    const w = await createWebinar(t.db, { date: '2027-01-15' });
    const res = await agent.post(`/admin/rencontres/${w.id}/diaporama/ajouter`, { title: ' ', body: 'Un texte sans titre', notes: '', after: 'section:inconnue' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('<title>Erreur : ');
    expect(textOf(html)).toContain('Saisissez le titre de la diapositive.');
    expect(textOf(html)).toContain('Choisissez la place de la diapositive dans la liste.');
    expect(html).toContain('Un texte sans titre');
  });

  it('is reserved to agents, and the presenter’s script is a file of the site (CSP script-src self)', async () => {
    const w = await createWebinar(t.db, { date: '2027-01-15' });
    const anonymous = await t.app.request(`/admin/rencontres/${w.id}/diaporama/presenter/1`);
    expect(anonymous.status).toBe(303);
    const page = await (await agent.get(`/admin/rencontres/${w.id}/diaporama/presenter/1`)).text();
    const src = /<script src="(\/static\/presenter\.[0-9a-f]{12}\.js)" defer=""><\/script>/.exec(page)?.[1];
    expect(src).toBeDefined();
    const script = await t.app.request(src!);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('BroadcastChannel');
    // Without JavaScript, each slide is a page with its "précédente / suivante" links.
    expect(page).toMatch(/<a href="\/admin\/rencontres\/[^"]+\/diaporama\/presenter\/2"[^>]*\bdata-next\b[^>]*>Suivante<\/a>/);
  });
});
