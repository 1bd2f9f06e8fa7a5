import { PublicPage, type Site } from '../../../areas/public/layout.tsx';
import type { OfferRow } from '../../../platform/db/schema.ts';
import { formatDate, formatShortDate } from '../../../platform/time.ts';
import { Button, HiddenFields, Select, TextInput } from '../../../platform/views/form-kit.tsx';
import { Breadcrumbs } from '../../../platform/views/navigation.tsx';
import { regionLabel, type Territory } from '../../territory/territory.ts';
import { offerTypeLabel, offerTypes, sectorLabel } from '../offer.ts';
import type { OfferFilters, OfferListItem } from '../offers-repository.ts';
import { Pagination, regionChoices, sectorChoices } from './offer-views.tsx';

export interface PublicOfferFilters {
  type: string;
  sector: string;
  region: string;
  q: string;
}

/** The query string of a search, without the empty filters, for links that keep it. */
export function searchQuery(f: PublicOfferFilters, page?: number): string {
  const p = new URLSearchParams();
  if (f.type) p.set('type', f.type);
  if (f.sector) p.set('secteur', f.sector);
  if (f.region) p.set('region', f.region);
  if (f.q) p.set('q', f.q);
  if (page && page > 1) p.set('page', String(page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** "Du 1 mars 2027 au 30 juin 2027", "À partir du …", "Jusqu’au …". */
function validity(from: string | null, until: string | null, zone: string): string {
  const day = (d: string) => formatDate(`${d}T12:00:00Z`, zone).replace(/^\S+ /, '');
  if (from && until) return `Du ${day(from)} au ${day(until)}`;
  if (from) return `À partir du ${day(from)}`;
  return until ? `Jusqu’au ${day(until)}` : '';
}

function Paragraphs({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/\n{2,}|\r\n\r\n/)
        .map((para) => para.trim())
        .filter(Boolean)
        .map((para) => (
          <p>
            {para.split(/\r?\n/).map((line, i) => (
              <>
                {i > 0 ? <br /> : null}
                {line}
              </>
            ))}
          </p>
        ))}
    </>
  );
}

type CardOffer = Pick<OfferListItem, 'slug' | 'title' | 'type' | 'sector' | 'commune_name' | 'region_key' | 'partner_name' | 'published_at'>;

/** The type, then the sector unless it says the same ("Logement" housing in the "Logement" sector). */
function OfferTags({ t, o }: { t: Territory; o: Pick<OfferRow, 'type' | 'sector'> }) {
  const type = offerTypeLabel(o.type);
  const sector = sectorLabel(t.offers.sectors, o.sector);
  return (
    <>
      <span class="tag">{type}</span>
      {sector && sector.toLowerCase() !== type.toLowerCase() ? (
        <>
          {' '}
          <span class="tag tag--grey">{sector}</span>
        </>
      ) : null}
    </>
  );
}

function OfferCard({ t, o, reason, headingLevel = 3 }: { t: Territory; o: CardOffer; reason?: string; headingLevel?: 2 | 3 }) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <li class="card">
      <H>
        <a href={`/offres/${o.slug}`}>{o.title}</a>
      </H>
      <p>
        <OfferTags t={t} o={o} />
      </p>
      <p class="meta">
        {o.commune_name}
        {o.region_key ? ` · ${regionLabel(t, o.region_key)}` : ''}
        {o.partner_name ? ` · proposée par ${o.partner_name}` : ''}
        {o.published_at ? (
          <>
            {' · '}publiée le <time datetime={o.published_at}>{formatShortDate(o.published_at, t.timezone)}</time>
          </>
        ) : null}
      </p>
      {reason ? <p>Pourquoi pour vous : {reason}</p> : null}
    </li>
  );
}

