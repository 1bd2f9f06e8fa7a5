import { createHash } from 'node:crypto';
import fs from 'node:fs';
import QRCode from 'qrcode';
import type { Child } from 'hono/jsx';
import { AdminPage } from '../../../areas/admin/layout.tsx';
import type { Site } from '../../../areas/public/layout.tsx';
import type { AgentRow } from '../../../platform/db/schema.ts';
import { formatSlot, formatTime } from '../../../platform/time.ts';
import { Document } from '../../../platform/views/document.tsx';
import { Button, ErrorSummary, HiddenFields, Select, TextArea, TextInput, type FieldErrors } from '../../../platform/views/form-kit.tsx';
import { formatFigureDate } from '../../content/content.ts';
import { renderMarkdown } from '../../content/content-markdown.ts';
import { FranceMap } from '../../content/views/france-map.tsx';
import { timeLeft } from '../deck.ts';
import { slideText, type Deck, type Slide } from '../slide-deck.ts';

/** The presenter's script, served from /static with a content hash (CSP script-src 'self'). */
const scriptBody = fs.readFileSync(new URL('../../../platform/views/presenter.js', import.meta.url), 'utf8');
const scriptHash = createHash('sha256').update(scriptBody).digest('hex').slice(0, 12);
export const presenterScript = { href: `/static/presenter.${scriptHash}.js`, body: scriptBody, etag: `"${scriptHash}"` };

interface Frame {
  site: Site;
  agent: AgentRow;
  csrf: string;
  flash?: string | null;
}

const deckPath = (d: Deck) => `/admin/rencontres/${d.webinar.id}/diaporama`;

function Html({ markdown, class: cls }: { markdown: string; class?: string }) {
  if (!markdown.trim()) return null;
  return <div class={cls} dangerouslySetInnerHTML={{ __html: renderMarkdown(markdown) }} />;
}

/** A QR code as inline SVG (no image request, no script): dark modules drawn as one path. */
export function QrCode({ url, label }: { url: string; label: string }) {
  const qr = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const quiet = 4;
  let d = '';
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (qr.modules.get(x, y)) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
  const box = size + quiet * 2;
  return (
    <svg class="qr-code" viewBox={`0 0 ${box} ${box}`} role="img" aria-label={label} xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">
      <rect width={box} height={box} class="qr-code__light" />
      <path d={d} class="qr-code__dark" />
    </svg>
  );
}

