import type { Child } from 'hono/jsx';
import { AdminPage } from '../../../areas/admin/layout.tsx';
import type { Site } from '../../../areas/public/layout.tsx';
import type { AgentRow } from '../../../platform/db/schema.ts';
import { formatDate, formatTime } from '../../../platform/time.ts';
import { Button, ErrorSummary, fieldId, HiddenFields, Select, TextArea, TextInput, type FieldErrors } from '../../../platform/views/form-kit.tsx';
import type { Commune } from '../../territory/communes.ts';
import { formatFigureDate, isFigureStale, livingSlug, TRAVEL_MODES, type ContentVersion } from '../content.ts';
import type { ContentPage, StaleFigure } from '../content-base.ts';
import { rowCount, type FormValues } from '../content-schemas.ts';
import { renderMarkdown } from '../content-markdown.ts';

export interface Frame {
  site: Site;
  agent: AgentRow;
  csrf: string;
  flash?: string | null;
}

/** /admin/contenus/sections/acces, /admin/contenus/regions/aubrac. */
export function adminPagePath(page: Pick<ContentPage, 'ref'>): string {
  return `/admin/contenus/${page.ref.kind === 'section' ? 'sections' : 'regions'}/${page.ref.key}`;
}

/** The page's public address: /vivre-en-lozere/acces, /vivre-en-lozere/regions/aubrac. */
export function publicPagePath(inName: string, page: Pick<ContentPage, 'ref'>): string {
  const base = `/${livingSlug(inName)}`;
  return page.ref.kind === 'section' ? `${base}/${page.ref.key}` : `${base}/regions/${page.ref.key}`;
}

const when = (iso: string, zone: string) => `${formatDate(iso, zone)} à ${formatTime(iso, zone)}`;

function StaleTag() {
  return <strong class="tag tag--warning">à vérifier</strong>;
}