export function OfferSearchPage(p: { site: Site; filters: PublicOfferFilters; items: OfferListItem[]; total: number; page: number; pages: number; shown: number }) {
  const t = p.site.territory;
  const f = p.filters;
  const typeOptions = offerTypes.map((x) => ({ value: x.value, label: x.plural }));
  const title = p.page > 1 ? `Offres (page ${p.page})` : 'Offres';
  return (
    <PublicPage site={p.site} title={title} current="offres" description={`Emplois, entreprises à reprendre, locaux, exploitations agricoles et logements ${t.inName}.`}>
      <div class="container">
        <h1>Les offres {t.inName}</h1>
        <p class="lead">Emplois, entreprises à reprendre, locaux, exploitations agricoles et logements, publiés par l’équipe {t.programmeName} et ses partenaires.</p>
        <form method="get" action="/offres" class="filters" role="search" aria-label="Filtrer les offres">
          <Select name="type" label="Type" options={typeOptions} placeholder="Tous les types" value={f.type} />
          <Select name="secteur" label="Secteur" options={sectorChoices(t)} placeholder="Tous les secteurs" value={f.sector} />
          <Select name="region" label="Région" options={regionChoices(t)} placeholder="Toutes les régions" value={f.region} />
          <TextInput name="q" type="search" label="Mots-clés" value={f.q} width="half" />
          <div class="form-group">
            <Button>Afficher les offres</Button>
          </div>
        </form>
        <h2 id="resultats" aria-live="polite">
          {p.total === 0 ? 'Aucune offre ne correspond' : p.total === 1 ? '1 offre' : `${p.total.toLocaleString('fr-FR')} offres`}
        </h2>
        {p.total === 0 ? (
          <p class="inset">
            Essayez sans filtre, ou <a href="/offres">voyez toutes les offres</a>. Les offres changent chaque semaine : un référent peut aussi vous aider à chercher, gratuitement.
          </p>
        ) : (
          <ul class="card-list">
            {p.items.map((o) => (
              <OfferCard t={t} o={o} />
            ))}
          </ul>
        )}
        <Pagination page={p.page} pages={p.pages} href={(n) => `/offres${searchQuery(f, n)}`} label="Pages des offres" />
        {p.total > p.shown && p.page === p.pages ? <p class="inset">Les {p.shown.toLocaleString('fr-FR')} offres les plus récentes sont listées : pour les autres, affinez la recherche avec les filtres.</p> : null}
      </div>
    </PublicPage>
  );
}

export function OfferDetailPage(p: { site: Site; offer: OfferRow; partner: { name: string; website: string | null } | null }) {
  const t = p.site.territory;
  const o = p.offer;
  const contact = [o.contact_name, o.contact_email, o.contact_phone].some(Boolean);
  return (
    <PublicPage site={p.site} title={o.title} current="offres" description={`${offerTypeLabel(o.type)} à ${o.commune_name}`}>
      <div class="container">
        <Breadcrumbs trail={[['Offres', '/offres']]} current={o.title} />
        <h1>{o.title}</h1>
        <p>
          <OfferTags t={t} o={o} />
        </p>
        <dl class="summary-list">
          <div>
            <dt>Lieu</dt>
            <dd>
              {o.commune_name}
              {o.region_key ? ` (${regionLabel(t, o.region_key)})` : ''}
            </dd>
          </div>
          {p.partner ? (
            <div>
              <dt>Proposée par</dt>
              <dd>{p.partner.website ? <a href={p.partner.website}>{p.partner.name}</a> : p.partner.name}</dd>
            </div>
          ) : null}
          {o.valid_from || o.valid_until ? (
            <div>
              <dt>Validité</dt>
              <dd>{validity(o.valid_from, o.valid_until, t.timezone)}</dd>
            </div>
          ) : null}
          {o.published_at ? (
            <div>
              <dt>Publiée le</dt>
              <dd>{formatShortDate(o.published_at, t.timezone)}</dd>
            </div>
          ) : null}
        </dl>
        <h2>Description</h2>
        <Paragraphs text={o.description} />
        {o.conditions ? (
          <>
            <h2>Conditions</h2>
            <Paragraphs text={o.conditions} />
          </>
        ) : null}
        <h2>Contact</h2>
        {contact ? (
          <ul>
            {o.contact_name ? <li>{o.contact_name}</li> : null}
            {o.contact_email ? (
              <li>
                <a href={`mailto:${o.contact_email}?subject=${encodeURIComponent(o.title)}`}>{o.contact_email}</a>
              </li>
            ) : null}
            {o.contact_phone ? (
              <li>
                <a href={`tel:${o.contact_phone.replace(/[^+0-9]/g, '')}`}>{o.contact_phone}</a>
              </li>
            ) : null}
          </ul>
        ) : (
          <p>
            Écrivez à l’équipe {t.programmeName} : <a href={`mailto:${t.contact.email}?subject=${encodeURIComponent(o.title)}`}>{t.contact.email}</a>.
          </p>
        )}
        <section class="card card--accent" aria-labelledby="help-title">
          <h2 id="help-title">Vous préparez votre installation ?</h2>
          <p>Un référent {t.programmeName} peut vous accompagner gratuitement : emploi du conjoint, logement, écoles. Commencez par une Rencontre en ligne.</p>
          <p>
            <a href="/rencontres">Voir les prochaines Rencontres</a>
          </p>
        </section>
        <p>
          <a href="/offres">Toutes les offres</a>
        </p>
      </div>
    </PublicPage>
  );
}

