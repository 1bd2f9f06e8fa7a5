import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import { AdminPage } from '../../areas/admin/layout.tsx';
import type { Site } from '../../areas/public/layout.tsx';
import type { OfferRow, OfferStatus, OfferType } from '../../platform/db/schema.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { formatShortDate } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button, Select, TextInput, type Choice, type FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { listPartners } from '../partners/partners-repository.ts';
import { canChangeStatus, OFFER_TYPE_VALUES, offerStatusLabels } from './offer.ts';
import { confirmImport, prepareImport, type ImportProblem } from './offer-import.ts';
import { findOfferBySlug, PAGE_SIZE, searchOffers } from './offers-repository.ts';
import { readOfferForm } from './read-offer-form.ts';
import { changeOfferStatus, createOffer, updateOffer, type OfferOwner } from './save-offer.ts';
import { ImportForm, ImportPreview, offerFlashes, OfferForm, OfferStatusItem, OfferTable, offerValues, Pagination, StatusActions, StatusChangeConfirm, statusTarget, typeChoices, type OfferValues } from './views/offer-views.tsx';

/** Offers in the back-office: every offer, whoever carries it; agents create, edit, publish and import. */
export function offerAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const t = s.territory;
  const frame = (c: Context<AdminEnv>) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token });
  const owner = (c: Context<AdminEnv>): OfferOwner => ({ kind: 'agent', agentId: c.get('agent').id });
  const ip = (c: Context<AdminEnv>) => clientIp(c, s.config.trustProxy);
  const trail: Array<[string, string]> = [['Offres', '/admin/offres']];

  const partnerChoices = async (): Promise<Choice[]> => (await listPartners(s.db.kysely, { activeOnly: true })).map((p) => ({ value: p.id, label: p.name }));

  app.get('/offres', async (c) => {
    const q = (k: string) => c.req.query(k) ?? '';
    const status = (['draft', 'published', 'filled', 'expired'] as const).find((x) => x === q('statut')) ?? null;
    const type = (OFFER_TYPE_VALUES as readonly string[]).includes(q('type')) ? (q('type') as OfferType) : null;
    const partners = await listPartners(s.db.kysely);
    const partnerId = partners.find((p) => p.id === q('partenaire'))?.id ?? null;
    const text = q('q').trim().slice(0, 100);
    const page = Math.max(1, Number.parseInt(q('page') || '1', 10) || 1);
    const { items, total } = await searchOffers(s.db.kysely, { status, type, partnerId, q: text || null }, page);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const keep = (n: number) => {
      const p = new URLSearchParams();
      if (status) p.set('statut', status);
      if (type) p.set('type', type);
      if (partnerId) p.set('partenaire', partnerId);
      if (text) p.set('q', text);
      if (n > 1) p.set('page', String(n));
      return `/admin/offres${p.size ? `?${p}` : ''}`;
    };
    return sendPage(
      c,
      <AdminPage {...frame(c)} title="Offres" current="offers" wide flash={offerFlashes[q('ok')] ?? null}>
        <h1>Offres</h1>
        <div class="button-row">
          <a class="button button--primary" href="/admin/offres/nouvelle">
            Nouvelle offre
          </a>
          <a href="/admin/offres/import">Importer un fichier d’offres</a>
        </div>
        <form method="get" action="/admin/offres" class="filters" role="search" aria-label="Filtrer les offres">
          <Select name="statut" label="Statut" options={Object.entries(offerStatusLabels).map(([value, label]) => ({ value, label }))} placeholder="Tous" value={status} />
          <Select name="type" label="Type" options={typeChoices} placeholder="Tous" value={type} />
          <Select name="partenaire" label="Partenaire" options={partners.map((p) => ({ value: p.id, label: p.name }))} placeholder="Tous" value={partnerId} />
          <TextInput name="q" type="search" label="Mots-clés" value={text} />
          <div class="form-group">
            <Button>Filtrer</Button>
          </div>
        </form>
        <p>{total === 0 ? 'Aucune offre.' : `${total.toLocaleString('fr-FR')} offre${total > 1 ? 's' : ''}.`}</p>
        {items.length ? <OfferTable territory={t} items={items} href={(o) => `/admin/offres/${o.slug}`} caption="Les offres" showPartner /> : null}
        <Pagination page={page} pages={pages} href={keep} label="Pages des offres" />
      </AdminPage>,
    );
  });

  const newForm = async (c: Context<AdminEnv>, values: OfferValues, errors: FieldErrors, status: 200 | 422 = 200) =>
    sendPage(
      c,
      <AdminPage {...frame(c)} title="Nouvelle offre" current="offers" trail={trail} hasError={Object.keys(errors).length > 0}>
        <h1>Nouvelle offre</h1>
        <OfferForm action="/admin/offres" csrf={c.get('session').csrf_token} territory={t} values={values} errors={errors} partners={await partnerChoices()} isNew cancelHref="/admin/offres" />
      </AdminPage>,
      status,
    );

  app.get('/offres/nouvelle', (c) => newForm(c, {}, {}));

  app.post('/offres', async (c) => {
    const body = c.get('form');
    const read = await readOfferForm(s, body, { withPartner: true });
    if (!read.ok) return newForm(c, body, read.errors, 422);
    try {
      const offer = await createOffer(s, { form: read.form, commune: read.commune, partnerId: read.partnerId, publish: body.action !== 'draft', owner: owner(c), ip: ip(c) });
      return c.redirect(`/admin/offres/${offer.slug}?ok=cree`, 303);
    } catch (e) {
      if (e instanceof DomainError) return newForm(c, body, { [e.code === 'offer-past' ? 'validUntil' : 'partner']: e.message }, 422);
      throw e;
    }
  });

  // ---- Import: upload, preview, confirm.
  const importPage = (c: Context<AdminEnv>, problems: ImportProblem[], status: 200 | 422 = 200) =>
    sendPage(
      c,
      <AdminPage {...frame(c)} title="Importer des offres" current="offers" trail={trail} hasError={problems.length > 0}>
        <h1>Importer des offres</h1>
        <ImportForm action="/admin/offres/import" csrf={c.get('session').csrf_token} territory={t} problems={problems} forPartner={false} />
      </AdminPage>,
      status,
    );

  app.get('/offres/import', (c) => importPage(c, []));

  app.post('/offres/import', async (c) => {
    const prepared = await prepareImport(s, (await c.req.parseBody()).file, owner(c));
    if ('problems' in prepared) return importPage(c, prepared.problems, 422);
    return sendPage(
      c,
      <AdminPage {...frame(c)} title="Aperçu de l’import" current="offers" trail={[...trail, ['Importer', '/admin/offres/import']]}>
        <ImportPreview action="/admin/offres/import/confirmer" csrf={c.get('session').csrf_token} territory={t} lines={prepared.ok} sealed={prepared.sealed} filename={prepared.filename} showPartner back="/admin/offres/import" />
      </AdminPage>,
    );
  });

  app.post('/offres/import/confirmer', async (c) => {
    const f = c.get('form');
    const problems = await confirmImport(s, { payload: f.payload, mac: f.mac }, owner(c), ip(c));
    if (problems.length) return importPage(c, problems, 422);
    return c.redirect('/admin/offres?ok=import', 303);
  });

  // ---- One offer.
  const load = async (slug: string) => {
    const o = await findOfferBySlug(s.db.kysely, slug);
    if (!o) throw new NotFound('Offre introuvable');
    return o;
  };

  const offerPage = async (c: Context<AdminEnv>, o: OfferRow, values: OfferValues, errors: FieldErrors, status: 200 | 409 | 422 = 200) => {
    const partner = o.partner_id ? await s.db.kysely.selectFrom('partners').select(['name', 'slug']).where('id', '=', o.partner_id).executeTakeFirst() : undefined;
    const proposals = await s.db.kysely.selectFrom('offer_proposals').select((eb) => eb.fn.countAll<number>().as('n')).where('offer_id', '=', o.id).executeTakeFirstOrThrow();
    return sendPage(
      c,
      <AdminPage {...frame(c)} title={o.title} current="offers" trail={trail} hasError={Object.keys(errors).length > 0} flash={offerFlashes[c.req.query('ok') ?? ''] ?? null}>
        <h1>{o.title}</h1>
        <dl class="summary-list">
          <OfferStatusItem offer={o} />
          <div>
            <dt>Partenaire</dt>
            <dd>{partner ? <a href={`/admin/partenaires/${partner.slug}`}>{partner.name}</a> : 'L’équipe'}</dd>
          </div>
          <div>
            <dt>Dernière confirmation</dt>
            <dd>
              {o.confirmed_at ? formatShortDate(o.confirmed_at, t.timezone) : '–'}
              {o.confirm_requested_at && o.status === 'published' && (!o.confirmed_at || o.confirm_requested_at >= o.confirmed_at) ? ` ; confirmation demandée le ${formatShortDate(o.confirm_requested_at, t.timezone)}` : ''}
            </dd>
          </div>
          <div>
            <dt>Proposée à</dt>
            <dd>
              {Number(proposals.n)} personne{Number(proposals.n) > 1 ? 's' : ''}
            </dd>
          </div>
        </dl>
        <StatusActions offer={o} base={`/admin/offres/${o.slug}`} csrf={c.get('session').csrf_token} />
        <h2>Modifier l’offre</h2>
        <OfferForm action={`/admin/offres/${o.slug}`} csrf={c.get('session').csrf_token} territory={t} values={values} errors={errors} partners={await partnerChoices()} isNew={false} cancelHref="/admin/offres" />
      </AdminPage>,
      status,
    );
  };

  app.get('/offres/:slug', async (c) => {
    const o = await load(c.req.param('slug'));
    return offerPage(c, o, offerValues(o), {});
  });

  app.post('/offres/:slug', async (c) => {
    const o = await load(c.req.param('slug'));
    const body = c.get('form');
    const read = await readOfferForm(s, body, { withPartner: true });
    if (!read.ok) return offerPage(c, o, body, read.errors, 422);
    try {
      await updateOffer(s, { offerId: o.id, form: read.form, commune: read.commune, partnerId: read.partnerId, owner: owner(c), ip: ip(c) });
    } catch (e) {
      if (e instanceof DomainError) return offerPage(c, o, body, { [e.code === 'offer-past' ? 'validUntil' : 'partner']: e.message }, 422);
      throw e;
    }
    return c.redirect(`/admin/offres/${o.slug}?ok=modifiee`, 303);
  });

  const confirmTexts: Partial<Record<OfferStatus, { heading: string; body: string; button: string }>> = {
    filled: { heading: 'Marquer l’offre comme pourvue ?', body: 'Elle quittera les pages publiques et ne sera plus proposée aux personnes accompagnées. Vous pourrez la republier.', button: 'Oui, elle est pourvue' },
    draft: { heading: 'Repasser l’offre en brouillon ?', body: 'Elle quittera les pages publiques jusqu’à ce qu’elle soit publiée à nouveau.', button: 'Oui, la repasser en brouillon' },
  };

  app.get('/offres/:slug/statut', async (c) => {
    const o = await load(c.req.param('slug'));
    const to = c.req.query('vers') as OfferStatus;
    const text = confirmTexts[to];
    if (!text || !canChangeStatus(o.status, to)) throw new NotFound('Ce changement n’est pas possible pour cette offre');
    return sendPage(
      c,
      <AdminPage {...frame(c)} title={text.heading} current="offers" trail={[...trail, [o.title, `/admin/offres/${o.slug}`]]}>
        <StatusChangeConfirm csrf={c.get('session').csrf_token} action={`/admin/offres/${o.slug}/statut`} to={to} heading={text.heading} body={<p>« {o.title} » : {text.body}</p>} button={text.button} variant="warning" back={`/admin/offres/${o.slug}`} />
      </AdminPage>,
    );
  });

  app.post('/offres/:slug/statut', async (c) => {
    const o = await load(c.req.param('slug'));
    const to = statusTarget(c.get('form').to);
    await changeOfferStatus(s, { offerId: o.id, to, owner: owner(c), ip: ip(c) });
    return c.redirect(`/admin/offres/${o.slug}?ok=statut`, 303);
  });

  return app;
}

