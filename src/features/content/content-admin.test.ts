import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorSummaryLinks, hiddenFields, inlineError, textOf } from '../../../tests/http/html.ts';
import { makeAgent, signIn, type SignedIn } from '../../../tests/support/admin.ts';
import { createWebinar } from '../../../tests/support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { loadCommunes } from '../territory/communes.ts';
import { listVersions } from './content-repository.ts';
import { seedContentIfEmpty } from './seed-content.ts';

/** The fields of an edit form as the page rendered them, ready to be sent back with changes. */
async function editForm(agent: SignedIn, path: string): Promise<Record<string, string>> {
  const html = await (await agent.get(path)).text();
  const fields: Record<string, string> = { ...hiddenFields(html.slice(0, html.indexOf('enctype="multipart/form-data"'))) };
  for (const m of html.matchAll(/<input\b[^>]*\bname="([^"]+)"[^>]*>/g)) {
    const tag = m[0];
    if (/type="(hidden|checkbox|file|search)"/.test(tag)) continue;
    const value = /value="([^"]*)"/.exec(tag)?.[1] ?? '';
    if (!(m[1]! in fields)) fields[m[1]!] = textOf(value);
  }
  for (const m of html.matchAll(/<textarea\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) fields[m[1]!] = textOf(m[2]!).trim() === '' ? '' : unescape(m[2]!);
  for (const m of html.matchAll(/<select\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) fields[m[1]!] = /<option value="([^"]*)" selected/.exec(m[2]!)?.[1] ?? /<option value="([^"]*)"/.exec(m[2]!)?.[1] ?? '';
  delete fields._csrf;
  delete fields.alt;
  delete fields.caption;
  delete fields.credit;
  return fields;
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The index of the figure labelled `label` in an edit form's fields. */
function figureIndex(fields: Record<string, string>, label: string): number {
  const key = Object.keys(fields).find((k) => /^figure-\d+-label$/.test(k) && fields[k] === label);
  if (!key) throw new Error(`no figure "${label}" in the form`);
  return Number(key.split('-')[1]);
}

async function upload(t: TestContext, agent: SignedIn, path: string, file: { bytes: Uint8Array; name: string; type: string }, fields: Record<string, string>) {
  const form = new FormData();
  form.set('_csrf', agent.csrf);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  return t.app.request(path, { method: 'POST', headers: { Cookie: agent.cookie }, body: form });
}

describe.each(dialects())('content base in the back-office and on the public site, on %s', (dialect) => {
  let t: TestContext;
  let agent: SignedIn;

  beforeEach(async () => {
    t = await createTestContext(dialect);
    await seedContentIfEmpty(t.db, t.territory, 'lozere', t.clock.now());
    await loadCommunes(t.db, t.territory);
    agent = await signIn(t, await makeAgent(t, 'referent', { name: 'Claire Bonnet' }));
  });
  afterEach(async () => {
    await t.close();
  });

  it('shows a figure changed in the content base on the public page and on the slides of a Rencontre', async () => {
    const webinar = await createWebinar(t.db, { date: '2027-01-15' });
    const before = await (await t.app.request('/vivre-en-lozere/emploi')).text();
    expect(textOf(before)).toContain('4,8 %');
    const slidesBefore = await (await agent.get(`/admin/rencontres/${webinar.id}/diaporama/presenter/1`)).text();
    expect(textOf(slidesBefore)).toContain('4,8 %');

    const fields = await editForm(agent, '/admin/contenus/sections/emploi');
    const i = figureIndex(fields, 'Taux de chômage');
    const res = await agent.post('/admin/contenus/sections/emploi', { ...fields, [`figure-${i}-value`]: '4,6 %', [`figure-${i}-date`]: '2025', comment: 'Chômage 2025' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/contenus/sections/emploi?ok=enregistree');

    const after = textOf(await (await t.app.request('/vivre-en-lozere/emploi')).text());
    expect(after).toContain('4,6 %');
    expect(after).toContain('Taux de chômage');
    expect(after).not.toContain('4,8 %');
    const slides = textOf(await (await agent.get(`/admin/rencontres/${webinar.id}/diaporama/presenter/1`)).text());
    expect(slides).toContain('4,6 %');
    expect(slides).not.toContain('4,8 %');

    // Who changed what and when is kept.
    const versions = await listVersions(t.db.kysely, 'section:emploi');
    expect(versions.map((v) => [v.number, v.createdByName, v.comment])).toEqual([
      [2, 'Claire Bonnet', 'Chômage 2025'],
      [1, 'Contenu initial du territoire', 'Chargement de content.json'],
    ]);
    expect(versions[0]!.createdAt).toBe(t.clock.now().toISOString());
  });

  it('restores an earlier version after a confirmation, as a new version that keeps the history', async () => {
    const fields = await editForm(agent, '/admin/contenus/sections/logement');
    expect((await agent.post('/admin/contenus/sections/logement', { ...fields, summary: 'Un chapeau qui ne convient pas.' })).status).toBe(303);
    expect(textOf(await (await t.app.request('/vivre-en-lozere/logement')).text())).toContain('Un chapeau qui ne convient pas.');

    const history = await (await agent.get('/admin/contenus/sections/logement/versions')).text();
    expect(history).toContain('href="/admin/contenus/sections/logement/versions/1"');
    // The confirmation page: what the version holds, and the button that restores it.
    const confirm = await (await agent.get('/admin/contenus/sections/logement/versions/1')).text();
    expect(textOf(confirm)).toContain('Restaurer cette version ?');
    expect(textOf(confirm)).toContain('L’employeur aide souvent au premier logement');
    const restore = await agent.post('/admin/contenus/sections/logement/versions/1/restaurer', hiddenFields(confirm));
    expect(restore.status).toBe(303);

    const page = textOf(await (await t.app.request('/vivre-en-lozere/logement')).text());
    expect(page).not.toContain('Un chapeau qui ne convient pas.');
    expect(page).toContain('l’ADIL et le CAUE conseillent gratuitement');
    const versions = await listVersions(t.db.kysely, 'section:logement');
    expect(versions.map((v) => [v.number, v.restoredFrom, v.comment])).toEqual([
      [3, 1, 'Version 1 restaurée'],
      [2, null, null],
      [1, null, 'Chargement de content.json'],
    ]);
    const audit = await t.db.kysely.selectFrom('audit_log').select(['action', 'actor_id']).where('subject_id', '=', 'section:logement').orderBy('at').execute();
    expect(audit.map((a) => a.action)).toEqual(['content.saved', 'content.restored']);
    expect(audit.every((a) => a.actor_id === agent.agent.id)).toBe(true);
  });

  it('refuses a save made from an outdated version instead of erasing the other change', async () => {
    const fields = await editForm(agent, '/admin/contenus/sections/sante');
    const other = await signIn(t, await makeAgent(t, 'admin', { name: 'Marc Roux' }));
    expect((await other.post('/admin/contenus/sections/sante', { ...fields, summary: 'Version de Marc.' })).status).toBe(303);
    const late = await agent.post('/admin/contenus/sections/sante', { ...fields, summary: 'Version de Claire.' });
    expect(late.status).toBe(409);
    const html = await late.text();
    expect(errorSummaryLinks(html)[0]![1]).toContain('modifiée entre-temps par Marc Roux (version 2)');
    // Her text is still in the form, now based on Marc's version.
    expect(html).toContain('Version de Claire.');
    expect(hiddenFields(html).base).toBe('2');
    expect(textOf(await (await t.app.request('/vivre-en-lozere/sante')).text())).toContain('Version de Marc.');
  });

  it('flags a figure older than a year "à vérifier" on the content pages and on the dashboard, until it is updated', async () => {
    // 4 January 2027: a figure of 2025 or before is older than a year, one of 2026 is not.
    const list = await (await agent.get('/admin/contenus')).text();
    expect(textOf(list)).toMatch(/Taux de chômage, 4,8 % \(2024\) à vérifier/);
    expect(textOf(list)).not.toMatch(/Aires de covoiturage[^;]*à vérifier/);
    const dashboard = textOf(await (await agent.get('/admin')).text());
    const stale = /(\d+) chiffres clés à vérifier \(plus d’un an\)/.exec(dashboard);
    expect(stale).not.toBeNull();
    const edit = await (await agent.get('/admin/contenus/sections/emploi')).text();
    expect(textOf(edit)).toContain('Chiffre clé n° 1 à vérifier');

    const fields = await editForm(agent, '/admin/contenus/sections/emploi');
    const i = figureIndex(fields, 'Taux de chômage');
    await agent.post('/admin/contenus/sections/emploi', { ...fields, [`figure-${i}-date`]: '12/2026' });
    const listAfter = textOf(await (await agent.get('/admin/contenus')).text());
    expect(listAfter).not.toMatch(/Taux de chômage, 4,8 %/);
    const dashboardAfter = textOf(await (await agent.get('/admin')).text());
    expect(Number(/(\d+) chiffres clés à vérifier/.exec(dashboardAfter)![1])).toBe(Number(stale![1]) - 1);
    // The public never sees the flag.
    expect(await (await t.app.request('/vivre-en-lozere/emploi')).text()).not.toContain('à vérifier');
  });

  it('renders a <script> typed in the Markdown as inert text, and keeps only safe links', async () => {
    const fields = await editForm(agent, '/admin/contenus/sections/loisirs-sport');
    const body = 'Texte **gras**.\n\n<script>alert("xss")</script>\n\n<img src=x onerror="alert(1)">\n\n[piège](javascript:alert(1)) et [OT](https://www.example.org/)';
    expect((await agent.post('/admin/contenus/sections/loisirs-sport', { ...fields, body })).status).toBe(303);
    const html = await (await t.app.request('/vivre-en-lozere/loisirs-sport')).text();
    expect(html).not.toMatch(/<script>alert/);
    expect(html).not.toMatch(/<img src="?x/);
    expect(html).not.toContain('javascript:');
    expect(html).toMatch(/&lt;script&gt;alert\((&quot;|")xss(&quot;|")\)&lt;\/script&gt;/);
    expect(html).toContain('<strong>gras</strong>');
    expect(html).toContain('<a href="https://www.example.org/">OT</a>');
    // The only scripts of the site are files of its own origin (CSP script-src 'self').
    expect((await t.app.request('/vivre-en-lozere/loisirs-sport')).headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('says in French what is wrong with a figure, a link or a travel time, at the field', async () => {
    const fields = await editForm(agent, '/admin/contenus/sections/acces');
    const res = await agent.post('/admin/contenus/sections/acces', {
      ...fields,
      'figure-5-label': 'Gares',
      'figure-5-value': '6',
      'figure-5-date': '31/02/2024',
      'link-3-label': 'Horaires',
      'link-3-url': 'ftp://example.org',
      'travel-6-from': 'Toulouse',
      'travel-6-dep': '',
      'travel-6-duration': 'longtemps',
      'travel-6-mode': 'voiture',
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('<title>Erreur : ');
    expect(inlineError(html, 'f-figure-5-source')).toBe('Saisissez la source du chiffre clé n°\u00a06, comme « INSEE » : un chiffre sans source ne peut pas être vérifié.');
    expect(inlineError(html, 'f-figure-5-date')).toContain('doit être une année, un mois ou un jour réels');
    expect(inlineError(html, 'f-link-3-url')).toBe('L’adresse du lien n°\u00a04 doit commencer par https:// ou http://.');
    expect(inlineError(html, 'f-travel-6-dep')).toContain('comme 34 ou 69');
    expect(inlineError(html, 'f-travel-6-duration')).toBe('Saisissez la durée du trajet n°\u00a07, comme 1 h 40 ou 100 min.');
    expect(errorSummaryLinks(html).map(([href]) => href)).toEqual(['#f-figure-5-source', '#f-figure-5-date', '#f-travel-6-dep', '#f-travel-6-duration', '#f-link-3-url']);
    // What was typed is kept.
    expect(html).toContain('value="Toulouse"');
    expect((await listVersions(t.db.kysely, 'section:acces')).length).toBe(1);
  });

  it('refuses an upload whose content is not an image whatever its name, and requires a text alternative', async () => {
    const fields = await editForm(agent, '/admin/contenus/sections/qualite-de-vie');
    const forged = new TextEncoder().encode('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>');
    const res = await upload(t, agent, '/admin/contenus/sections/qualite-de-vie/images', { bytes: forged, name: 'photo.jpg', type: 'image/jpeg' }, { base: fields.base!, alt: 'Une photo' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(inlineError(html, 'img-file')).toBe('Ce fichier n’est pas une image JPEG, PNG ou WebP, quel que soit son nom : choisissez une photo dans l’un de ces formats.');
    expect(html).toContain('value="Une photo"');

    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#2a7f62' } }).png().toBuffer();
    const noAlt = await upload(t, agent, '/admin/contenus/sections/qualite-de-vie/images', { bytes: png, name: 'lac.png', type: 'image/png' }, { base: fields.base!, alt: '  ' });
    expect(noAlt.status).toBe(422);
    expect(inlineError(await noAlt.text(), 'img-alt')).toContain('le texte alternatif est obligatoire');

    const count = await t.db.kysely.withTables<{ content_images: { id: string } }>().selectFrom('content_images').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
    expect((await listVersions(t.db.kysely, 'section:qualite-de-vie')).length).toBe(1);
  });

  it('stores a real photo re-encoded for the web without its metadata, under a generated name, served with a safe type', async () => {
    const fields = await editForm(agent, '/admin/contenus/sections/qualite-de-vie');
    const jpeg = await sharp({ create: { width: 2400, height: 1600, channels: 3, background: '#5577aa' } })
      .jpeg()
      .withExif({ IFD0: { Copyright: 'Appareil de Claire', Artist: 'Claire' } })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    const res = await upload(t, agent, '/admin/contenus/sections/qualite-de-vie/images', { bytes: jpeg, name: '../../etc/lac du Villefort.jpg', type: 'image/jpeg' }, { base: fields.base!, alt: 'Le lac de Villefort en automne', credit: 'Claire Bonnet' });
    expect(res.status).toBe(303);

    const [version] = await listVersions(t.db.kysely, 'section:qualite-de-vie');
    const image = version!.document.images[0]!;
    expect(image).toMatchObject({ alt: 'Le lac de Villefort en automne', credit: 'Claire Bonnet' });
    expect(image.id).toMatch(/^[0-9a-f-]{36}$/);

    const page = await (await t.app.request('/vivre-en-lozere/qualite-de-vie')).text();
    expect(page).toContain(`<img src="/contenus/images/${image.id}.webp" alt="Le lac de Villefort en automne" width="1600" height="1067"`);
    const served = await t.app.request(`/contenus/images/${image.id}.webp`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect(served.headers.get('content-disposition')).toBe(`inline; filename="${image.id}.webp"`);
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    const bytes = Buffer.from(await served.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 1600, height: 1067 });
    expect(meta.exif).toBeUndefined();
    expect((await t.app.request('/contenus/images/00000000-0000-0000-0000-000000000000.webp')).status).toBe(404);
    expect((await t.app.request('/contenus/images/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);

    // Removing it from the page is a new version too; the restored page shows it again.
    const after = await editForm(agent, '/admin/contenus/sections/qualite-de-vie');
    await agent.post('/admin/contenus/sections/qualite-de-vie', { ...after, 'image-0-remove': 'oui' });
    expect(await (await t.app.request('/vivre-en-lozere/qualite-de-vie')).text()).not.toContain(image.id);
  });

  it('shows a region with its main towns and its communes, linking to the next Rencontre', async () => {
    const next = await createWebinar(t.db, { date: '2027-01-15', title: 'Rencontre de janvier' });
    const html = await (await t.app.request('/vivre-en-lozere/regions/margeride')).text();
    const text = textOf(html);
    expect(text).toContain('Villes principales');
    expect(text).toContain('Langogne');
    expect(text).toMatch(/Les 4\d communes de la région Margeride/);
    expect(text).toContain('Saint-Chély-d\'Apcher'.replace("'", '\''));
    expect(html).toContain(`href="/rencontres/${next.slug}"`);
    const index = await (await t.app.request('/vivre-en-lozere')).text();
    expect(index).toContain('<svg class="france-map"');
    expect(index).toMatch(/<title id="carte-titre">Où se trouve le territoire : Lozère sur la carte de France<\/title>/);
    expect(textOf(index)).toContain('Lyon : 2 h en voiture jusqu’à Langogne');
    expect((await t.app.request('/vivre-en-lozere/regions/bretagne')).status).toBe(404);
    expect((await t.app.request('/vivre-en-lozere/inconnue')).status).toBe(404);
  });

  it('searches communes in the back-office, with or without accents and by postcode', async () => {
    // Sainte-Enimie merged into Gorges du Tarn Causses: its old name still finds it.
    const former = textOf(await (await agent.get('/admin/communes?q=sainte+enimie')).text());
    expect(former).toContain('Gorges du Tarn Causses (48146)');
    expect(textOf(await (await agent.get('/admin/communes?q=paris')).text())).toContain('Aucune commune ne correspond à « paris ».');
    const accents = textOf(await (await agent.get(`/admin/communes?q=${encodeURIComponent('Châteauneuf-de-Randon')}`)).text());
    const plain = textOf(await (await agent.get('/admin/communes?q=chateauneuf+de+randon')).text());
    expect(accents).toContain('Châteauneuf-de-Randon (48043) 48170');
    expect(plain).toContain('Châteauneuf-de-Randon (48043) 48170');
    const postcode = textOf(await (await agent.get('/admin/communes?q=48200')).text());
    expect(postcode).toContain("Saint-Chély-d'Apcher");
    expect(postcode).toContain('Margeride');
    expect(textOf(await (await agent.get('/admin/communes')).text())).toContain('Les 152 communes en Lozère');
  });
});

describe.each(dialects())('another territory’s content on %s', (dialect) => {
  it('comes from its own configuration and content, with nothing of Lozère', async () => {
    const t = await createTestContext(dialect, { territory: 'tests/fixtures/territories/cantal' });
    try {
      await seedContentIfEmpty(t.db, t.territory, 'tests/fixtures/territories/cantal', t.clock.now());
      await loadCommunes(t.db, t.territory);
      expect((await t.app.request('/vivre-en-lozere')).status).toBe(404);
      const index = await (await t.app.request('/vivre-dans-le-cantal')).text();
      expect(textOf(index)).toContain('Vivre dans le Cantal');
      expect(index).toContain('href="/vivre-dans-le-cantal/acces"');
      const region = await (await t.app.request('/vivre-dans-le-cantal/regions/aurillac-chataigneraie')).text();
      expect(textOf(region)).toContain('Aurillac');
      const pages = [index, region, await (await t.app.request('/vivre-dans-le-cantal/acces')).text(), await (await t.app.request('/vivre-dans-le-cantal/emploi')).text()];
      for (const p of pages) expect(p).not.toMatch(/Lozère|lozere/i);
      // The thematic outline is the Cantal's: "télétravail" starts with the quality of life.
      const webinar = await createWebinar(t.db, { date: '2027-02-11', kind: 'thematic', theme: 'teletravail', title: 'Télétravailler dans le Cantal' });
      const agent = await signIn(t, await makeAgent(t, 'admin'));
      const outline = textOf(await (await agent.get(`/admin/rencontres/${webinar.id}/diaporama`)).text());
      expect(outline).toContain('selon le plan du thème « Télétravailler au vert »');
      const slides = await (await agent.get(`/admin/rencontres/${webinar.id}/diaporama/presenter/1`)).text();
      expect(slides).not.toMatch(/Lozère|lozere/i);
    } finally {
      await t.close();
    }
  });
});
