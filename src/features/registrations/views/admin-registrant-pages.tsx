import { Pagination } from '../../../platform/views/pagination.tsx';
import type { Child } from 'hono/jsx';
import { AdminPage, type AdminPageProps } from '../../../areas/admin/layout.tsx';
import { formatShortDate, formatSlot, formatTime } from '../../../platform/time.ts';
import { Button, FilterSelect, HiddenFields, type FieldErrors } from '../../../platform/views/form-kit.tsx';
import { regionLabel, themeLabel } from '../../territory/territory.ts';
import type { Webinar } from '../../webinars/webinar.ts';
import { StatusTag } from '../../webinars/views/admin-webinar-pages.tsx';
import { NO_SOURCE, REGISTRANTS_PAGE_SIZE, type RegistrantFilters, type RegistrantRow } from '../registrants-query.ts';
import { households, labelOf, projects, statusLabels } from '../registration.ts';
import { RegistrationForm, type FormValues } from './registration-form.tsx';

type Frame = Omit<AdminPageProps, 'children' | 'title' | 'current'>;

const registrationStatusTag = { confirmed: 'tag tag--green', waitlisted: 'tag tag--warning', cancelled: 'tag tag--grey' } as const;
/** In the table, under the "Statut" header, a word is enough: the columns keep room for the answers. */
const shortStatusLabels = { confirmed: 'Confirmée', waitlisted: 'En attente', cancelled: 'Annulée' } as const;

