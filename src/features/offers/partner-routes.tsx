import { Hono, type Context } from 'hono';
import type { PartnerEnv } from '../../areas/partner/partner-env.ts';
import { PartnerPage } from '../../areas/partner/layout.tsx';
import type { Site } from '../../areas/public/layout.tsx';
import type { OfferRow, OfferStatus } from '../../platform/db/schema.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { formatShortDate } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { canChangeStatus } from './offer.ts';
import { confirmImport, prepareImport, type ImportProblem } from './offer-import.ts';
import { findPartnerOffer, PAGE_SIZE, searchOffers } from './offers-repository.ts';
import { readOfferForm } from './read-offer-form.ts';
import { changeOfferStatus, createOffer, updateOffer, type OfferOwner } from './save-offer.ts';
import { ImportForm, ImportPreview, offerFlashes, OfferForm, OfferStatusItem, OfferTable, offerValues, Pagination, StatusActions, StatusChangeConfirm, statusTarget, type OfferValues } from './views/offer-views.tsx';

/**
 * A partner's own offers in its portal. Every query carries the partner's id from the session, never
 * one from the request: another organisation's offer is "introuvable" (404), whatever its address.
 */
export function offerPartnerRoutes(s: Services, site: Site) {
  const app = new Hono<PartnerEnv>();
  const t = s.territory;
  const frame = (c: Context<PartnerEnv>) => ({ site, user: c.get('partnerUser'), partner: c.get('partner'), csrf: c.get('partnerSession').csrf_token });
  const owner = (c: Context<PartnerEnv>): OfferOwner => ({ kind: 'partner', partnerId: c.get('partner').id, userId: c.get('partnerUser').id });
  const ip = (c: Context<PartnerEnv>) => clientIp(c, s.config.trustProxy);
  const trail: Array<[string, string]> = [['Nos offres', '/partenaires/offres']];

  app.get('/offres', async (c) => {
    const page = Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1);
    const { items, total } = await searchOffers(s.db.kysely, { partnerId: c.get('partner').id }, page);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    return sendPage(
      c,
      <PartnerPage {...frame(c)} title="Nos offres" current="offers" flash={offerFlashes[c.req.query('ok') ?? ''] ?? null}>
        <h1>Nos offres</h1>
        <div class="button-row">
          <a class="button button--primary" href="/partenaires/offres/nouvelle">
            Publier une offre
          </a>
          <a href="/partenaires/offres/import">Importer un fichier d’offres</a>
        </div>
        <p>
          Les offres publiées paraissent sur <a href="/offres">la page des offres</a> et sont proposées par les référents aux personnes dont le projet correspond. Nous vous demanderons de les confirmer toutes les{' '}
          {t.offers.confirmAfterWeeks} semaines.
        </p>
        {items.length ? <OfferTable territory={t} items={items} href={(o) => `/partenaires/offres/${o.slug}`} caption="Nos offres" showPartner={false} /> : <p class="inset">Aucune offre pour l’instant.</p>}
        <Pagination page={page} pages={pages} href={(n) => `/partenaires/offres?page=${n}`} label="Pages des offres" />
      </PartnerPage>,
    );
  });

  const newForm = (c: Context<PartnerEnv>, values: OfferValues, errors: FieldErrors, status: 200 | 422 = 200) =>
    sendPage(
      c,
      <PartnerPage {...frame(c)} title="Publier une offre" current="offers" trail={trail} hasError={Object.keys(errors).length > 0}>
        <h1>Publier une offre</h1>
        <OfferForm action="/partenaires/offres" csrf={c.get('partnerSession').csrf_token} territory={t} values={values} errors={errors} isNew cancelHref="/partenaires/offres" />
      </PartnerPage>,
      status,
    );

  app.get('/offres/nouvelle', (c) => newForm(c, {}, {}));

  app.post('/offres', async (c) => {
    const body = c.get('form');
    const read = await readOfferForm(s, body, { withPartner: false });
    if (!read.ok) return newForm(c, body, read.errors, 422);
    try {
      const offer = await createOffer(s, { form: read.form, commune: read.commune, partnerId: null, publish: body.action !== 'draft', owner: owner(c), ip: ip(c) });
      return c.redirect(`/partenaires/offres/${offer.slug}?ok=cree`, 303);
    } catch (e) {
      if (e instanceof DomainError) return newForm(c, body, { validUntil: e.message }, 422);
      throw e;
    }
  });

  const importPage = (c: Context<PartnerEnv>, problems: ImportProblem[], status: 200 | 422 = 200) =>
    sendPage(
      c,
      <PartnerPage {...frame(c)} title="Importer des offres" current="offers" trail={trail} hasError={problems.length > 0}>
        <h1>Importer des offres</h1>
        <ImportForm action="/partenaires/offres/import" csrf={c.get('partnerSession').csrf_token} territory={t} problems={problems} forPartner />
      </PartnerPage>,
      status,
    );

  app.get('/offres/import', (c) => importPage(c, []));

  app.post('/offres/import', async (c) => {
    const prepared = await prepareImport(s, (await c.req.parseBody()).file, owner(c));
    if ('problems' in prepared) return importPage(c, prepared.problems, 422);
    return sendPage(
      c,
      <PartnerPage {...frame(c)} title="Aperçu de l’import" current="offers" trail={[...trail, ['Importer', '/partenaires/offres/import']]}>
        <ImportPreview action="/partenaires/offres/import/confirmer" csrf={c.get('partnerSession').csrf_token} territory={t} lines={prepared.ok} sealed={prepared.sealed} filename={prepared.filename} showPartner={false} back="/partenaires/offres/import" />
      </PartnerPage>,
    );
  });

  app.post('/offres/import/confirmer', async (c) => {
    const f = c.get('form');
    const problems = await confirmImport(s, { payload: f.payload, mac: f.mac }, owner(c), ip(c));
    if (problems.length) return importPage(c, problems, 422);
    return c.redirect('/partenaires/offres?ok=import', 303);
  });

  const load = async (c: Context<PartnerEnv>) => {
    const o = await findPartnerOffer(s.db.kysely, c.get('partner').id, c.req.param('slug') ?? '');
    if (!o) throw new NotFound('Offre introuvable');
    return o;
  };

  const offerPage = (c: Context<PartnerEnv>, o: OfferRow, values: OfferValues, errors: FieldErrors, status: 200 | 422 = 200) => {
    return sendPage(
      c,
      <PartnerPage {...frame(c)} title={o.title} current="offers" trail={trail} hasError={Object.keys(errors).length > 0} flash={offerFlashes[c.req.query('ok') ?? ''] ?? null}>
        <h1>{o.title}</h1>
        <dl class="summary-list">
          <OfferStatusItem offer={o} />
          <div>
            <dt>Dernière confirmation</dt>
            <dd>{o.confirmed_at ? formatShortDate(o.confirmed_at, t.timezone) : '–'}</dd>
          </div>
        </dl>
        <StatusActions offer={o} base={`/partenaires/offres/${o.slug}`} csrf={c.get('partnerSession').csrf_token} />
        <h2>Modifier l’offre</h2>
        <OfferForm action={`/partenaires/offres/${o.slug}`} csrf={c.get('partnerSession').csrf_token} territory={t} values={values} errors={errors} isNew={false} cancelHref="/partenaires/offres" />
      </PartnerPage>,
      status,
    );
  };

  app.get('/offres/:slug', async (c) => {
    const o = await load(c);
    return offerPage(c, o, offerValues(o), {});
  });

  app.post('/offres/:slug', async (c) => {
    const o = await load(c);
    const body = c.get('form');
    const read = await readOfferForm(s, body, { withPartner: false });
    if (!read.ok) return offerPage(c, o, body, read.errors, 422);
    try {
      await updateOffer(s, { offerId: o.id, form: read.form, commune: read.commune, owner: owner(c), ip: ip(c) });
    } catch (e) {
      if (e instanceof DomainError) return offerPage(c, o, body, { validUntil: e.message }, 422);
      throw e;
    }
    return c.redirect(`/partenaires/offres/${o.slug}?ok=modifiee`, 303);
  });

  const confirmTexts: Partial<Record<OfferStatus, { heading: string; body: string; button: string }>> = {
    filled: { heading: 'Marquer l’offre comme pourvue ?', body: 'Elle quittera la page des offres. Vous pourrez la republier.', button: 'Oui, elle est pourvue' },
    draft: { heading: 'Retirer l’offre du site ?', body: 'Elle repassera en brouillon, visible de vous seuls, jusqu’à ce que vous la publiiez à nouveau.', button: 'Oui, la retirer du site' },
  };

  app.get('/offres/:slug/statut', async (c) => {
    const o = await load(c);
    const to = c.req.query('vers') as OfferStatus;
    const text = confirmTexts[to];
    if (!text || !canChangeStatus(o.status, to)) throw new NotFound('Ce changement n’est pas possible pour cette offre');
    return sendPage(
      c,
      <PartnerPage {...frame(c)} title={text.heading} current="offers" trail={[...trail, [o.title, `/partenaires/offres/${o.slug}`]]}>
        <StatusChangeConfirm csrf={c.get('partnerSession').csrf_token} action={`/partenaires/offres/${o.slug}/statut`} to={to} heading={text.heading} body={<p>« {o.title} » : {text.body}</p>} button={text.button} variant="warning" back={`/partenaires/offres/${o.slug}`} />
      </PartnerPage>,
    );
  });

  app.post('/offres/:slug/statut', async (c) => {
    const o = await load(c);
    const to = statusTarget(c.get('form').to);
    await changeOfferStatus(s, { offerId: o.id, to, owner: owner(c), ip: ip(c) });
    return c.redirect(`/partenaires/offres/${o.slug}?ok=statut`, 303);
  });

  return app;
}