export function ContentListPage(p: Frame & { pages: ContentPage[]; stale: StaleFigure[]; communes: number }) {
  const t = p.site.territory;
  const zone = t.timezone;
  const group = (kind: 'section' | 'region', caption: string) => (
    <div class="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Page</th>
            <th scope="col">Dernière modification</th>
            <th scope="col">Chiffres clés</th>
            <th scope="col">Sur le site</th>
          </tr>
        </thead>
        <tbody>
          {p.pages
            .filter((x) => x.ref.kind === kind)
            .map((x) => {
              const stale = p.stale.filter((s) => s.page.key === x.key).length;
              return (
                <tr>
                  <td>
                    <a href={adminPagePath(x)}>{x.document.title}</a>
                  </td>
                  <td>{x.version ? `${when(x.version.createdAt, zone)}, par ${x.version.createdByName} (version ${x.version.number})` : 'Pas encore écrite'}</td>
                  <td class="nowrap">
                    {x.document.figures.length} {stale ? <StaleTag /> : null}
                    {stale ? <span class="visually-hidden"> : {stale} à vérifier</span> : null}
                  </td>
                  <td>{x.isPublished ? <a href={publicPagePath(t.inName, x)}>Voir<span class="visually-hidden"> la page publique {x.document.title}</span></a> : <span class="tag tag--grey">vide, non publiée</span>}</td>
                </tr>
              );
            })}
        </tbody>
      </table>
    </div>
  );
  return (
    <AdminPage {...p} title="Contenus du territoire" current="content" wide>
      <h1>Contenus du territoire</h1>
      <p class="lead">
        Une seule base pour les pages « {`Vivre ${t.inName}`} » du site et pour les diaporamas des Rencontres : un chiffre corrigé ici l’est partout.
      </p>
      <h2 id="a-verifier">Chiffres à vérifier</h2>
      {p.stale.length ? (
        <>
          <p>Ces chiffres datent de plus d’un an : vérifiez s’il en existe de plus récents, puis mettez à jour leur valeur et leur date.</p>
          <ul>
            {p.stale.map((x) => (
              <li>
                <a href={adminPagePath(x.page)}>{x.page.document.title}</a> : {x.label}, {x.value} ({formatFigureDate(x.date)}) <StaleTag />
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p class="inset">Tous les chiffres clés ont moins d’un an.</p>
      )}
      {group('section', 'Les rubriques')}
      {group('region', 'Les régions naturelles')}
      <h2>Communes</h2>
      <p>
        {p.communes} communes {t.inName}, d’après les données administratives officielles. <a href="/admin/communes">Rechercher une commune</a>
      </p>
    </AdminPage>
  );
}

function Fieldset({ legend, hint, children }: { legend: Child; hint?: Child; children: Child }) {
  return (
    <div class="form-group">
      <fieldset class="fieldset content-rows">
        <legend class="fieldset__legend">{legend}</legend>
        {hint ? <div class="hint">{hint}</div> : null}
        {children}
      </fieldset>
    </div>
  );
}

const ROW_FIELDS: Record<string, string[]> = { figure: ['label', 'value', 'source', 'url', 'date'], travel: ['from', 'dep', 'to', 'duration', 'mode'], image: ['alt', 'caption', 'credit'], link: ['label', 'url'] };

/** The fields in the order the page shows them, for the error summary. */
export function contentFieldOrder(values: FormValues): string[] {
  const rows = (prefix: string) => {
    const idx = [...new Set(Object.keys(values).flatMap((k) => (k.startsWith(`${prefix}-`) ? [Number(k.split('-')[1])] : [])))].filter(Number.isFinite).sort((a, b) => a - b);
    return idx.flatMap((i) => ROW_FIELDS[prefix]!.map((f) => `${prefix}-${i}-${f}`));
  };
  return ['title', 'summary', 'body', 'slide', 'notes', ...rows('figure'), ...rows('travel'), ...rows('image'), ...rows('link'), 'comment'];
}

export interface EditPageProps extends Frame {
  page: ContentPage;
  values: FormValues;
  errors: FieldErrors;
  /** Errors of the image upload form, shown with its fields. */
  uploadErrors: FieldErrors;
  uploadValues: FormValues;
  now: Date;
}

export function ContentEditPage(p: EditPageProps) {
  const t = p.site.territory;
  const zone = t.timezone;
  const v = (k: string) => p.values[k] ?? '';
  const path = adminPagePath(p.page);
  const version = p.page.version;
  const figures = rowCount(p.values, 'figure', p.page.document.figures.length);
  const links = rowCount(p.values, 'link', p.page.document.links.length);
  const travels = rowCount(p.values, 'travel', p.page.document.travelTimes.length, p.page.ref.kind === 'region' || p.page.ref.key === 'acces' ? 2 : 0);
  const images = rowCount(p.values, 'image', 0, 0);
  const hasErrors = Object.keys(p.errors).length > 0 || Object.keys(p.uploadErrors).length > 0;
  const staleCount = p.page.document.figures.filter((f) => isFigureStale(f, p.now)).length;
  const title = `Modifier : ${p.page.document.title}`;
  return (
    <AdminPage {...p} title={title} current="content" hasError={hasErrors} trail={[['Contenus', '/admin/contenus']]}>
      <h1>{title}</h1>
      <p class="meta">
        {version ? `Version ${version.number}, enregistrée le ${when(version.createdAt, zone)} par ${version.createdByName}.` : 'Cette page n’a pas encore été écrite : elle n’apparaît ni sur le site ni dans les diaporamas.'}{' '}
        {version ? <a href={`${path}/versions`}>Historique des versions</a> : null}
        {p.page.isPublished ? (
          <>
            {' · '}
            <a href={publicPagePath(t.inName, p.page)}>Voir la page publique</a>
          </>
        ) : null}
      </p>
      <p class="hint">{p.page.hint}</p>
      {staleCount ? (
        <div class="notice" role="note">
          <p>
            {staleCount} chiffre{staleCount > 1 ? 's clés datent' : ' clé date'} de plus d’un an <StaleTag /> : vérifiez s’il en existe de plus récents.
          </p>
        </div>
      ) : null}
      <form method="post" action={path} novalidate>
        <ErrorSummary errors={p.errors} order={contentFieldOrder(p.values)} />
        <HiddenFields fields={{ _csrf: p.csrf, base: v('base') }} />
        <TextInput name="title" label="Titre de la page" value={v('title')} errors={p.errors} maxlength={120} />
        <TextArea name="summary" label="Chapeau" hint="Une ou deux phrases : l’introduction de la page, et le texte de la carte sur la page d’accueil de la rubrique. [[libellé d’un chiffre clé]] affiche sa valeur." value={v('summary')} errors={p.errors} rows={3} required={false} />
        <TextArea
          name="body"
          label="Texte de la page"
          hint={
            <>
              Mise en forme Markdown : une ligne vide entre deux paragraphes, <code>## Intertitre</code>, <code>**gras**</code>, <code>- élément de liste</code>, <code>[texte du lien](https://…)</code>. Pour citer un chiffre clé de la page, écrivez son libellé entre doubles crochets, comme <code>[[Taux de chômage]]</code> : sa valeur à jour s’affiche. Le code HTML est affiché tel quel, jamais exécuté.
            </>
          }
          value={v('body')}
          errors={p.errors}
          rows={14}
          required={false}
        />
        <TextArea name="slide" label="Texte de la diapositive" hint="Quelques points courts en Markdown (- un point par ligne), où [[libellé d’un chiffre clé]] affiche sa valeur. Vide : le chapeau est affiché." value={v('slide')} errors={p.errors} rows={5} required={false} />
        <TextArea name="notes" label="Notes pour la personne qui présente" hint="Affichées dans la fenêtre des notes pendant la Rencontre, jamais en public." value={v('notes')} errors={p.errors} rows={4} required={false} />

        <h2>Chiffres clés</h2>
        <p class="hint">Chaque chiffre a sa source et sa date. Un chiffre de plus d’un an est signalé « à vérifier ». Pour retirer un chiffre, videz ses champs.</p>
        {Array.from({ length: figures }, (_, i) => {
          const date = v(`figure-${i}-date`);
          const stale = Boolean(v(`figure-${i}-value`)) && /^\d{4}(-\d{2}){0,2}$/.test(date) && isFigureStale({ date }, p.now);
          return (
            <Fieldset
              legend={
                <>
                  Chiffre clé n°&nbsp;{i + 1} {stale ? <StaleTag /> : null}
                  {!v(`figure-${i}-label`) && !v(`figure-${i}-value`) ? <span class="optional"> (à remplir pour en ajouter un)</span> : null}
                </>
              }
            >
              <TextInput name={`figure-${i}-label`} label="Ce qu’il mesure" hint="Par exemple « Taux de chômage »." value={v(`figure-${i}-label`)} errors={p.errors} maxlength={120} />
              <TextInput name={`figure-${i}-value`} label="Valeur" hint="Par exemple « 4,8 % »." value={v(`figure-${i}-value`)} errors={p.errors} width="half" maxlength={60} />
              <TextInput name={`figure-${i}-source`} label="Source" value={v(`figure-${i}-source`)} errors={p.errors} maxlength={200} />
              <TextInput name={`figure-${i}-url`} type="url" label="Adresse de la source" value={v(`figure-${i}-url`)} errors={p.errors} required={false} />
              <TextInput name={`figure-${i}-date`} label="Date du chiffre" hint="L’année, le mois ou le jour : 2024, 03/2024 ou 12/03/2024." value={v(`figure-${i}-date`) ? displayDate(v(`figure-${i}-date`)) : ''} errors={p.errors} width="quarter" />
            </Fieldset>
          );
        })}

        {travels > 0 ? (
          <>
            <h2>Temps de trajet</h2>
            <p class="hint">Depuis les grandes villes : ils sont placés sur la carte de France et listés en texte. Pour en retirer un, videz ses champs.</p>
            {Array.from({ length: travels }, (_, i) => (
              <Fieldset legend={<>Trajet n°&nbsp;{i + 1}</>}>
                <TextInput name={`travel-${i}-from`} label="Depuis la ville de" value={v(`travel-${i}-from`)} errors={p.errors} width="half" maxlength={60} />
                <TextInput name={`travel-${i}-dep`} label="Département de cette ville" hint="Son numéro, comme 34 ou 69 : il la place sur la carte." value={v(`travel-${i}-dep`)} errors={p.errors} width="short" />
                <TextInput name={`travel-${i}-to`} label="Jusqu’à" hint="Par exemple « Mende ». Vide : le territoire en général." value={v(`travel-${i}-to`)} errors={p.errors} width="half" required={false} maxlength={60} />
                <TextInput name={`travel-${i}-duration`} label="Durée" hint="Par exemple 1 h 40." value={v(`travel-${i}-duration`)} errors={p.errors} width="quarter" />
                <Select name={`travel-${i}-mode`} label="Moyen de transport" value={v(`travel-${i}-mode`) || 'voiture'} errors={p.errors} options={Object.entries(TRAVEL_MODES).map(([value, label]) => ({ value, label }))} />
              </Fieldset>
            ))}
          </>
        ) : null}

        {images > 0 ? (
          <>
            <h2>Images de la page</h2>
            {Array.from({ length: images }, (_, i) => {
              const id = v(`image-${i}-id`);
              if (!id) return null;
              return (
                <Fieldset legend={<>Image n°&nbsp;{i + 1}</>}>
                  <input type="hidden" name={`image-${i}-id`} value={id} />
                  <img class="content-thumb" src={`/contenus/images/${id}.webp`} alt="" width="240" />
                  <TextInput name={`image-${i}-alt`} label="Texte alternatif" hint="Ce que montre l’image, pour les personnes qui ne la voient pas." value={v(`image-${i}-alt`)} errors={p.errors} maxlength={250} />
                  <TextInput name={`image-${i}-caption`} label="Légende" value={v(`image-${i}-caption`)} errors={p.errors} required={false} maxlength={250} />
                  <TextInput name={`image-${i}-credit`} label="Crédit photo" value={v(`image-${i}-credit`)} errors={p.errors} required={false} maxlength={120} />
                  <div class="checkboxes__item">
                    <input class="checkboxes__input" type="checkbox" id={fieldId(`image-${i}-remove`)} name={`image-${i}-remove`} value="oui" checked={Boolean(v(`image-${i}-remove`))} />
                    <label class="checkboxes__label" for={fieldId(`image-${i}-remove`)}>
                      Retirer cette image de la page
                    </label>
                  </div>
                </Fieldset>
              );
            })}
          </>
        ) : null}

        <h2>Liens utiles</h2>
        {Array.from({ length: links }, (_, i) => (
          <Fieldset legend={<>Lien n°&nbsp;{i + 1}</>}>
            <TextInput name={`link-${i}-label`} label="Texte du lien" hint="Il dit où le lien mène." value={v(`link-${i}-label`)} errors={p.errors} maxlength={120} />
            <TextInput name={`link-${i}-url`} type="url" label="Adresse" value={v(`link-${i}-url`)} errors={p.errors} />
          </Fieldset>
        ))}

        <h2>Enregistrer</h2>
        <TextInput name="comment" label="Ce qui change" hint="Quelques mots pour l’historique, par exemple « chiffre du chômage 2025 »." value={v('comment')} errors={p.errors} required={false} maxlength={300} />
        <div class="button-row">
          <Button>Enregistrer une nouvelle version</Button>
          <a href="/admin/contenus">Revenir sans rien changer</a>
        </div>
      </form>

      <h2 id="ajouter-une-image">Ajouter une image</h2>
      <form method="post" action={`${path}/images`} enctype="multipart/form-data" novalidate>
        <ErrorSummary errors={p.uploadErrors} idPrefix="img" order={['file', 'alt', 'caption', 'credit']} />
        <HiddenFields fields={{ _csrf: p.csrf, base: v('base') }} />
        <FileInput errors={p.uploadErrors} />
        <TextInput idPrefix="img" name="alt" label="Texte alternatif" hint="Obligatoire : ce que montre l’image, pour les personnes qui ne la voient pas, par exemple « Le viaduc de Garabit au lever du soleil »." value={p.uploadValues.alt} errors={p.uploadErrors} maxlength={250} />
        <TextInput idPrefix="img" name="caption" label="Légende" value={p.uploadValues.caption} errors={p.uploadErrors} required={false} maxlength={250} />
        <TextInput idPrefix="img" name="credit" label="Crédit photo" value={p.uploadValues.credit} errors={p.uploadErrors} required={false} maxlength={120} />
        <Button variant="secondary">Envoyer l’image</Button>
      </form>
    </AdminPage>
  );
}

/** "2024-03-12" shown as the agent would type it: 12/03/2024. */
function displayDate(d: string): string {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(d);
  if (!m) return d;
  if (m[3]) return `${m[3]}/${m[2]}/${m[1]}`;
  if (m[2]) return `${m[2]}/${m[1]}`;
  return m[1]!;
}

function FileInput({ errors }: { errors: FieldErrors }) {
  const id = fieldId('file', 'img');
  const error = errors.file;
  return (
    <div class={`form-group${error ? ' form-group--error' : ''}`}>
      <label class="label" for={id}>
        Photo
      </label>
      <div id={`${id}-hint`} class="hint">
        JPEG, PNG ou WebP, 7 Mo au plus. Elle est redimensionnée pour le web et ses métadonnées (position GPS…) sont retirées.
      </div>
      {error ? (
        <p id={`${id}-error`} class="error-message">
          <span class="visually-hidden">Erreur : </span>
          {error}
        </p>
      ) : null}
      <input class={`file-upload${error ? ' input--error' : ''}`} id={id} name="file" type="file" accept="image/jpeg,image/png,image/webp" aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`} aria-invalid={error ? 'true' : undefined} />
    </div>
  );
}

export function ContentHistoryPage(p: Frame & { page: ContentPage; versions: ContentVersion[] }) {
  const zone = p.site.territory.timezone;
  const path = adminPagePath(p.page);
  const title = `Historique : ${p.page.document.title}`;
  return (
    <AdminPage {...p} title={title} current="content" trail={[['Contenus', '/admin/contenus'], [p.page.document.title, path]]}>
      <h1>{title}</h1>
      <p>Chaque enregistrement crée une version ; aucune n’est jamais effacée. Restaurer une version en crée une nouvelle, qui la recopie.</p>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Versions de la page, de la plus récente à la plus ancienne</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Enregistrée</th>
              <th scope="col">Par</th>
              <th scope="col">Ce qui change</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {p.versions.map((x, i) => (
              <tr>
                <td class="num">{x.number}</td>
                <td class="nowrap">{when(x.createdAt, zone)}</td>
                <td>{x.createdByName}</td>
                <td>{x.comment ?? ''}</td>
                <td class="actions-cell">
                  {i === 0 ? (
                    <span class="tag tag--green">version actuelle</span>
                  ) : (
                    <a href={`${path}/versions/${x.number}`}>
                      Voir ou restaurer<span class="visually-hidden"> la version {x.number}</span>
                    </a>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminPage>
  );
}

/** One earlier version, read-only, with the restore button: the confirmation step of a restore. */
export function ContentVersionPage(p: Frame & { page: ContentPage; version: ContentVersion; current: ContentVersion }) {
  const zone = p.site.territory.timezone;
  const path = adminPagePath(p.page);
  const d = p.version.document;
  const title = `Version ${p.version.number} : ${d.title}`;
  return (
    <AdminPage {...p} title={title} current="content" trail={[['Contenus', '/admin/contenus'], [p.page.document.title, path], ['Historique', `${path}/versions`]]}>
      <h1>{title}</h1>
      <p class="meta">
        Enregistrée le {when(p.version.createdAt, zone)} par {p.version.createdByName}
        {p.version.comment ? ` : « ${p.version.comment} »` : ''}.
      </p>
      <div class="panel panel--waiting">
        <h2>Restaurer cette version ?</h2>
        <p>
          La page reviendra au contenu ci-dessous, sur le site et dans les diaporamas. La version actuelle (n°&nbsp;{p.current.number}, de {p.current.createdByName}) reste dans l’historique : vous pourrez y revenir de la même façon.
        </p>
        <form method="post" action={`${path}/versions/${p.version.number}/restaurer`}>
          <HiddenFields fields={{ _csrf: p.csrf, base: String(p.current.number) }} />
          <div class="button-row">
            <Button variant="warning">Oui, restaurer la version {String(p.version.number)}</Button>
            <a href={`${path}/versions`}>Non, revenir à l’historique</a>
          </div>
        </form>
      </div>
      <h2>Contenu de la version {p.version.number}</h2>
      <dl class="summary-list">
        <div>
          <dt>Chapeau</dt>
          <dd>{d.summary || '—'}</dd>
        </div>
        <div>
          <dt>Texte</dt>
          <dd class="prose">{d.body ? <div dangerouslySetInnerHTML={{ __html: renderMarkdown(d.body) }} /> : '—'}</dd>
        </div>
        <div>
          <dt>Diapositive</dt>
          <dd class="prose">{d.slide ? <div dangerouslySetInnerHTML={{ __html: renderMarkdown(d.slide) }} /> : '—'}</dd>
        </div>
        <div>
          <dt>Chiffres clés</dt>
          <dd>
            {d.figures.length ? (
              <ul>
                {d.figures.map((f) => (
                  <li>
                    {f.label} : <strong>{f.value}</strong> ({f.source}, {formatFigureDate(f.date)})
                  </li>
                ))}
              </ul>
            ) : (
              '—'
            )}
          </dd>
        </div>
        <div>
          <dt>Images</dt>
          <dd>{d.images.length ? d.images.map((im) => im.alt).join(' ; ') : '—'}</dd>
        </div>
        <div>
          <dt>Liens</dt>
          <dd>{d.links.length ? d.links.map((l) => l.label).join(' ; ') : '—'}</dd>
        </div>
      </dl>
    </AdminPage>
  );
}

export function CommunesSearchPage(p: Frame & { query: string; results: Commune[] | null; total: number }) {
  const t = p.site.territory;
  const label = (key: string | null) => t.regions.find((r) => r.key === key)?.label ?? 'Non rattachée';
  return (
    <AdminPage {...p} title={p.query ? `Communes : « ${p.query} »` : 'Rechercher une commune'} current="content" trail={[['Contenus', '/admin/contenus']]}>
      <h1>Rechercher une commune</h1>
      <p>
        Les {p.total} communes {t.inName}, d’après les données administratives officielles, avec leur région naturelle.
      </p>
      <form method="get" action="/admin/communes" role="search" aria-label="Rechercher une commune" class="filters">
        <TextInput name="q" type="search" label="Nom ou code postal" hint="Avec ou sans accents : « saint chely », « 48200 »." value={p.query} spellcheck={false} autocomplete="off" />
        <div class="form-group">
          <Button>Rechercher</Button>
        </div>
      </form>
      {p.results === null ? null : p.results.length === 0 ? (
        <p role="status">Aucune commune ne correspond à « {p.query} ».</p>
      ) : (
        <>
          <p role="status">
            {p.results.length} commune{p.results.length > 1 ? 's' : ''} trouvée{p.results.length > 1 ? 's' : ''}.
          </p>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Communes trouvées</caption>
              <thead>
                <tr>
                  <th scope="col">Commune</th>
                  <th scope="col">Code postal</th>
                  <th scope="col" class="num">
                    Habitants
                  </th>
                  <th scope="col">Intercommunalité</th>
                  <th scope="col">Région naturelle</th>
                </tr>
              </thead>
              <tbody>
                {p.results.map((c) => (
                  <tr>
                    <td>
                      {c.name} <span class="meta">({c.code})</span>
                    </td>
                    <td>{c.postcodes.join(', ')}</td>
                    <td class="num">{c.population === null ? '—' : c.population.toLocaleString('fr-FR')}</td>
                    <td>{c.epciName ?? '—'}</td>
                    <td>{label(c.regionKey)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </AdminPage>
  );
}