export function OfferConfirmPage(p: { site: Site; offer: OfferRow; token: string; error?: string }) {
  const t = p.site.territory;
  return (
    <PublicPage site={p.site} title="Votre offre est-elle toujours d’actualité ?" noindex>
      <div class="container">
        <h1>Votre offre est-elle toujours d’actualité ?</h1>
        {p.error ? (
          <div class="notice" role="alert">
            <p>{p.error}</p>
          </div>
        ) : null}
        <p class="lead">« {p.offer.title} », {p.offer.commune_name}.</p>
        <p>Publiée le {p.offer.published_at ? formatDate(p.offer.published_at, t.timezone) : '–'}. Sans réponse, elle sera retirée du site {t.programmeName} ; vous pourrez la republier.</p>
        <form method="post" action={`/offres/confirmer/${p.token}`}>
          <HiddenFields fields={{ answer: 'current' }} />
          <Button>Oui, elle est toujours d’actualité</Button>
        </form>
        <form method="post" action={`/offres/confirmer/${p.token}`}>
          <HiddenFields fields={{ answer: 'filled' }} />
          <Button variant="secondary">Non, elle est pourvue : la retirer du site</Button>
        </form>
        <p>
          Pour la modifier, connectez-vous à votre espace (<a href="/partenaires/connexion">espace partenaires</a>) ou écrivez-nous à <a href={`mailto:${t.contact.email}`}>{t.contact.email}</a>.
        </p>
      </div>
    </PublicPage>
  );
}

export function OfferConfirmDonePage(p: { site: Site; offer: OfferRow; answer: 'current' | 'filled' }) {
  const t = p.site.territory;
  const current = p.answer === 'current';
  return (
    <PublicPage site={p.site} title={current ? 'Offre confirmée' : 'Offre retirée'} noindex>
      <div class="container">
        <div class="panel" role="status">
          <h1>{current ? 'Merci, votre offre reste en ligne' : 'Merci, votre offre est marquée comme pourvue'}</h1>
        </div>
        <p>
          {current
            ? `« ${p.offer.title} » reste publiée. Nous vous la redemanderons dans ${t.offers.confirmAfterWeeks} semaines.`
            : `« ${p.offer.title} » ne paraît plus sur le site. Vous pouvez la republier depuis votre espace.`}
        </p>
        {current ? (
          <p>
            <a href={`/offres/${p.offer.slug}`}>Voir l’offre</a>
          </p>
        ) : null}
      </div>
    </PublicPage>
  );
}

/** An offer filled or expired, reached from an old link: no details of it, the way to the current ones. */
export function OfferGonePage(p: { site: Site; type: string }) {
  const t = p.site.territory;
  return (
    <PublicPage site={p.site} title="Cette offre n’est plus disponible" current="offres" noindex>
      <div class="container">
        <h1>Cette offre n’est plus disponible</h1>
        <p>Elle a été pourvue ou n’est plus d’actualité. D’autres offres sont publiées chaque semaine.</p>
        <p>
          <a class="button button--primary" href={`/offres?type=${encodeURIComponent(p.type)}`}>
            Voir les {offerTypes.find((x) => x.value === p.type)?.plural.toLowerCase() ?? 'offres'} en ligne
          </a>
        </p>
        <p>
          <a href="/offres">Toutes les offres</a>. Un référent {t.programmeName} peut aussi chercher avec vous, gratuitement : <a href="/premier-contact">parlez-nous de votre projet</a>.
        </p>
      </div>
    </PublicPage>
  );
}

export function LinkGonePage(p: { site: Site; title: string; message: string }) {
  return (
    <PublicPage site={p.site} title={p.title} noindex>
      <div class="container">
        <h1>{p.title}</h1>
        <p>{p.message}</p>
        <p>
          Une question ? <a href={`mailto:${p.site.territory.contact.email}`}>{p.site.territory.contact.email}</a>
        </p>
      </div>
    </PublicPage>
  );
}

/** Behind a registration's private link: the offers that fit the project the person described. */
export function OffersForMePage(p: { site: Site; token: string; firstName: string; matches: Array<{ offer: CardOffer; reason: string }>; filters: OfferFilters }) {
  const t = p.site.territory;
  const more = searchQuery({ type: p.filters.type ?? '', sector: '', region: p.filters.region ?? '', q: '' });
  return (
    <PublicPage site={p.site} title="Des offres pour mon projet" current="none" noindex>
      <div class="container">
        <h1>Des offres pour votre projet</h1>
        <p class="lead">{p.firstName}, voici les offres publiées qui correspondent le mieux à ce que vous nous avez dit de votre projet, de la région où vous imaginez vivre et de votre calendrier.</p>
        {p.matches.length ? (
          <ul class="card-list">
            {p.matches.map((m) => (
              <OfferCard t={t} o={m.offer} reason={m.reason} headingLevel={2} />
            ))}
          </ul>
        ) : (
          <p class="inset">Aucune offre publiée ne correspond pour l’instant. Les offres changent chaque semaine ; un référent peut aussi chercher avec vous.</p>
        )}
        <p>
          <a href={`/offres${more}`}>Chercher parmi toutes les offres</a>
        </p>
        <p>
          <a href={`/mon-inscription/${p.token}`}>Retour à mon inscription</a>
        </p>
      </div>
    </PublicPage>
  );
}