function SlideBody({ slide, deck, site }: { slide: Slide; deck: Deck; site: Site }) {
  const t = site.territory;
  const w = deck.webinar;
  switch (slide.kind) {
    case 'title':
      return (
        <div class="slide__title-page">
          <p class="slide__brand">{t.programmeName}</p>
          <h2 class="slide__heading slide__heading--big">{w.title}</h2>
          <p class="slide__meta">{formatSlot(w.startsAt, w.endsAt, t.timezone)}</p>
          <p class="slide__meta">{t.webinarSeriesName}</p>
        </div>
      );
    case 'custom':
      return (
        <>
          <h2 class="slide__heading">{slide.title}</h2>
          <Html markdown={slide.body} class="slide__text" />
        </>
      );
    case 'accompaniment':
      return (
        <div class="slide__split">
          <div>
            <h2 class="slide__heading">{slide.title}</h2>
            <p class="slide__lead">Un accompagnement gratuit et personnalisé, jusqu’à votre installation : emploi, logement, écoles, création ou reprise d’entreprise.</p>
            {slide.referents.length ? (
              <>
                <p class="slide__label">Vos référents {t.programmeName}</p>
                <ul class="slide__referents">
                  {slide.referents.map((r) => (
                    <li>{r}</li>
                  ))}
                </ul>
              </>
            ) : null}
            <p class="slide__contact">
              {t.contact.email}
              {t.contact.phone ? ` · ${t.contact.phone}` : ''}
            </p>
          </div>
          <div class="slide__qr">
            <QrCode url={deck.accompanimentUrl} label={`QR code vers la demande d’accompagnement : ${deck.accompanimentShort}`} />
            <p class="slide__short-link">{deck.accompanimentShort}</p>
          </div>
        </div>
      );
    case 'section': {
      const d = slide.page.document;
      const image = d.images[0];
      const size = image ? deck.imageSizes.get(image.id) : undefined;
      const isAccess = slide.page.ref.key === 'acces' && d.travelTimes.length > 0 && t.communes;
      const isRegions = slide.page.ref.key === 'regions';
      // What fits beside the text on a 16:9 slide: the map (access), else a picture, else the figures.
      const figures = isAccess ? [] : d.figures.slice(0, isRegions ? 3 : image ? 2 : 3);
      const Figures = ({ layout }: { layout: 'row' | 'column' }) =>
        figures.length ? (
          <ul class={`slide__figures slide__figures--${layout}`}>
            {figures.map((f) => (
              <li>
                <strong>{f.value}</strong>
                <span>{f.label}</span>
                <small>
                  {f.source}, {formatFigureDate(f.date)}
                </small>
              </li>
            ))}
          </ul>
        ) : null;
      if (isRegions) {
        return (
          <>
            <h2 class="slide__heading">{d.title}</h2>
            <ul class="slide__regions">
              {t.regions.map((r) => (
                <li>
                  <strong>{r.label}</strong>
                  {r.towns.length ? ` : ${r.towns.slice(0, 3).join(', ')}` : ''}
                </li>
              ))}
            </ul>
            <Figures layout="row" />
          </>
        );
      }
      const side = isAccess ? (
        <div class="slide__map">
          <FranceMap departements={t.communes!.departements} name={t.name} travelTimes={d.travelTimes} idPrefix={`carte-${slide.id}`} />
        </div>
      ) : image ? (
        <figure class="slide__image">
          <img src={`/contenus/images/${image.id}.webp`} alt={image.alt} width={size?.width} height={size?.height} />
          {image.credit ? <figcaption>Crédit photo : {image.credit}</figcaption> : null}
        </figure>
      ) : (
        <Figures layout="column" />
      );
      return (
        <>
          <h2 class="slide__heading">{d.title}</h2>
          <div class={side ? 'slide__split' : undefined}>
            <div>
              <Html markdown={slideText(d)} class="slide__text" />
              {image && !isAccess ? <Figures layout="row" /> : null}
            </div>
            {side}
          </div>
        </>
      );
    }
  }
}

function SlideView({ slide, index, deck, site, hidden }: { slide: Slide; index: number; deck: Deck; site: Site; hidden: boolean }) {
  return (
    <section class={`slide slide--${slide.kind}`} id={`diapositive-${index + 1}`} data-slide={String(index + 1)} data-title={slide.title} aria-label={`Diapositive ${index + 1} sur ${deck.slides.length} : ${slide.title}`} hidden={hidden}>
      <div class="slide__inner">
        <SlideBody slide={slide} deck={deck} site={site} />
      </div>
      <p class="slide__footer" aria-hidden="true">
        <span>{site.territory.programmeName}</span>
        <span>
          {index + 1} / {deck.slides.length}
        </span>
      </p>
    </section>
  );
}

/** The full-screen frame shared by the presenter view, the notes and the print view. */
function SlidesDocument({ site, title, bodyClass, children }: { site: Site; title: string; bodyClass: string; children: Child }) {
  return (
    <Document title={`${title} – ${site.territory.programmeName}`} stylesheet={site.stylesheet} bodyClass={bodyClass} noindex>
      <a class="skip-link" href="#contenu">
        Aller au contenu
      </a>
      {children}
      <script src={presenterScript.href} defer></script>
    </Document>
  );
}

