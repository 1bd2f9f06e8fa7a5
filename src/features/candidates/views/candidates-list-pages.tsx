import { AdminPage } from '../../../areas/admin/layout.tsx';
import { formatShortDate } from '../../../platform/time.ts';
import { Button, ErrorSummary, FilterSelect, HiddenFields, Radios, TextInput, type FieldErrors } from '../../../platform/views/form-kit.tsx';
import { Pagination } from '../../../platform/views/pagination.tsx';
import { horizons, labelOf, projects } from '../../registrations/registration.ts';
import { regionLabel } from '../../territory/territory.ts';
import { projectTypes, quietPeriods } from '../candidate-file.ts';
import { CANDIDATES_PAGE_SIZE, filtersQuery, isFiltered, NO_SOURCE, sortDirection, type BoardColumn, type CandidateFilters, type CandidateListRow } from '../candidates-query.ts';
import { stageLabel, stages } from '../change-stage.ts';
import type { DuplicateFile, DuplicatePair } from '../find-duplicates.ts';
import type { SavedView } from '../saved-views.ts';
import { StageTag, type Frame } from './candidate-file-page.tsx';

const LIST = '/admin/candidats';
const href = (f: CandidateFilters, over: Partial<CandidateFilters> = {}) => {
  const q = filtersQuery(f, over);
  return q ? `${LIST}?${q}` : LIST;
};

function SortHeader(p: { label: string; column: CandidateFilters['tri']; f: CandidateFilters }) {
  const active = p.f.tri === p.column;
  const dir = sortDirection(p.f);
  const next = active ? (dir === 'asc' ? 'desc' : 'asc') : '';
  return (
    <th scope="col" aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : undefined}>
      <a href={href(p.f, { tri: p.column, ordre: next as CandidateFilters['ordre'], page: 1 })}>
        {p.label}
        {active ? <span aria-hidden="true">{dir === 'asc' ? ' ▲' : ' ▼'}</span> : null}
        {active ? <span class="visually-hidden">{dir === 'asc' ? ' (tri croissant)' : ' (tri décroissant)'}</span> : null}
      </a>
    </th>
  );
}

/**
 * An address that may break before its "@": unbroken, the longest address of the page set the width
 * of the Contact column, and the list's eleven columns no longer fitted a laptop's screen (the
 * column it is sorted by went out of sight).
 */
function Email({ address }: { address: string }) {
  const at = address.lastIndexOf('@');
  if (at <= 0) return <>{address}</>;
  return (
    <>
      {address.slice(0, at)}
      <wbr />
      {address.slice(at)}
    </>
  );
}

export interface ListPageProps extends Frame {
  filters: CandidateFilters;
  rows: CandidateListRow[];
  total: number;
  agents: Array<{ id: string; name: string }>;
  sources: string[];
  views: SavedView[];
  isAdmin: boolean;
  viewErrors?: FieldErrors;
  viewName?: string;
  assignErrors?: FieldErrors;
  /** After an error in the referent form: the rows that were ticked and the referent chosen. */
  ticked?: string[];
  assignAgent?: string;
}

