import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { AdminPage } from '../../../areas/admin/layout.tsx';
import type { Site } from '../../../areas/public/layout.tsx';
import type { AgentRow } from '../../../platform/db/schema.ts';
import { Document } from '../../../platform/views/document.tsx';
import { Button, ErrorSummary, Select, TextInput } from '../../../platform/views/form-kit.tsx';
import { formatDate } from '../../../platform/time.ts';
import { DISCLOSURE_THRESHOLD, formatEuros, formatNumber, formatRate, funnelStepLabels, funnelSteps, type PeriodStatistics } from '../statistics.ts';
import { displayCell, editionDate, isTextColumn, statisticsTables, type StatTable } from '../statistics-tables.ts';
import { periodLabel, shortMonthLabel, type PeriodErrors } from '../period.ts';
import { generatedLabel } from '../statistics-export.ts';
import { BarChart, ColumnChart, DepartementMap } from './charts.tsx';

export interface PeriodFormValues {
  annee?: string;
  du?: string;
  au?: string;
}

/** The query string of a period, for links to exports and to the report. */
export function periodQuery(s: Pick<PeriodStatistics, 'from' | 'to'>): string {
  const y = s.from.slice(0, 4);
  if (s.from === `${y}-01-01` && s.to === `${y}-12-31`) return `annee=${y}`;
  return `du=${s.from}&au=${s.to}`;
}