function query(f: RegistrantFilters, over: Partial<RegistrantFilters>): string {
  const merged = { ...f, ...over };
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(merged)) {
    if (v === '' || (k === 'page' && v === 1) || (k === 'tri' && v === 'date') || (k === 'ordre' && v === 'asc')) continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** `column`, not `key`: JSX keeps `key` for itself and never passes it to the component. */
function SortHeader(p: { label: string; column: RegistrantFilters['tri']; f: RegistrantFilters; base: string }) {
  const active = p.f.tri === p.column;
  const next = active && p.f.ordre === 'asc' ? 'desc' : 'asc';
  return (
    <th scope="col" aria-sort={active ? (p.f.ordre === 'asc' ? 'ascending' : 'descending') : undefined}>
      <a href={`${p.base}${query(p.f, { tri: p.column, ordre: next, page: 1 })}`}>
        {p.label}
        {active ? <span aria-hidden="true">{p.f.ordre === 'asc' ? ' ▲' : ' ▼'}</span> : null}
        {active ? <span class="visually-hidden">{p.f.ordre === 'asc' ? ' (tri croissant)' : ' (tri décroissant)'}</span> : null}
      </a>
    </th>
  );
}

export interface WebinarDetailProps extends Frame {
  webinar: Webinar;
  /** What comes after the Rencontre (replay, survey), shown above the table once it has ended. */
  after?: Child;
  counts: { confirmed: number; waitlisted: number; cancelled: number; attended: number };
  filters: RegistrantFilters;
  rows: RegistrantRow[];
  total: number;
  sources: string[];
  now: Date;
}

export function AdminWebinarDetailPage(p: WebinarDetailProps) {
  const t = p.site.territory;
  const w = p.webinar;
  const f = p.filters;
  const base = `/admin/rencontres/${w.id}`;
  const pages = Math.max(1, Math.ceil(p.total / REGISTRANTS_PAGE_SIZE));
  const seats = w.capacity === null ? null : Math.max(0, w.capacity - p.counts.confirmed);
  const past = new Date(w.endsAt).getTime() <= p.now.getTime();
  const filtered = f.q || f.statut || f.projet || f.source || f.foyer || f.region;
  return (
    <AdminPage {...p} title={w.title} current="webinars" wide trail={[['Rencontres', '/admin/rencontres']]}>
      <h1>{w.title}</h1>
      <p>
        <StatusTag status={w.status} /> {w.kind === 'thematic' ? <span class="tag">{themeLabel(t, w.theme)}</span> : <span class="tag tag--grey">Généraliste</span>}
      </p>
      <p class="lead">{formatSlot(w.startsAt, w.endsAt, t.timezone)}</p>
      <ul class="stats">
        <li>
          <strong>{p.counts.confirmed}</strong> inscrits confirmés
        </li>
        <li>
          <strong>{p.counts.waitlisted}</strong> en liste d’attente
        </li>
        <li>
          <strong>{seats === null ? 'illimité' : seats}</strong> places restantes
        </li>
        <li>
          <strong>{p.counts.cancelled}</strong> annulations
        </li>
        {past ? (
          <li>
            <strong>{p.counts.attended}</strong> présents
          </li>
        ) : null}
      </ul>
      <div class="button-row">
        <a class="button button--secondary" href={`${base}/modifier`}>
          Modifier la Rencontre
        </a>
        <a class="button button--secondary" href={`${base}/inscrire`}>
          Inscrire une personne
        </a>
        <a class="button button--secondary" href={`${base}/diaporama`}>Diaporama</a>
        {w.videoTool === 'bbb' && !past && w.status === 'published' ? (
          <a class="button button--primary" href={`/admin/rencontres/${w.id}/salle`}>
            Ouvrir la salle (animateur)
          </a>
        ) : null}
        {w.status !== 'draft' ? (
          <a href={`/rencontres/${w.slug}`}>
            Voir la page publique<span class="visually-hidden"> de {w.title}</span>
          </a>
        ) : null}
      </div>
      {p.after ?? null}
      <h2 id="registrants-title">Personnes inscrites</h2>
      <form method="get" action={base} class="filters" role="search" aria-label="Filtrer les inscrits">
        <div class="form-group">
          <label class="label" for="f-q">
            Rechercher
          </label>
          <input class="input input--half" id="f-q" name="q" type="search" value={f.q} placeholder="Nom, e-mail ou téléphone" />
        </div>
        <FilterSelect id="statut" label="Statut" value={f.statut} options={[['confirmed', statusLabels.confirmed], ['waitlisted', statusLabels.waitlisted], ['cancelled', statusLabels.cancelled]]} />
        <FilterSelect id="projet" label="Projet" value={f.projet} options={projects.map((x) => [x.value, x.label])} />
        <FilterSelect id="foyer" label="Foyer" value={f.foyer} options={households.map((x) => [x.value, x.label])} />
        <FilterSelect id="region" label="Région envisagée" value={f.region} all="Toutes" options={[...t.regions.map((r) => [r.key, r.label] as [string, string]), ['unknown', 'Ne sait pas encore']]} />
        <FilterSelect id="source" label="Source" value={f.source} all="Toutes" options={[...p.sources.map((x) => [x, x] as [string, string]), [NO_SOURCE, 'Sans source']]} />
        <div class="form-group">
          <button class="button button--secondary" type="submit">
            Filtrer
          </button>
          {filtered ? <a href={base}>Effacer les filtres</a> : null}
        </div>
      </form>
      <p role="status">
        {p.total === 0 ? 'Aucune personne ne correspond.' : `${p.total} personne${p.total > 1 ? 's' : ''}${filtered ? (p.total > 1 ? ' correspondent aux filtres' : ' correspond aux filtres') : ''}.`}{' '}
        {p.total > 0 ? (
          <>
            Exporter {filtered ? 'cette sélection' : 'la liste'} : <a href={`${base}/inscrits.csv${query(f, { page: 1 })}`}>CSV</a> ou <a href={`${base}/inscrits.xlsx${query(f, { page: 1 })}`}>Excel (XLSX)</a>
          </>
        ) : null}
      </p>
      {p.rows.length ? (
        <div class="table-wrap">
          <table aria-labelledby="registrants-title">
            <thead>
              <tr>
                <SortHeader label="Nom" column="nom" f={f} base={base} />
                <th scope="col">Contact</th>
                <th scope="col">Vient de</th>
                <th scope="col">Projet</th>
                <th scope="col">Région</th>
                <th scope="col">Source</th>
                <SortHeader label="Inscrit le" column="date" f={f} base={base} />
                <SortHeader label="Statut" column="statut" f={f} base={base} />
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr>
                  <th scope="row">
                    <a href={`/admin/candidats/${r.candidateId}`}>
                      {r.lastName.toUpperCase()} {r.firstName}
                    </a>
                  </th>
                  <td>
                    {r.email}
                    {r.phone ? <div class="meta">{r.phone}</div> : null}
                  </td>
                  <td>{[r.postcode, r.town].filter(Boolean).join(' ') || r.country || ''}</td>
                  <td>{labelOf(projects, r.project)}</td>
                  <td>{regionLabel(t, r.desiredRegion)}</td>
                  <td>{r.utmSource ?? '–'}</td>
                  <td class="nowrap">
                    {formatShortDate(r.createdAt, t.timezone)} {formatTime(r.createdAt, t.timezone)}
                  </td>
                  <td>
                    <span class={registrationStatusTag[r.status]}>{shortStatusLabels[r.status]}</span>
                    {past && r.status === 'confirmed' && r.attended !== null ? <div class="meta">{r.attended ? `présent·e ${r.attendedMinutes ?? 0} min` : 'absent·e'}</div> : null}
                  </td>
                  <td class="actions-cell">
                    {r.status === 'waitlisted' ? (
                      <a href={`/admin/inscriptions/${r.id}/confirmer`}>
                        Donner une place<span class="visually-hidden"> à {r.firstName} {r.lastName}</span>
                      </a>
                    ) : null}
                    {r.status !== 'cancelled' && !past ? (
                      <>
                        {r.status === 'waitlisted' ? <br /> : null}
                        <a href={`/admin/inscriptions/${r.id}/annuler`}>
                          Annuler<span class="visually-hidden"> l’inscription de {r.firstName} {r.lastName}</span>
                        </a>
                      </>
                    ) : null}
                    {past && r.status !== 'cancelled' ? (
                      <form method="post" action={`/admin/inscriptions/${r.id}/presence`}>
                        <input type="hidden" name="_csrf" value={p.csrf} />
                        <input type="hidden" name="retour" value={`${base}${query(f, {})}`} />
                        <button type="submit" class="link-button" name="presence" value={r.attended ? 'absent' : 'present'}>
                          {r.attended ? 'Marquer absent·e' : 'Marquer présent·e'}
                          <span class="visually-hidden">
                            {' '}
                            : {r.firstName} {r.lastName}
                          </span>
                        </button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pagination page={f.page} pages={pages} href={(n) => `${base}${query(f, { page: n })}`} label="Pages des inscrits" />
    </AdminPage>
  );
}

export function AdminManualRegistrationPage(p: Frame & { webinar: Webinar; values: FormValues; errors: FieldErrors; submissionKey: string }) {
  return (
    <AdminPage {...p} title={`Inscrire une personne : ${p.webinar.title}`} current="webinars" hasError={Object.keys(p.errors).length > 0} trail={[['Rencontres', '/admin/rencontres'], [p.webinar.title, `/admin/rencontres/${p.webinar.id}`]]}>
      <h1>Inscrire une personne</h1>
      <p>
        Pour une personne qui s’inscrit par téléphone. Elle recevra le même e-mail de confirmation, avec son lien personnel. Si la Rencontre est complète, elle sera mise sur la liste d’attente.
      </p>
      <p>Posez-lui les questions telles qu’elles sont écrites, et lisez-lui l’information sur ses données avant d’enregistrer.</p>
      <RegistrationForm territory={p.site.territory} action={`/admin/rencontres/${p.webinar.id}/inscrire`} values={p.values} errors={p.errors} submissionKey={p.submissionKey} source={{ _csrf: p.csrf }} sectionHeadingLevel={2} byAgent />
    </AdminPage>
  );
}

export function AdminConfirmActionPage(p: Frame & { webinar: Webinar; heading: string; body: string; action: string; button: string; variant: 'primary' | 'warning'; fields?: Record<string, string> }) {
  return (
    <AdminPage {...p} title={p.heading} current="webinars" trail={[['Rencontres', '/admin/rencontres'], [p.webinar.title, `/admin/rencontres/${p.webinar.id}`]]}>
      <h1>{p.heading}</h1>
      <p>{p.body}</p>
      <form method="post" action={p.action}>
        <HiddenFields fields={{ _csrf: p.csrf, ...p.fields }} />
        <div class="button-row">
          <Button variant={p.variant}>{p.button}</Button>
          <a href={`/admin/rencontres/${p.webinar.id}`}>Revenir sans rien changer</a>
        </div>
      </form>
    </AdminPage>
  );
}