function deckAttributes(deck: Deck, site: Site, role: 'presenter' | 'notes', current: number, base: string) {
  return {
    'data-deck': '',
    'data-role': role,
    'data-webinar': deck.webinar.id,
    'data-base': base,
    'data-zone': site.territory.timezone,
    'data-starts': deck.webinar.startsAt,
    'data-ends': deck.webinar.endsAt,
    'data-current': String(current),
  };
}

/** The slides to share on screen: one shown, the others hidden; links without JavaScript, keys with it. */
export function PresenterPage({ site, deck, current, now }: { site: Site; deck: Deck; current: number; now: Date }) {
  const base = `${deckPath(deck)}/presenter`;
  const n = deck.slides.length;
  const zone = site.territory.timezone;
  return (
    <SlidesDocument site={site} title={`Diaporama : ${deck.webinar.title}`} bodyClass="presenter">
      <main id="contenu" tabindex={-1} class="deck" {...deckAttributes(deck, site, 'presenter', current, base)}>
        <h1 class="visually-hidden">Diaporama : {deck.webinar.title}</h1>
        {deck.slides.map((slide, i) => (
          <SlideView slide={slide} index={i} deck={deck} site={site} hidden={i + 1 !== current} />
        ))}
        <p class="visually-hidden" aria-live="polite" data-live></p>
      </main>
      <nav class="presenter-bar" aria-label="Commandes du diaporama">
        <span class="presenter-bar__count" data-counter>
          {current} / {n}
        </span>
        <a href={`${base}/${Math.max(1, current - 1)}`} data-prev rel="prev" aria-disabled={current === 1 ? 'true' : undefined}>
          Précédente
        </a>
        <a href={`${base}/${Math.min(n, current + 1)}`} data-next rel="next" aria-disabled={current === n ? 'true' : undefined}>
          Suivante
        </a>
        <span class="presenter-bar__time">
          <span data-clock>{formatTime(now, zone)}</span> · <span data-left>{timeLeft(now, deck.webinar.startsAt, deck.webinar.endsAt)}</span>
        </span>
        <a href={`${deckPath(deck)}/notes/${current}`} data-notes-link data-notes-base={`${deckPath(deck)}/notes`} target="_blank">
          Notes<span class="visually-hidden"> (nouvelle fenêtre)</span>
        </a>
        <button type="button" class="link-button link-button--inverse" data-fullscreen hidden>
          Plein écran
        </button>
        <a href={deckPath(deck)}>Quitter</a>
        <span class="presenter-bar__keys">Flèches, Page préc./suiv., Début, Fin ; F : plein écran</span>
      </nav>
    </SlidesDocument>
  );
}

/** The speaker notes, on a second window: the current slide's notes, what comes next, the clock and the time left. */
export function NotesPage({ site, deck, current, now }: { site: Site; deck: Deck; current: number; now: Date }) {
  const base = `${deckPath(deck)}/notes`;
  const n = deck.slides.length;
  const zone = site.territory.timezone;
  return (
    <SlidesDocument site={site} title={`Notes : ${deck.webinar.title}`} bodyClass="speaker-notes">
      <header class="notes-bar">
        <p class="notes-bar__time">
          <span data-clock>{formatTime(now, zone)}</span>
          <span data-left>{timeLeft(now, deck.webinar.startsAt, deck.webinar.endsAt)}</span>
        </p>
        <nav aria-label="Diapositive précédente et suivante" class="notes-bar__nav">
          <a href={`${base}/${Math.max(1, current - 1)}`} data-prev rel="prev">
            Précédente
          </a>
          <span data-counter>
            {current} / {n}
          </span>
          <a href={`${base}/${Math.min(n, current + 1)}`} data-next rel="next">
            Suivante
          </a>
        </nav>
      </header>
      <main id="contenu" tabindex={-1} class="notes" {...deckAttributes(deck, site, 'notes', current, base)}>
        <h1 class="visually-hidden">Notes de présentation : {deck.webinar.title}</h1>
        {deck.slides.map((slide, i) => {
          const next = deck.slides[i + 1];
          return (
            <section class="notes__slide" data-slide={String(i + 1)} data-title={slide.title} hidden={i + 1 !== current} aria-labelledby={`notes-${i + 1}`}>
              <h2 id={`notes-${i + 1}`}>
                {i + 1}. {slide.title}
              </h2>
              {slide.notes ? <Html markdown={slide.notes} class="notes__text" /> : <p class="notes__text">Pas de notes pour cette diapositive.</p>}
              <p class="notes__next">{next ? `Ensuite : ${next.title}` : 'C’est la dernière diapositive.'}</p>
            </section>
          );
        })}
        <p class="visually-hidden" aria-live="polite" data-live></p>
      </main>
    </SlidesDocument>
  );
}

