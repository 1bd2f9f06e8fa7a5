import { PublicPage, type Site } from '../../../areas/public/layout.tsx';
import { formatDate, formatTime, zoneLabel } from '../../../platform/time.ts';
import { Breadcrumbs } from '../../../platform/views/navigation.tsx';
import type { Commune } from '../../territory/communes.ts';
import type { Webinar } from '../../webinars/webinar.ts';
import { fillFigures, formatFigureDate, livingSlug, livingTitle, type ContentDocument, type Figure } from '../content.ts';
import type { ContentPage } from '../content-base.ts';
import { renderMarkdown } from '../content-markdown.ts';
import { FranceMap, TravelTimesList } from './france-map.tsx';
import { publicPagePath } from './content-admin-pages.tsx';

export type ImageSizes = Map<string, { width: number; height: number }>;

function Html({ markdown, class: cls }: { markdown: string; class?: string }) {
  if (!markdown.trim()) return null;
  return <div class={cls ?? 'prose'} dangerouslySetInnerHTML={{ __html: renderMarkdown(markdown) }} />;
}

export function KeyFigures({ figures, headingId }: { figures: Figure[]; headingId: string }) {
  if (figures.length === 0) return null;
  return (
    <section class="key-figures" aria-labelledby={headingId}>
      <h2 id={headingId}>Chiffres clés</h2>
      <ul class="key-figures__list">
        {figures.map((f) => (
          <li>
            <strong class="key-figures__value">{f.value}</strong>
            <span class="key-figures__label">{f.label}</span>
            <span class="key-figures__source">
              Source : {f.sourceUrl ? <a href={f.sourceUrl}>{f.source}</a> : f.source}, {formatFigureDate(f.date)}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Images({ document, sizes }: { document: ContentDocument; sizes: ImageSizes }) {
  return (
    <>
      {document.images.map((im) => {
        const size = sizes.get(im.id);
        return (
          <figure class="content-figure">
            <img src={`/contenus/images/${im.id}.webp`} alt={im.alt} width={size?.width} height={size?.height} loading="lazy" decoding="async" />
            {im.caption || im.credit ? (
              <figcaption>
                {im.caption}
                {im.caption && im.credit ? ' — ' : ''}
                {im.credit ? `Crédit photo : ${im.credit}` : ''}
              </figcaption>
            ) : null}
          </figure>
        );
      })}
    </>
  );
}

function Links({ document }: { document: ContentDocument }) {
  if (document.links.length === 0) return null;
  return (
    <section aria-labelledby="liens-utiles">
      <h2 id="liens-utiles">Pour aller plus loin</h2>
      <ul>
        {document.links.map((l) => (
          <li>
            <a href={l.url}>{l.label}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The call to action every page ends with: the next Rencontre, or the list of them. */
function NextRencontre({ site, next }: { site: Site; next: Webinar | null }) {
  const t = site.territory;
  const zone = t.timezone;
  return (
    <aside class="panel next-rencontre" aria-labelledby="prochaine-rencontre">
      <h2 id="prochaine-rencontre">Découvrir {t.theName} en une heure</h2>
      {next ? (
        <>
          <p>
            Prochaine Rencontre : <strong>{formatDate(next.startsAt, zone)}</strong>, à {formatTime(next.startsAt, zone)} ({zoneLabel(zone)}), en ligne et gratuite.
          </p>
          <p>
            <a class="button button--inverse" href={`/rencontres/${next.slug}`}>
              S’inscrire à la Rencontre<span class="visually-hidden"> du {formatDate(next.startsAt, zone)}</span>
            </a>
          </p>
        </>
      ) : (
        <p>
          <a href="/rencontres">Voir les prochaines Rencontres {t.programmeName}</a>
        </p>
      )}
    </aside>
  );
}

/** The living pages stand under the home page. */
const home: [string, string] = ['Accueil', '/'];

function accessDocument(pages: ContentPage[]): ContentDocument | null {
  return pages.find((p) => p.ref.kind === 'section' && p.ref.key === 'acces' && p.isPublished)?.document ?? null;
}

export function LivingIndexPage({ site, pages, next }: { site: Site; pages: ContentPage[]; next: Webinar | null }) {
  const t = site.territory;
  const title = livingTitle(t.inName);
  const sections = pages.filter((p) => p.ref.kind === 'section' && p.isPublished);
  const regions = pages.filter((p) => p.ref.kind === 'region' && p.isPublished);
  const access = accessDocument(pages);
  return (
    <PublicPage site={site} title={title} current="vivre" description={`${title} : accès, régions, qualité de vie, écoles, santé, emploi, logement.`}>
      <div class="hero">
        <div class="container">
          <Breadcrumbs trail={[home]} current={title} />
          <h1>{title}</h1>
          <p class="lead">Tout ce qu’il faut savoir pour préparer votre installation : venir, se loger, travailler, scolariser vos enfants, vous soigner.</p>
        </div>
      </div>
      <div class="container">
        {access && t.communes ? (
          <section class="living-map" aria-labelledby="ou-est">
            <h2 id="ou-est">Où se trouve {t.theName} ?</h2>
            <div class="living-map__grid">
              <FranceMap departements={t.communes.departements} name={t.name} travelTimes={access.travelTimes} />
              <div>
                <p>{fillFigures(access.summary, access.figures)}</p>
                <TravelTimesList travelTimes={access.travelTimes} />
              </div>
            </div>
          </section>
        ) : null}
        <h2>Les rubriques</h2>
        <ul class="card-list living-cards">
          {sections.map((p) => (
            <li class="card">
              <h3>
                <a href={publicPagePath(t.inName, p)}>{p.document.title}</a>
              </h3>
              <p>{fillFigures(p.document.summary, p.document.figures)}</p>
            </li>
          ))}
        </ul>
        {regions.length ? (
          <>
            <h2>Les régions naturelles</h2>
            <ul class="card-list living-cards">
              {regions.map((p) => (
                <li class="card card--accent">
                  <h3>
                    <a href={publicPagePath(t.inName, p)}>{p.document.title}</a>
                  </h3>
                  <p>{fillFigures(p.document.summary, p.document.figures)}</p>
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <NextRencontre site={site} next={next} />
      </div>
    </PublicPage>
  );
}

/** Previous and next pages of the same kind, so a reader can go through all of them in order. */
function PageNav({ site, page, pages }: { site: Site; page: ContentPage; pages: ContentPage[] }) {
  const t = site.territory;
  const same = pages.filter((p) => p.ref.kind === page.ref.kind && p.isPublished);
  const i = same.findIndex((p) => p.key === page.key);
  const prev = i > 0 ? same[i - 1] : undefined;
  const next = i >= 0 && i < same.length - 1 ? same[i + 1] : undefined;
  if (!prev && !next) return null;
  return (
    <nav class="page-nav" aria-label={page.ref.kind === 'section' ? 'Rubrique précédente et suivante' : 'Région précédente et suivante'}>
      {prev ? (
        <a href={publicPagePath(t.inName, prev)} rel="prev">
          <span class="page-nav__dir">Précédent</span> {prev.document.title}
        </a>
      ) : (
        <span />
      )}
      {next ? (
        <a href={publicPagePath(t.inName, next)} rel="next" class="page-nav__next">
          <span class="page-nav__dir">Suivant</span> {next.document.title}
        </a>
      ) : null}
    </nav>
  );
}

export function LivingSectionPage({ site, page, pages, next, sizes }: { site: Site; page: ContentPage; pages: ContentPage[]; next: Webinar | null; sizes: ImageSizes }) {
  const t = site.territory;
  const d = page.document;
  const base = `/${livingSlug(t.inName)}`;
  const regions = pages.filter((p) => p.ref.kind === 'region');
  return (
    <PublicPage site={site} title={`${d.title} – ${livingTitle(t.inName)}`} current="vivre" description={fillFigures(d.summary, d.figures) || undefined}>
      <div class="container living">
        <Breadcrumbs trail={[home, [livingTitle(t.inName), base]]} current={d.title} />
        <h1>{d.title}</h1>
        {d.summary ? <p class="lead">{fillFigures(d.summary, d.figures)}</p> : null}
        {page.ref.key === 'acces' && t.communes ? (
          <div class="living-map__grid">
            <FranceMap departements={t.communes.departements} name={t.name} travelTimes={d.travelTimes} />
            <div>
              <h2>Temps de trajet</h2>
              <TravelTimesList travelTimes={d.travelTimes} />
            </div>
          </div>
        ) : d.travelTimes.length ? (
          <>
            <h2>Temps de trajet</h2>
            <TravelTimesList travelTimes={d.travelTimes} />
          </>
        ) : null}
        <KeyFigures figures={d.figures} headingId="chiffres-cles" />
        <Images document={d} sizes={sizes} />
        <Html markdown={fillFigures(d.body, d.figures)} />
        {page.ref.key === 'regions' ? (
          <ul class="card-list living-cards">
            {t.regions.map((r) => {
              const rp = regions.find((p) => p.ref.key === r.key);
              return (
                <li class="card card--accent">
                  <h2 class="card__title">{rp?.isPublished ? <a href={publicPagePath(t.inName, rp)}>{rp.document.title}</a> : r.label}</h2>
                  {r.towns.length ? <p>Villes principales : {r.towns.join(', ')}</p> : null}
                </li>
              );
            })}
          </ul>
        ) : null}
        <Links document={d} />
        <NextRencontre site={site} next={next} />
        <PageNav site={site} page={page} pages={pages} />
      </div>
    </PublicPage>
  );
}

export function LivingRegionPage({ site, page, pages, next, sizes, communes }: { site: Site; page: ContentPage; pages: ContentPage[]; next: Webinar | null; sizes: ImageSizes; communes: Commune[] }) {
  const t = site.territory;
  const d = page.document;
  const base = `/${livingSlug(t.inName)}`;
  const region = t.regions.find((r) => r.key === page.ref.key)!;
  const regionsPage = pages.find((p) => p.ref.kind === 'section' && p.ref.key === 'regions' && p.isPublished);
  const trail: Array<[string, string]> = [[livingTitle(t.inName), base]];
  if (regionsPage) trail.push([regionsPage.document.title, publicPagePath(t.inName, regionsPage)]);
  const population = communes.reduce((n, c) => n + (c.population ?? 0), 0);
  return (
    <PublicPage site={site} title={`${d.title} – ${livingTitle(t.inName)}`} current="vivre" description={fillFigures(d.summary, d.figures) || undefined}>
      <div class="container living">
        <Breadcrumbs trail={[home, ...trail]} current={d.title} />
        <h1>{d.title}</h1>
        {d.summary ? <p class="lead">{fillFigures(d.summary, d.figures)}</p> : null}
        {region.towns.length ? (
          <section aria-labelledby="villes">
            <h2 id="villes">Villes principales</h2>
            <ul class="town-list">
              {region.towns.map((town) => (
                <li>{town}</li>
              ))}
            </ul>
          </section>
        ) : null}
        <KeyFigures figures={d.figures} headingId="chiffres-cles" />
        <Images document={d} sizes={sizes} />
        <Html markdown={fillFigures(d.body, d.figures)} />
        {d.travelTimes.length ? (
          <>
            <h2>Temps de trajet</h2>
            <TravelTimesList travelTimes={d.travelTimes} />
          </>
        ) : null}
        <Links document={d} />
        {communes.length ? (
          <section aria-labelledby="communes">
            <h2 id="communes">
              Les {communes.length} communes de la région {region.label}
            </h2>
            <p>{population.toLocaleString('fr-FR')} habitants, d’après les données administratives officielles.</p>
            <details class="details">
              <summary>Voir la liste des communes</summary>
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">Communes de la région {region.label}, de la plus peuplée à la moins peuplée</caption>
                  <thead>
                    <tr>
                      <th scope="col">Commune</th>
                      <th scope="col">Code postal</th>
                      <th scope="col" class="num">
                        Habitants
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {communes.map((c) => (
                      <tr>
                        <td>{c.name}</td>
                        <td>{c.postcodes.join(', ')}</td>
                        <td class="num">{c.population === null ? '—' : c.population.toLocaleString('fr-FR')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </section>
        ) : null}
        <NextRencontre site={site} next={next} />
        <PageNav site={site} page={page} pages={pages} />
      </div>
    </PublicPage>
  );
}