/** The list of households: search, filters, order, pages, the agent's saved views, and a referent given to the rows ticked. */
export function CandidatesListPage(p: ListPageProps) {
  const t = p.site.territory;
  const f = p.filters;
  const pages = Math.max(1, Math.ceil(p.total / CANDIDATES_PAGE_SIZE));
  const filtered = isFiltered(f);
  const query = filtersQuery(f, { page: 1 });
  const hasError = Object.keys({ ...p.viewErrors, ...p.assignErrors }).length > 0;
  return (
    <AdminPage {...p} title="Candidats" current="candidates" wide hasError={hasError}>
      <ErrorSummary errors={p.viewErrors ?? {}} idPrefix="vue" />
      <ErrorSummary errors={p.assignErrors ?? {}} />
      <h1>Candidats</h1>
      <p class="button-row">
        <a href="/admin/candidats/tableau">Tableau par étape</a>
        {p.isAdmin ? <a href="/admin/candidats/doublons">Doublons à fusionner</a> : null}
      </p>

      <h2 id="vues">Mes vues</h2>
      {p.views.length === 0 ? (
        <p>Enregistrez une recherche et ses filtres pour y revenir d’un clic.</p>
      ) : (
        <ul>
          {p.views.map((v) => (
            <li>
              <a href={v.query ? `${LIST}?${v.query}` : LIST}>{v.name}</a>{' '}
              <a href={`${LIST}/vues/${v.id}/supprimer`} class="meta">
                Supprimer<span class="visually-hidden"> la vue {v.name}</span>
              </a>
            </li>
          ))}
        </ul>
      )}

      <form method="post" action={`${LIST}/vues`} class="filters">
        <HiddenFields fields={{ _csrf: p.csrf, query }} />
        <TextInput name="name" label="Enregistrer la recherche affichée sous le nom" value={p.viewName} errors={p.viewErrors} width="half" idPrefix="vue" />
        <div class="form-group">
          <Button variant="secondary">Enregistrer la vue</Button>
        </div>
      </form>

      <h2 id="recherche">Rechercher</h2>
      <form method="get" action={LIST} class="filters" role="search" aria-label="Filtrer les candidats">
        <div class="form-group">
          <label class="label" for="f-q">
            Rechercher
          </label>
          <input class="input input--half" id="f-q" name="q" type="search" value={f.q} placeholder="Nom, e-mail ou téléphone" />
        </div>
        <FilterSelect id="etape" label="Étape" value={f.etape} all="Toutes" options={stages.map((s) => [s.value, s.label])} />
        <FilterSelect id="referent" label="Référent·e" value={f.referent} options={[['moi', 'Mes fiches'], ['aucun', 'Sans référent·e'], ...p.agents.map((a) => [a.id, a.name] as [string, string])]} />
        <FilterSelect id="projet" label="Projet" value={f.projet} options={projectTypes.map((x) => [x.value, x.label])} />
        <FilterSelect id="region" label="Région envisagée" value={f.region} all="Toutes" options={[...t.regions.map((r) => [r.key, r.label] as [string, string]), ['unknown', 'Ne sait pas encore']]} />
        <FilterSelect id="source" label="Première source" value={f.source} all="Toutes" options={[...p.sources.map((x) => [x, x] as [string, string]), [NO_SOURCE, 'Sans source']]} />
        <FilterSelect id="horizon" label="Horizon" value={f.horizon} options={horizons.map((x) => [x.value, x.label])} />
        <FilterSelect id="calme" label="Dernier contact" value={f.calme} all="Peu importe" options={quietPeriods.map((x) => [x.value, x.label])} />
        {f.tri !== 'activite' ? <input type="hidden" name="tri" value={f.tri} /> : null}
        {f.ordre ? <input type="hidden" name="ordre" value={f.ordre} /> : null}
        <div class="form-group">
          <button class="button button--secondary" type="submit">
            Filtrer
          </button>{' '}
          {filtered ? <a href={LIST}>Effacer les filtres</a> : null}
        </div>
      </form>

      <p role="status">
        {p.total === 0 ? 'Aucune fiche ne correspond.' : `${p.total.toLocaleString('fr-FR')} fiche${p.total > 1 ? 's' : ''}${filtered ? (p.total > 1 ? ' correspondent aux filtres' : ' correspond aux filtres') : ''}.`}{' '}
        {p.isAdmin && p.total > 0 ? (
          <>
            Exporter {filtered ? 'cette sélection' : 'la liste'} : <a href={`${LIST}/export.csv${query ? `?${query}` : ''}`}>CSV</a> ou <a href={`${LIST}/export.xlsx${query ? `?${query}` : ''}`}>Excel (XLSX)</a>
          </>
        ) : null}
      </p>

      {p.rows.length ? (
        <form method="post" action={`${LIST}/attribuer`}>
          <HiddenFields fields={{ _csrf: p.csrf, retour: href(f) }} />
          <div class="table-wrap" id="f-ids" tabindex={-1}>
            <table aria-labelledby="liste-titre">
              <caption id="liste-titre" class="visually-hidden">
                Fiches des candidats, page {f.page} sur {pages}
              </caption>
              <thead>
                <tr>
                  <th scope="col">
                    <span class="visually-hidden">Sélection</span>
                  </th>
                  <SortHeader label="Nom" column="nom" f={f} />
                  <th scope="col">Contact</th>
                  <th scope="col">Étape</th>
                  <th scope="col">Référent·e</th>
                  <th scope="col">Projet</th>
                  <th scope="col">Région</th>
                  <th scope="col">Horizon</th>
                  <th scope="col">Source</th>
                  <SortHeader label="Dernière activité" column="activite" f={f} />
                </tr>
              </thead>
              <tbody>
                {p.rows.map((r) => {
                  const name = `${r.lastName.toUpperCase()} ${r.firstName}`;
                  return (
                    <tr>
                      <td>
                        <div class="checkboxes__item">
                          <input class="checkboxes__input" type="checkbox" name="ids" value={r.id} id={`c-${r.id}`} checked={p.ticked?.includes(r.id)} />
                          <label class="checkboxes__label" for={`c-${r.id}`}>
                            <span class="visually-hidden">
                              Sélectionner {r.firstName} {r.lastName}
                            </span>
                          </label>
                        </div>
                      </td>
                      <th scope="row">
                        <a href={`${LIST}/${r.id}`}>{name}</a>
                      </th>
                      <td>
                        <Email address={r.email} />
                        {r.phone ? <div class="meta">{r.phone}</div> : null}
                      </td>
                      <td>
                        <StageTag stage={r.stage} />
                      </td>
                      <td>{r.referentName ?? '–'}</td>
                      <td>{(r.projectType ? labelOf(projectTypes, r.projectType) : labelOf(projects, r.project)) ?? '–'}</td>
                      <td>{regionLabel(t, r.desiredRegion) ?? '–'}</td>
                      <td>{labelOf(horizons, r.horizon) ?? '–'}</td>
                      <td>{r.firstSource ?? '–'}</td>
                      <td>
                        {r.lastActivityAt ? formatShortDate(r.lastActivityAt, t.timezone) : '–'}
                        {/* The day the file was made, under the last activity rather than in a column of its own, so that the table fits a laptop. */}
                        <div class="meta">fiche créée le {formatShortDate(r.createdAt, t.timezone)}</div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <fieldset class="fieldset filters">
            <legend class="fieldset__legend">Confier les fiches cochées</legend>
            <div class={`form-group${p.assignErrors?.agent ? ' form-group--error' : ''}`}>
              <label class="label" for="f-agent">
                À la référente ou au référent
              </label>
              {p.assignErrors?.agent ? (
                <p id="f-agent-error" class="error-message">
                  <span class="visually-hidden">Erreur : </span>
                  {p.assignErrors.agent}
                </p>
              ) : null}
              <select class="select" id="f-agent" name="agent" aria-describedby={p.assignErrors?.agent ? 'f-agent-error' : undefined}>
                <option value="">Choisissez un agent</option>
                {p.agents.map((a) => (
                  <option value={a.id} selected={a.id === p.assignAgent}>
                    {a.name}
                  </option>
                ))}
              </select>
            </div>
            <div class="form-group">
              <Button variant="secondary">Confier les fiches cochées</Button>
            </div>
          </fieldset>
        </form>
      ) : null}
      <Pagination page={f.page} pages={pages} href={(n) => href(f, { page: n })} label="Pages des candidats" />
    </AdminPage>
  );
}

export function DeleteViewPage(p: Frame & { view: SavedView }) {
  return (
    <AdminPage {...p} title={`Supprimer la vue « ${p.view.name} » ?`} current="candidates" trail={[['Candidats', LIST]]}>
      <h1>Supprimer la vue « {p.view.name} » ?</h1>
      <p>La recherche enregistrée disparaîtra de vos vues. Les fiches, elles, ne changent pas.</p>
      <form method="post" action={`${LIST}/vues/${p.view.id}/supprimer`}>
        <HiddenFields fields={{ _csrf: p.csrf }} />
        <div class="button-row">
          <Button variant="warning">Oui, supprimer la vue</Button>
          <a href={LIST}>Revenir sans rien changer</a>
        </div>
      </form>
    </AdminPage>
  );
}

/** The board: a column per stage with how many files and the most recently active ones. */
export function BoardPage(p: Frame & { columns: BoardColumn[]; mine: boolean }) {
  const t = p.site.territory;
  return (
    <AdminPage {...p} title="Candidats par étape" current="candidates" wide trail={[['Candidats', LIST]]}>
      <h1>Candidats par étape</h1>
      <p class="button-row">
        {p.mine ? <a href="/admin/candidats/tableau">Voir toutes les fiches</a> : <a href="/admin/candidats/tableau?referent=moi">Voir mes fiches seulement</a>}
        <a href={LIST}>Liste des candidats</a>
      </p>
      <ul class="stats board">
        {p.columns.map((col) => {
          const label = stageLabel(col.stage);
          const listHref = `${LIST}?etape=${col.stage}${p.mine ? '&referent=moi' : ''}`;
          return (
            <li>
              <h2 id={`etape-${col.stage}`}>
                {label} <strong>{col.count.toLocaleString('fr-FR')}</strong>
              </h2>
              {col.cards.length ? (
                <ol class="card-list" aria-labelledby={`etape-${col.stage}`}>
                  {col.cards.map((c) => (
                    <li class="card">
                      <a href={`${LIST}/${c.id}`}>
                        {c.firstName} {c.lastName}
                      </a>
                      <div class="meta">
                        {(c.projectType ? labelOf(projectTypes, c.projectType) : labelOf(projects, c.project)) ?? 'Projet non renseigné'}
                        <br />
                        {c.referentName ?? 'Sans référent·e'}
                        {c.lastActivityAt ? ` · ${formatShortDate(c.lastActivityAt, t.timezone)}` : ''}
                      </div>
                    </li>
                  ))}
                </ol>
              ) : (
                <p class="meta">Aucune fiche.</p>
              )}
              {col.count > col.cards.length ? (
                <p>
                  <a href={listHref}>
                    Voir les {col.count.toLocaleString('fr-FR')} fiches<span class="visually-hidden"> à l’étape {label}</span>
                  </a>
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
    </AdminPage>
  );
}

function FileSummary({ f, zone }: { f: DuplicateFile; zone: string }) {
  return (
    <>
      <a href={`${LIST}/${f.id}`}>
        {f.firstName} {f.lastName}
      </a>
      <div class="meta">
        {f.email}
        {f.phone ? ` · ${f.phone}` : ''}
        {f.town ? ` · ${f.town}` : ''}
        <br />
        {stageLabel(f.stage)} · fiche créée le {formatShortDate(f.createdAt, zone)}
      </div>
    </>
  );
}

export function DuplicatesPage(p: Frame & { pairs: DuplicatePair[]; forFile: string | null }) {
  const z = p.site.territory.timezone;
  return (
    <AdminPage {...p} title="Doublons à fusionner" current="candidates" trail={[['Candidats', LIST]]}>
      <h1>Doublons à fusionner</h1>
      <p>Ces fiches semblent décrire le même foyer : le même téléphone, ou le même prénom et le même nom dans la même commune. Comparez-les avant de fusionner : la fusion garde tout l’historique des deux fiches.</p>
      {p.forFile ? (
        <p>
          <a href="/admin/candidats/doublons">Voir tous les doublons</a>
        </p>
      ) : null}
      {p.pairs.length === 0 ? (
        <p class="inset">Aucun doublon probable.</p>
      ) : (
        <ul class="card-list">
          {p.pairs.map((pair) => (
            <li class="card">
              <p>
                {pair.samePhone ? <span class="tag">Même téléphone</span> : null}
                {pair.sameNameAndTown ? <span class="tag">Même nom et même commune</span> : null}
              </p>
              <div class="two-columns">
                <div>
                  <FileSummary f={pair.older} zone={z} />
                </div>
                <div>
                  <FileSummary f={pair.newer} zone={z} />
                </div>
              </div>
              <p>
                <a href={`${LIST}/fusion?garder=${pair.older.id}&absorber=${pair.newer.id}`}>
                  Comparer et fusionner<span class="visually-hidden"> les fiches de {pair.older.firstName} {pair.older.lastName} et de {pair.newer.firstName} {pair.newer.lastName}</span>
                </a>
              </p>
            </li>
          ))}
        </ul>
      )}
    </AdminPage>
  );
}

export interface MergeSide {
  file: DuplicateFile & { referentName: string | null; firstSource: string | null };
  registrations: number;
  events: number;
  members: number;
}

export function MergeConfirmPage(p: Frame & { a: MergeSide; b: MergeSide; keep: string; errors: FieldErrors; shared: string[] }) {
  const z = p.site.territory.timezone;
  const label = (s: MergeSide) => `${s.file.firstName} ${s.file.lastName} (${s.file.email})`;
  const Side = ({ s }: { s: MergeSide }) => (
    <div class="card">
      <h2>
        {s.file.firstName} {s.file.lastName}
      </h2>
      <ul>
        <li>{s.file.email}</li>
        <li>Téléphone : {s.file.phone ?? 'non renseigné'}</li>
        <li>Commune : {s.file.town ?? 'non renseignée'}</li>
        <li>Étape : {stageLabel(s.file.stage)}</li>
        <li>Référent·e : {s.file.referentName ?? 'personne'}</li>
        <li>Première source : {s.file.firstSource ?? 'aucune'}</li>
        <li>Fiche créée le {formatShortDate(s.file.createdAt, z)}</li>
        <li>
          {s.registrations} inscription{s.registrations > 1 ? 's' : ''}, {s.events} événement{s.events > 1 ? 's' : ''} dans l’historique, {s.members} personne{s.members > 1 ? 's' : ''} au foyer
        </li>
      </ul>
      <p>
        <a href={`${LIST}/${s.file.id}`}>
          Ouvrir la fiche<span class="visually-hidden"> de {s.file.firstName} {s.file.lastName}</span>
        </a>
      </p>
    </div>
  );
  return (
    <AdminPage {...p} title="Fusionner deux fiches ?" current="candidates" hasError={Object.keys(p.errors).length > 0} trail={[['Candidats', LIST], ['Doublons', `${LIST}/doublons`]]}>
      <ErrorSummary errors={p.errors} />
      <h1>Fusionner deux fiches ?</h1>
      <div class="two-columns">
        <Side s={p.a} />
        <Side s={p.b} />
      </div>
      <p>
        Tout ce qui concerne la fiche absorbée passe sur la fiche gardée : inscriptions, historique, demandes, foyer, tâches, rendez-vous, installation et suivis. La fiche absorbée reste consultable, marquée comme fusionnée, et son adresse e-mail mène désormais à la fiche gardée. Cela ne se défait pas.
      </p>
      {p.shared.length ? (
        <div class="notice" role="note">
          <p>Les deux fiches sont inscrites aux mêmes Rencontres ({p.shared.join(', ')}) : l’inscription de la fiche gardée reste, celle de la fiche absorbée est annulée sans e-mail, et l’historique le dira.</p>
        </div>
      ) : null}
      <form method="post" action={`${LIST}/fusion`}>
        <HiddenFields fields={{ _csrf: p.csrf, a: p.a.file.id, b: p.b.file.id }} />
        <Radios
          name="garder"
          label="Quelle fiche garder ?"
          hint="La plus ancienne est proposée : c’est celle du premier contact."
          options={[
            { value: p.a.file.id, label: label(p.a) },
            { value: p.b.file.id, label: label(p.b) },
          ]}
          value={p.keep}
          errors={p.errors}
        />
        <div class="button-row">
          <Button variant="warning">Fusionner les deux fiches</Button>
          <a href={`${LIST}/doublons`}>Revenir sans rien changer</a>
        </div>
      </form>
    </AdminPage>
  );
}