/** Every slide, one per page when printed (or saved as PDF), in the order shown. */
export function PrintPage({ site, deck }: { site: Site; deck: Deck }) {
  return (
    <Document title={`Diaporama à imprimer : ${deck.webinar.title} – ${site.territory.programmeName}`} stylesheet={site.stylesheet} bodyClass="presenter presenter--print" noindex>
      <a class="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <main id="contenu" tabindex={-1} class="deck deck--print">
        <div class="print-help">
          <h1>Diaporama : {deck.webinar.title}</h1>
          <p>
            Pour l’enregistrer en PDF, imprimez cette page (Ctrl+P ou Cmd+P) et choisissez « Enregistrer au format PDF » : une diapositive par page. <a href={deckPath(deck)}>Revenir au diaporama</a>
          </p>
        </div>
        {deck.slides.map((slide, i) => (
          <SlideView slide={slide} index={i} deck={deck} site={site} hidden={false} />
        ))}
      </main>
    </Document>
  );
}

const sourceLabel = { section: 'Rubrique du contenu', custom: 'Ajoutée pour cette Rencontre' };

export function SlidesEditorPage(p: Frame & { deck: Deck; errors: FieldErrors; values: Record<string, string> }) {
  const d = p.deck;
  const w = d.webinar;
  const path = deckPath(d);
  const t = p.site.territory;
  const theme = w.theme ? (t.themes.find((x) => x.key === w.theme)?.label ?? w.theme) : null;
  const title = `Diaporama : ${w.title}`;
  const Action = ({ action, fields, label, hidden }: { action: string; fields: Record<string, string>; label: string; hidden: string }) => (
    <form method="post" action={`${path}/${action}`} class="inline-form">
      <HiddenFields fields={{ _csrf: p.csrf, ...fields }} />
      <button type="submit" class="link-button">
        {label}
        <span class="visually-hidden"> {hidden}</span>
      </button>
    </form>
  );
  return (
    <AdminPage {...p} title={title} current="webinars" hasError={Object.keys(p.errors).length > 0} trail={[['Rencontres', '/admin/rencontres'], [w.title, `/admin/rencontres/${w.id}`]]}>
      <h1>{title}</h1>
      <p>
        Les diapositives sont construites à partir des contenus du territoire, {theme ? `selon le plan du thème « ${theme} »` : 'selon le plan généraliste'}
        {d.isAdjusted ? ', ajusté pour cette Rencontre' : ''}. Un chiffre corrigé dans les contenus l’est aussi ici.
      </p>
      <div class="button-row">
        <a class="button button--primary" href={`${path}/presenter/1`}>
          Présenter
        </a>
        <a class="button button--secondary" href={`${path}/notes/1`} target="_blank">
          Ouvrir les notes<span class="visually-hidden"> dans une nouvelle fenêtre</span>
        </a>
        <a href={`${path}/imprimer`}>Imprimer ou enregistrer en PDF</a>
      </div>
      <h2>Les diapositives</h2>
      <ol class="slide-plan">
        <li>
          <strong>{w.title}</strong> <span class="meta">(ouverture, toujours la première)</span>
        </li>
        {d.lines.map((line, i) => (
          <li class={line.hidden || line.isEmpty ? 'slide-plan__off' : undefined}>
            <strong>{line.title}</strong> <span class="meta">({sourceLabel[line.source]})</span> {line.hidden ? <span class="tag tag--grey">masquée</span> : null}
            {line.isEmpty ? <span class="tag tag--warning">page vide, non montrée</span> : null}
            <div class="slide-plan__actions">
              {i > 0 ? <Action action="deplacer" fields={{ ref: line.ref, sens: 'haut' }} label="Monter" hidden={line.title} /> : null}
              {i < d.lines.length - 1 ? <Action action="deplacer" fields={{ ref: line.ref, sens: 'bas' }} label="Descendre" hidden={line.title} /> : null}
              <Action action="masquer" fields={{ ref: line.ref }} label={line.hidden ? 'Afficher' : 'Masquer'} hidden={line.title} />
              <a href={`${path}/retirer?ref=${encodeURIComponent(line.ref)}`}>
                Retirer<span class="visually-hidden"> {line.title}</span>
              </a>
            </div>
          </li>
        ))}
        <li>
          <strong>Être accompagné·e pour votre installation</strong> <span class="meta">(référents, lien court et QR code : toujours la dernière)</span>
        </li>
      </ol>
      {d.isAdjusted ? (
        <p>
          <a href={`${path}/reinitialiser`}>Revenir au plan d’origine</a>
        </p>
      ) : null}
      {d.missingSections.length ? (
        <>
          <h2>Ajouter une rubrique du contenu</h2>
          <form method="post" action={`${path}/rubrique`} class="filters">
            <HiddenFields fields={{ _csrf: p.csrf }} />
            <Select name="key" label="Rubrique" options={d.missingSections.map((s) => ({ value: s.ref.key, label: s.document.title }))} />
            <div class="form-group">
              <Button variant="secondary">Ajouter la rubrique</Button>
            </div>
          </form>
        </>
      ) : null}
      <h2 id="ajouter">Ajouter une diapositive pour cette Rencontre</h2>
      <form method="post" action={`${path}/ajouter`} novalidate>
        <ErrorSummary errors={p.errors} order={['title', 'body', 'notes', 'after']} />
        <HiddenFields fields={{ _csrf: p.csrf }} />
        <TextInput name="title" label="Titre" value={p.values.title} errors={p.errors} maxlength={120} />
        <TextArea name="body" label="Texte" hint="Quelques points courts, en Markdown (- un point par ligne)." value={p.values.body} errors={p.errors} rows={4} required={false} />
        <TextArea name="notes" label="Notes pour la personne qui présente" value={p.values.notes} errors={p.errors} rows={3} required={false} />
        <Select name="after" label="Place" value={p.values.after ?? (d.lines.length ? d.lines[d.lines.length - 1]!.ref : '')} errors={p.errors} options={[{ value: '', label: 'Juste après l’ouverture' }, ...d.lines.map((l) => ({ value: l.ref, label: `Après « ${l.title} »` }))]} />
        <Button>Ajouter la diapositive</Button>
      </form>
    </AdminPage>
  );
}

/** The confirmation step of removing a slide or dropping the edition's adjustments. */
export function SlidesConfirmPage(p: Frame & { deck: Deck; title: string; message: string; action: string; fields: Record<string, string>; confirm: string }) {
  const w = p.deck.webinar;
  return (
    <AdminPage {...p} title={p.title} current="webinars" trail={[['Rencontres', '/admin/rencontres'], [w.title, `/admin/rencontres/${w.id}`], ['Diaporama', deckPath(p.deck)]]}>
      <h1>{p.title}</h1>
      <p>{p.message}</p>
      <form method="post" action={p.action}>
        <HiddenFields fields={{ _csrf: p.csrf, ...p.fields }} />
        <div class="button-row">
          <Button variant="warning">{p.confirm}</Button>
          <a href={deckPath(p.deck)}>Non, revenir au diaporama</a>
        </div>
      </form>
    </AdminPage>
  );
}