/** A statistics table as HTML, with its exports beside it when `exportBase` is given. */
export function StatTableView({ table, exportBase, headingLevel = 3, caption }: { table: StatTable; exportBase?: string; headingLevel?: 2 | 3; caption?: boolean }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  // The same table also sits under its chart (as its text alternative): each copy has its own id.
  const id = `tableau-${table.key}${caption === false ? '-donnees' : ''}`;
  return (
    // The scrollable wrapper is the region (named by the heading), so the section itself is no landmark.
    <section class="stats-table">
      {caption === false ? null : <Heading id={id}>{table.title}</Heading>}
      {exportBase ? (
        <p class="stats-table__exports">
          Télécharger ce tableau : <a href={`${exportBase.replace('{format}', 'csv').replace('{key}', table.key)}`}>CSV<span class="visually-hidden"> : {table.title}</span></a>
          {' · '}
          <a href={`${exportBase.replace('{format}', 'xlsx').replace('{key}', table.key)}`}>XLSX<span class="visually-hidden"> : {table.title}</span></a>
        </p>
      ) : null}
      {/* A wide table scrolls, so its wrapper is a named region the keyboard can reach; the few columns
          of a chart's data (in its <details>) never need to. */}
      <div class="table-wrap" tabindex={caption === false ? undefined : 0} role={caption === false ? undefined : 'region'} aria-labelledby={caption === false ? undefined : id}>
        <table>
          {caption === false ? <caption id={id}>{table.title}</caption> : null}
          <thead>
            <tr>
              {table.columns.map((c) => (
                <th scope="col" class={isTextColumn(c.format) ? undefined : 'num'}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.length === 0 ? (
              <tr>
                <td colspan={table.columns.length}>Rien à compter pour cette période.</td>
              </tr>
            ) : null}
            {table.rows.map((r, row) => (
              <tr>
                {r.map((v, i) =>
                  i === 0 ? (
                    <th scope="row">{table.rowLinks?.[row] ? <a href={table.rowLinks[row]}>{displayCell(v, table.columns[i]!.format)}</a> : displayCell(v, table.columns[i]!.format)}</th>
                  ) : (
                    <td class={isTextColumn(table.columns[i]!.format) ? undefined : 'num'}>{displayCell(v, table.columns[i]!.format)}</td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
          {table.total ? (
            <tfoot>
              <tr>
                {table.total.map((v, i) =>
                  i === 0 ? (
                    <th scope="row">{displayCell(v, table.columns[i]!.format)}</th>
                  ) : (
                    <td class={isTextColumn(table.columns[i]!.format) ? undefined : 'num'}>{displayCell(v, table.columns[i]!.format)}</td>
                  ),
                )}
              </tr>
            </tfoot>
          ) : null}
        </table>
      </div>
    </section>
  );
}

/**
 * Beyond this many editions (a national deployment's year) the page gives them month by month and
 * leaves the one-by-one tables to the exports: nobody reads a thousand rows on a screen, and the page
 * stays light enough to answer at once.
 */
export const MAX_EDITION_ROWS = 60;

function ManyEditions({ s, exportBase, table }: { s: PeriodStatistics; exportBase?: string; table: string }) {
  const title = table === 'rencontres' ? 'Les Rencontres une par une' : 'Entonnoir par Rencontre';
  return (
    <section class="stats-table">
      <h3>{title}</h3>
      <p>
        {formatNumber(s.editions.total)} Rencontres dans la période : le tableau Rencontre par Rencontre est trop long pour cette page
        {exportBase ? (
          <>
            {' '}
            et se télécharge en <a href={exportBase.replace('{format}', 'csv').replace('{key}', table)}>CSV<span class="visually-hidden"> : {title}</span></a> ou en{' '}
            <a href={exportBase.replace('{format}', 'xlsx').replace('{key}', table)}>XLSX<span class="visually-hidden"> : {title}</span></a>
          </>
        ) : null}
        ; les chiffres par mois suivent.
      </p>
    </section>
  );
}

function KeyFigures({ s }: { s: PeriodStatistics }) {
  const items: Array<[string, string, string?]> = [
    ['Rencontres', formatNumber(s.editions.total), `${s.editions.generic} généralistes, ${s.editions.thematic} thématiques`],
    ['Inscriptions', formatNumber(s.registrations), `${formatNumber(s.cancelled)} annulations en plus`],
    ['Personnes distinctes', formatNumber(s.distinctPeople)],
    ['Participants', formatNumber(s.attendees), `taux de présence ${formatRate(s.attendanceRate)}${s.attendanceRange ? `, de ${formatRate(s.attendanceRange.min)} à ${formatRate(s.attendanceRange.max)} selon la Rencontre` : ''}`],
    // A soft hyphen: in a narrow card the long word breaks where French breaks it, "accompa-gnement".
    ['Demandes d’accompa\u00ADgnement', formatNumber(s.accompanimentRequests)],
    ['Foyers installés', formatNumber(s.installations.households), `${formatNumber(s.installations.adults)} adultes, ${formatNumber(s.installations.children)} enfants`],
    ['Coût de promotion', formatEuros(s.cost.totalCents), `${formatEuros(s.cost.perRegistrantCents)} par inscrit, ${formatEuros(s.cost.perInstallationCents)} par foyer installé`],
  ];
  return (
    <ul class="stats stats--figures">
      {items.map(([label, value, note]) => (
        <li>
          <strong>{value}</strong> {label}
          {note ? <span class="stats__note">{note}</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** The charts and tables of a period, shared by the dashboard and the printable report. */
export function StatisticsBody({ s, exportBase, forPrint = false }: { s: PeriodStatistics; exportBase?: string; forPrint?: boolean }) {
  const tables = Object.fromEntries(statisticsTables(s).map((t) => [t.key, t]));
  const T = (key: string) => <StatTableView table={tables[key]!} exportBase={exportBase} />;
  const byEdition = s.webinars.length <= 24;
  const detailed = s.webinars.length <= MAX_EDITION_ROWS;
  const categories = byEdition ? s.webinars.map((w) => editionDate(w.startsAt, s.zone).split('-').reverse().join('/')) : s.months.map((m) => shortMonthLabel(m.month));
  const regs = byEdition ? s.webinars.map((w) => w.registrations) : s.months.map((m) => m.registrations);
  const atts = byEdition ? s.webinars.map((w) => w.attendees) : s.months.map((m) => m.attendees);
  const best = [...s.webinars].sort((a, b) => b.registrations - a.registrations)[0];
  const funnel = s.funnel.overall;
  const topPlaces = s.places.slice(0, 3).map((p) => `${p.label} (${p.count})`).join(', ');
  return (
    <>
      <h2 id="rencontres">Inscriptions et présence</h2>
      <ColumnChart
        title={byEdition ? 'Inscriptions et participants par Rencontre' : 'Inscriptions et participants par mois'}
        description={`${formatNumber(s.registrations)} inscriptions et ${formatNumber(s.attendees)} participants sur ${s.editions.total} Rencontres, soit un taux de présence de ${formatRate(s.attendanceRate)}.${best ? ` La Rencontre la plus suivie est celle du ${editionDate(best.startsAt, s.zone).split('-').reverse().join('/')} (${best.registrations} inscriptions).` : ''}`}
        categories={categories}
        series={[
          { name: 'Inscriptions', tone: 1, values: regs },
          { name: 'Participants', tone: 2, values: atts },
        ]}
        table={
          <StatTableView
            table={{
              key: 'graphique-rencontres',
              title: byEdition ? 'Inscriptions et participants par Rencontre' : 'Inscriptions et participants par mois',
              sheet: 'Graphique',
              columns: [
                { label: byEdition ? 'Rencontre du' : 'Mois', format: 'text' },
                { label: 'Inscriptions', format: 'int' },
                { label: 'Participants', format: 'int' },
              ],
              rows: categories.map((c, i) => [c, regs[i] ?? 0, atts[i] ?? 0]),
            }}
            caption={false}
          />
        }
      />
      {detailed ? T('rencontres') : <ManyEditions s={s} exportBase={exportBase} table="rencontres" />}
      {forPrint && detailed ? null : T('mois')}

      <h2 id="entonnoir">De l’inscription à l’installation</h2>
      <p>
        Les foyers dont le premier contact date de la période, suivis étape par étape ; chaque étape compte ceux qui l’ont atteinte depuis ce premier contact. Délais médians :{' '}
        {funnel.medians['registered-attended'].days === null ? 'pas encore mesurables' : `${formatNumber(funnel.medians['registered-attended'].days)} jours de l’inscription à la Rencontre`}
        {funnel.medians['attended-asked'].days === null ? '' : `, ${formatNumber(funnel.medians['attended-asked'].days)} jours de la Rencontre à la demande d’accompagnement`}
        {funnel.medians['accompanied-installed'].days === null ? '' : `, ${formatNumber(funnel.medians['accompanied-installed'].days)} jours de l’accompagnement à l’installation`}.
      </p>
      <BarChart
        title="Entonnoir des foyers de la période"
        description={funnelSteps.map((step) => `${funnelStepLabels[step]} : ${formatNumber(funnel.counts[step])}`).join(' ; ') + '.'}
        rows={funnelSteps.map((step) => ({ label: funnelStepLabels[step], value: funnel.counts[step], note: funnel.counts.registered > 0 ? formatRate(funnel.counts[step] / funnel.counts.registered) : undefined }))}
        table={<StatTableView table={{ key: 'entonnoir', title: 'Entonnoir des foyers de la période', sheet: 'Entonnoir', columns: [{ label: 'Étape', format: 'text' }, { label: 'Foyers', format: 'int' }], rows: funnelSteps.map((step) => [funnelStepLabels[step], funnel.counts[step]]) }} caption={false} />}
      />
      {T('entonnoir-mois')}
      {forPrint ? null : detailed ? T('entonnoir-rencontres') : <ManyEditions s={s} exportBase={exportBase} table="entonnoir-rencontres" />}

      <h2 id="origines">D’où viennent les candidats</h2>
      <BarChart
        title="Inscriptions par source de campagne"
        description={s.sources.length ? `Sources des ${formatNumber(s.registrations)} inscriptions : ${s.sources.map((x) => `${x.label} ${x.count}`).join(', ')}.` : 'Aucune inscription pour cette période.'}
        rows={s.sources.map((x) => ({ label: x.label, value: x.count }))}
        table={<StatTableView table={tables.sources!} caption={false} />}
      />
      {T('sources')}
      <DepartementMap
        title="Départements de résidence des personnes inscrites"
        description={s.places.length ? `${formatNumber(s.distinctPeople)} personnes, venues de ${s.places.length} départements ou pays ; les plus nombreuses : ${topPlaces}.` : 'Aucune personne inscrite pour cette période.'}
        counts={s.places}
        table={<StatTableView table={tables.departements!} caption={false} />}
      />
      {T('departements')}
      <div class="two-columns">
        {T('projets')}
        {T('foyers')}
      </div>

      <h2 id="installations">Installations</h2>
      <BarChart
        title="Régions naturelles où les foyers s’installent"
        description={s.installations.byRegion.length ? `${formatNumber(s.installations.households)} foyers installés : ${s.installations.byRegion.map((r) => `${r.label} ${r.count}`).join(', ')}.` : 'Aucune installation enregistrée pour cette période.'}
        rows={s.installations.byRegion.map((r) => ({ label: r.label, value: r.count }))}
        tone={2}
        table={<StatTableView table={tables['installations-regions']!} caption={false} />}
      />
      {T('installations-regions')}
      <div class="two-columns">
        {T('installations-activites')}
        {T('abandons')}
      </div>
      {T('suivis')}
      {T('synthese')}
    </>
  );
}

/**
 * The key figures, charts and tables of a dashboard, rendered once per computation of the figures:
 * a view that finds nothing changed gets the figures of the last computation again (computeStatistics
 * gives the same frozen arrays, only the time of the request is new), and the same HTML with them.
 */
const renderedBodies = new WeakMap<object, { exportBase: string; html: string }>();
function DashboardBody({ s, exportBase }: { s: PeriodStatistics; exportBase: string }) {
  const known = renderedBodies.get(s.webinars);
  if (known && known.exportBase === exportBase && Object.isFrozen(s.webinars)) return raw(known.html);
  const html = (
    <>
      <KeyFigures s={s} />
      <StatisticsBody s={s} exportBase={exportBase} />
    </>
  ).toString();
  if (typeof html !== 'string') throw new Error('the statistics body renders synchronously');
  if (Object.isFrozen(s.webinars)) renderedBodies.set(s.webinars, { exportBase, html });
  return raw(html);
}

export function MethodNotes() {
  return (
    <section class="stats-method" aria-labelledby="methode">
      <h2 id="methode">Comment ces chiffres sont calculés</h2>
      <ul>
        <li>Une Rencontre compte dans la période quand sa date, à l’heure de Paris, y tombe ; les brouillons et les Rencontres annulées ne comptent pas.</li>
        <li>Les inscriptions sont celles qui n’ont pas été annulées (places confirmées et liste d’attente) ; les annulations sont comptées à part.</li>
        <li>Le taux de présence divise les participants par ces inscriptions, pour les Rencontres déjà tenues.</li>
        <li>Une personne est « déjà venue » à une Rencontre si elle était inscrite à une Rencontre antérieure.</li>
        <li>Le coût par inscrit, participant ou demande divise le coût de promotion saisi par ce qu’ont apporté les Rencontres qui ont un coût ; le coût par foyer installé divise le coût de la période par les installations de la période.</li>
        <li>L’entonnoir suit les foyers dont le premier contact date de la période ; une étape compte quand elle a eu lieu après ce premier contact (après l’inscription pour l’entonnoir par Rencontre). Les délais sont des médianes en jours.</li>
        <li>Les données ouvertes ne contiennent aucune donnée personnelle ; tout effectif de 1 à {DISCLOSURE_THRESHOLD - 1} y est écrit « &lt; {DISCLOSURE_THRESHOLD} ».</li>
      </ul>
    </section>
  );
}

function PeriodForm({ values, errors, years }: { values: PeriodFormValues; errors: PeriodErrors; years: number[] }) {
  return (
    <form method="get" action="/admin/statistiques" class="stats-period" novalidate>
      <ErrorSummary errors={errors} order={['annee', 'du', 'au']} />
      <div class="filters">
        <Select name="annee" label="Année" value={values.annee ?? ''} placeholder="Choisir…" options={years.map((y) => ({ value: String(y), label: String(y) }))} errors={errors} />
        <p class="stats-period__or">ou une période :</p>
        <TextInput name="du" label="Du" type="date" width="half" value={values.du ?? ''} hint="Par exemple 2023-01-01" errors={errors} />
        <TextInput name="au" label="Au" type="date" width="half" value={values.au ?? ''} hint="Par exemple 2023-12-31" errors={errors} />
        <div class="form-group">
          <Button variant="secondary">Afficher</Button>
        </div>
      </div>
    </form>
  );
}

export interface StatisticsPageProps {
  site: Site;
  agent: AgentRow;
  csrf: string;
  stats: PeriodStatistics | null;
  values: PeriodFormValues;
  errors: PeriodErrors;
  years: number[];
}

export function StatisticsDashboardPage(p: StatisticsPageProps) {
  const s = p.stats;
  const q = s ? periodQuery(s) : '';
  const hasError = Object.keys(p.errors).length > 0;
  return (
    <AdminPage site={p.site} agent={p.agent} csrf={p.csrf} title={s ? `Statistiques, ${periodLabel(s)}` : 'Statistiques'} hasError={hasError} current="statistics" wide>
      <h1>Statistiques{s ? <span class="stats-period__label">, {periodLabel(s)}</span> : null}</h1>
      <PeriodForm values={p.values} errors={p.errors} years={p.years} />
      {s ? (
        <>
          <ul class="stats-links">
            <li>
              <a href={`/admin/statistiques/rapport?${q}`}>Rapport imprimable pour les élus</a>
            </li>
            <li>
              <a href={`/admin/statistiques/export/tout.xlsx?${q}`}>Tous les tableaux (XLSX)</a>
            </li>
            <li>
              <a href={`/admin/statistiques/donnees-ouvertes.csv?${q}`}>Données ouvertes anonymisées (CSV)</a>
            </li>
            <li>
              <a href={`/admin/statistiques.json?from=${s.from}&to=${s.to}`}>Les mêmes chiffres en JSON</a>
            </li>
          </ul>
          <DashboardBody s={s} exportBase={`/admin/statistiques/export/{key}.{format}?${q}`} />
          <MethodNotes />
          <p class="meta">Calculé le {generatedLabel(s.generatedAt, s.zone)} à partir des fiches, sans rien garder en mémoire : une correction se voit aussitôt.</p>
        </>
      ) : null}
    </AdminPage>
  );
}

/** The printable yearly report: the same figures, on a page meant for paper (or a PDF made by the browser). */
export function StatisticsReportPage({ site, s }: { site: Site; s: PeriodStatistics }) {
  const t = site.territory;
  return (
    <Document title={`Rapport ${periodLabel(s)} – ${t.webinarSeriesName}`} stylesheet={site.stylesheet} bodyClass="stats-report" noindex>
      <a class="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <header class="stats-report__header">
        <p class="stats-report__authority">{t.authority.name}</p>
        <p class="stats-report__actions">
          <a href={`/admin/statistiques?${periodQuery(s)}`}>Retour aux statistiques</a> · Pour un PDF : imprimez la page et choisissez « Enregistrer au format PDF ».
        </p>
      </header>
      <main id="contenu" tabindex={-1} class="stats-report__main">
        <h1>
          {t.webinarSeriesName} : bilan, {periodLabel(s)}
        </h1>
        <p class="lead">
          {formatNumber(s.editions.total)} Rencontres ({s.editions.generic} généralistes, {s.editions.thematic} thématiques), {formatNumber(s.registrations)} inscriptions de {formatNumber(s.distinctPeople)} personnes, {formatNumber(s.attendees)} participants (taux de présence{' '}
          {formatRate(s.attendanceRate)}), {formatNumber(s.accompanimentRequests)} demandes d’accompagnement et {formatNumber(s.installations.households)} foyers installés.
        </p>
        <KeyFigures s={s} />
        <StatisticsBody s={s} forPrint />
        <MethodNotes />
        <p class="meta">
          Document établi le {generatedLabel(s.generatedAt, s.zone)} par {t.programmeName}, {t.authority.name}.
        </p>
      </main>
    </Document>
  );
}

export function WebinarStatisticsPage({ site, agent, csrf, s, zone }: { site: Site; agent: AgentRow; csrf: string; s: PeriodStatistics; zone: string }) {
  const w = s.webinars[0]!;
  const f = s.funnel.byEdition[0]!;
  const tables = Object.fromEntries(statisticsTables(s).map((x) => [x.key, x]));
  const rows: Array<[string, Child]> = [
    ['Date', formatDate(w.startsAt, zone)],
    ['Inscriptions', `${formatNumber(w.registrations)} (dont ${formatNumber(w.waitlisted)} sur liste d’attente)`],
    ['Annulations', formatNumber(w.cancelled)],
    ['Participants', `${formatNumber(w.attendees)} (taux de présence ${formatRate(w.attendanceRate)})`],
    ['Présence moyenne', w.averageMinutes === null ? '–' : `${formatNumber(w.averageMinutes)} minutes`],
    ['Premières venues / déjà venues', `${formatNumber(w.firstTime)} / ${formatNumber(w.returning)}`],
    ['Demandes d’accompagnement', formatNumber(w.accompanimentRequests)],
    ['Replays envoyés', formatNumber(s.replaysSent.total)],
    ['Coût de promotion', `${formatEuros(w.promotionCostCents)} (${formatEuros(w.costPerRegistrantCents)} par inscrit, ${formatEuros(w.costPerAttendeeCents)} par participant, ${formatEuros(w.costPerRequestCents)} par demande)`],
  ];
  return (
    <AdminPage site={site} agent={agent} csrf={csrf} title={`Statistiques : ${w.title}`} current="statistics" wide trail={[['Statistiques', `/admin/statistiques?annee=${editionDate(w.startsAt, zone).slice(0, 4)}`]]}>
      <h1>Statistiques : {w.title}</h1>
      <dl class="summary-list">
        {rows.map(([k, v]) => (
          <div>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <BarChart
        title="Le parcours des inscrits de cette Rencontre"
        description={funnelSteps.map((step) => `${funnelStepLabels[step]} : ${formatNumber(f.counts[step])}`).join(' ; ') + '.'}
        rows={funnelSteps.map((step) => ({ label: funnelStepLabels[step], value: f.counts[step] }))}
        table={<StatTableView table={{ key: 'entonnoir-rencontre', title: 'Le parcours des inscrits de cette Rencontre', sheet: 'Entonnoir', columns: [{ label: 'Étape', format: 'text' }, { label: 'Personnes', format: 'int' }], rows: funnelSteps.map((step) => [funnelStepLabels[step], f.counts[step]]) }} caption={false} />}
      />
      <BarChart title="Inscriptions par source de campagne" description={`Sources : ${s.sources.map((x) => `${x.label} ${x.count}`).join(', ') || 'aucune'}.`} rows={s.sources.map((x) => ({ label: x.label, value: x.count }))} table={<StatTableView table={tables.sources!} caption={false} />} />
      <DepartementMap title="Départements de résidence des inscrits" description={`${formatNumber(s.distinctPeople)} personnes de ${s.places.length} départements ou pays.`} counts={s.places} table={<StatTableView table={tables.departements!} caption={false} />} />
      <div class="two-columns">
        <StatTableView table={tables.projets!} headingLevel={2} />
        <StatTableView table={tables.foyers!} headingLevel={2} />
      </div>
    </AdminPage>
  );
}
