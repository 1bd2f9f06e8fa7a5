import type { Child } from 'hono/jsx';
import { AdminPage, type AdminPageProps } from '../../../areas/admin/layout.tsx';
import { formatDate, formatSlot, formatTime } from '../../../platform/time.ts';
import { Button, ErrorSummary, fieldId, HiddenFields, Select, TextInput, type Choice } from '../../../platform/views/form-kit.tsx';
import type { ZoomImportPreview } from '../import-zoom-reports.ts';
import { lineList, matchLabels, plural, spacedZoomId, statusLabels } from '../zoom-import-summary.ts';
import { MAX_REPORT_BYTES } from '../zoom-reports.ts';

type Frame = Omit<AdminPageProps, 'children' | 'title' | 'current'>;

/** Every problem of a field: the summary links to the field with the first, the field lists them all. */
export type ImportErrors = Partial<Record<'registrations' | 'attendees' | 'webinar' | 'zone', string[]>>;

export const importFieldOrder = ['registrations', 'attendees', 'webinar', 'zone'];

const trail: Array<[string, string]> = [['Rencontres', '/admin/rencontres']];

function summaryErrors(errors: ImportErrors): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, list] of Object.entries(errors)) {
    if (!list?.length) continue;
    out[k] = list.length > 1 ? `${list[0]} (et ${plural(list.length - 1, 'autre problème', 'autres problèmes')} dans ce fichier)` : list[0]!;
  }
  return out;
}

/** A file field after the form kit's pattern: label, hint, every error of the file, the input. */
function FileInput(p: { name: string; label: string; hint: string; errors: string[] | undefined }) {
  const id = fieldId(p.name);
  const errors = p.errors ?? [];
  return (
    <div class={`form-group${errors.length ? ' form-group--error' : ''}`}>
      <label class="label" for={id}>
        {p.label}
        <span class="optional"> (facultatif)</span>
      </label>
      <div id={`${id}-hint`} class="hint">
        {p.hint}
      </div>
      {errors.length ? (
        <div id={`${id}-error`} class="error-message">
          <span class="visually-hidden">Erreur : </span>
          {errors.length === 1 ? (
            errors[0]
          ) : (
            <ul>
              {errors.map((e) => (
                <li>{e}</li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
      <input
        class={`input${errors.length ? ' input--error' : ''}`}
        id={id}
        name={p.name}
        type="file"
        accept=".csv,text/csv"
        aria-describedby={`${id}-hint${errors.length ? ` ${id}-error` : ''}`}
        aria-invalid={errors.length ? 'true' : undefined}
      />
    </div>
  );
}

export function ZoomImportFormPage(p: Frame & { values: { webinar: string; zone: string }; errors: ImportErrors; webinars: Choice[] }) {
  const hasError = Object.keys(p.errors).length > 0;
  const limit = `${MAX_REPORT_BYTES / (1024 * 1024)} Mo`;
  return (
    <AdminPage {...p} title="Importer des rapports Zoom" current="webinars" hasError={hasError} trail={trail}>
      <h1>Importer des rapports Zoom</h1>
      <ErrorSummary errors={summaryErrors(p.errors)} order={importFieldOrder} />
      <p>
        Chargez les rapports d’un webinaire tels que Zoom les exporte (Rapports, puis Webinaires, puis « Rapport d’inscription » ou « Rapport de participation », au format CSV). Un seul des deux suffit ; les deux
        ensemble donnent le plus juste.
      </p>
      <p>
        Les personnes et les inscriptions qui manquent sont créées, y compris pour une Rencontre tenue avant la plateforme ; la participation est comptée selon la règle du territoire. Personne ne reçoit
        d’e-mail. Vous verrez un aperçu avant que rien ne soit enregistré, et importer deux fois les mêmes fichiers ne change rien.
      </p>
      <form method="post" action="/admin/imports/zoom" enctype="multipart/form-data" novalidate>
        <HiddenFields fields={{ _csrf: p.csrf }} />
        <FileInput name="registrations" label="Rapport d’inscription (Registration Report)" hint={`Fichier CSV exporté de Zoom, ${limit} au plus.`} errors={p.errors.registrations} />
        <FileInput name="attendees" label="Rapport de participation (Attendee Report)" hint={`Fichier CSV exporté de Zoom, ${limit} au plus.`} errors={p.errors.attendees} />
        <Select
          name="webinar"
          label="Rencontre concernée"
          hint="Par défaut, la Rencontre tenue le jour du rapport est retrouvée ; s’il n’y en a pas, elle est créée d’après le rapport."
          options={p.webinars}
          placeholder="Retrouver ou créer d’après le rapport"
          value={p.values.webinar}
          errors={summaryErrors(p.errors)}
          required={false}
        />
        <TextInput
          name="zone"
          label="Fuseau horaire du compte Zoom"
          hint="Zoom écrit les heures de ses rapports dans le fuseau du compte, comme Europe/Paris."
          value={p.values.zone}
          errors={summaryErrors(p.errors)}
          width="half"
          spellcheck={false}
        />
        <Button>Voir l’aperçu</Button>
      </form>
    </AdminPage>
  );
}

function Row({ term, children }: { term: string; children: Child }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function PreviewBody({ p, zone }: { p: ZoomImportPreview; zone: string }) {
  const w = p.webinar;
  const a = p.attendance;
  return (
    <>
      <dl class="summary-list">
        <Row term="Rencontre">
          {w.id ? <a href={`/admin/rencontres/${w.id}`}>{w.title}</a> : <strong>{w.title}</strong>}
          <br />
          {formatSlot(w.startsAt, w.endsAt, zone)}
          <br />
          {matchLabels[w.match].replace(/^./, (x) => x.toUpperCase())}
          {w.zoomWebinarId ? ` (webinaire Zoom ${spacedZoomId(w.zoomWebinarId)})` : ''}
        </Row>
        <Row term="Personnes">
          {plural(p.people.toCreate.length, 'à créer', 'à créer')}, {plural(p.people.existing, 'déjà connue', 'déjà connues')}
        </Row>
        <Row term="Inscriptions">
          {plural(p.registrations.toCreate, 'à créer', 'à créer')}, {plural(p.registrations.existing, 'déjà enregistrée', 'déjà enregistrées')}
        </Row>
        <Row term="Participation">
          {a
            ? `${plural(a.present, 'présent', 'présents')}, ${plural(a.absent, 'absent', 'absents')} (présent à partir de ${a.thresholdMinutes} minutes)${a.keptByAgent ? `, dont ${plural(a.keptByAgent, 'choix d’agent conservé', 'choix d’agents conservés')}` : ''}`
            : 'Sans rapport de participation, la participation n’est pas modifiée.'}
        </Row>
        <Row term="Hôtes et panélistes">
          {plural(p.hosts, 'hôte', 'hôtes')}, {plural(p.panelists, 'panéliste', 'panélistes')} : ce ne sont pas des inscrits.
        </Row>
        <Row term="Invités selon Zoom">{plural(p.guests, 'personne connectée', 'personnes connectées')} sans compte de l’organisation (« Is Guest »)</Row>
      </dl>

      {p.matchedByName.length ? (
        <>
          <h2>Rapprochées par le nom</h2>
          <p>Ces connexions n’ont pas d’adresse e-mail dans le rapport de participation ; un seul inscrit porte ce nom.</p>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Nom dans Zoom</th>
                  <th scope="col">Inscrit</th>
                  <th scope="col">Lignes</th>
                </tr>
              </thead>
              <tbody>
                {p.matchedByName.map((m) => (
                  <tr>
                    <td>{m.name}</td>
                    <td>{m.email}</td>
                    <td>{lineList(m.lines)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}

      {p.unmatched.length ? (
        <>
          <h2>Connexions sans inscrit correspondant</h2>
          <p>Elles ne sont comptées pour personne : sans adresse e-mail, ou sous un nom que portent plusieurs inscrits. Un agent peut noter la présence à la main.</p>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Nom dans Zoom</th>
                  <th scope="col" class="num">
                    Minutes
                  </th>
                  <th scope="col">Raison</th>
                  <th scope="col">Lignes</th>
                </tr>
              </thead>
              <tbody>
                {p.unmatched.map((u) => (
                  <tr>
                    <td>
                      {u.name}
                      {u.isGuest ? <span class="tag tag--grey">invité·e</span> : null}
                    </td>
                    <td class="num">{u.minutes}</td>
                    <td>{u.reason === 'same-name' ? 'plusieurs inscrits portent ce nom' : 'pas d’adresse e-mail'}</td>
                    <td>{lineList(u.lines)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}

      {p.skipped.length ? (
        <>
          <h2>Inscriptions non reprises</h2>
          <ul>
            {p.skipped.map((x) => (
              <li>
                {x.name} ({x.email}) : {statusLabels[x.status] ?? x.status}, rapport {x.file === 'registrations' ? 'd’inscription' : 'de participation'}, ligne {x.line}
              </li>
            ))}
          </ul>
        </>
      ) : null}

      {p.people.toCreate.length ? (
        <>
          <h2>Personnes à créer</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Nom</th>
                  <th scope="col">Adresse e-mail</th>
                  <th scope="col">Lignes des rapports</th>
                </tr>
              </thead>
              <tbody>
                {p.people.toCreate.map((x) => (
                  <tr>
                    <td>{`${x.firstName} ${x.lastName}`.trim()}</td>
                    <td>{x.email}</td>
                    <td>
                      {[x.lines.registrations.length ? `inscription : ${lineList(x.lines.registrations)}` : '', x.lines.attendees.length ? `participation : ${lineList(x.lines.attendees)}` : '']
                        .filter(Boolean)
                        .join(' ; ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}

      {p.warnings.length ? (
        <>
          <h2>Remarques</h2>
          <ul>
            {p.warnings.map((x) => (
              <li>{x}</li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}

export function ZoomImportPreviewPage(p: Frame & { preview: ZoomImportPreview; sealed: { payload: string; mac: string }; zone: string }) {
  return (
    <AdminPage {...p} title="Aperçu de l’import des rapports Zoom" current="webinars" wide trail={[...trail, ['Importer des rapports Zoom', '/admin/imports/zoom']]}>
      <h1>Aperçu de l’import</h1>
      <div class="notice" role="status">
        <p>Rien n’est encore enregistré. Vérifiez ce qui va être fait, puis confirmez.</p>
      </div>
      <PreviewBody p={p.preview} zone={p.zone} />
      <form method="post" action="/admin/imports/zoom/confirmer">
        <HiddenFields fields={{ _csrf: p.csrf, payload: p.sealed.payload, mac: p.sealed.mac }} />
        <div class="button-row">
          <Button>Confirmer l’import</Button>
          <a href="/admin/imports/zoom">Choisir d’autres fichiers</a>
        </div>
      </form>
    </AdminPage>
  );
}

/** What an import did, as its audit entry keeps it (counts only: no personal data in the journal). */
export interface ImportRecord {
  at: string;
  by: string | null;
  webinar: { id: string; title: string; startsAt: string; endsAt: string };
  details: {
    webinarMatch?: string;
    zoomWebinarId?: string | null;
    peopleCreated?: number;
    peopleExisting?: number;
    registrationsCreated?: number;
    registrationsExisting?: number;
    present?: number | null;
    absent?: number | null;
    keptByAgent?: number | null;
    unmatched?: number;
    matchedByName?: number;
    skipped?: number;
  };
}

export function ZoomImportDonePage(p: Frame & { record: ImportRecord; zone: string }) {
  const { record: r } = p;
  const d = r.details;
  const n = (x: number | null | undefined) => x ?? 0;
  return (
    <AdminPage {...p} title="Import des rapports Zoom enregistré" current="webinars" trail={trail}>
      <h1>Import des rapports Zoom enregistré</h1>
      <div class="notice notice--success" role="status">
        <p>
          L’import est enregistré, le {formatDate(r.at, p.zone)} à {formatTime(r.at, p.zone)}
          {r.by ? `, par ${r.by}` : ''}.
        </p>
      </div>
      <dl class="summary-list">
        <Row term="Rencontre">
          <a href={`/admin/rencontres/${r.webinar.id}`}>{r.webinar.title}</a>
          <br />
          {formatSlot(r.webinar.startsAt, r.webinar.endsAt, p.zone)}
          {d.webinarMatch === 'create' ? <><br />Créée d’après le rapport</> : null}
          {d.zoomWebinarId ? ` (webinaire Zoom ${spacedZoomId(d.zoomWebinarId)})` : ''}
        </Row>
        <Row term="Personnes">
          {plural(n(d.peopleCreated), 'créée', 'créées')}, {plural(n(d.peopleExisting), 'déjà connue', 'déjà connues')}
        </Row>
        <Row term="Inscriptions">
          {plural(n(d.registrationsCreated), 'créée', 'créées')}, {plural(n(d.registrationsExisting), 'déjà enregistrée', 'déjà enregistrées')}
        </Row>
        <Row term="Participation">
          {d.present === null || d.present === undefined
            ? 'Non modifiée (pas de rapport de participation).'
            : `${plural(n(d.present), 'présent', 'présents')}, ${plural(n(d.absent), 'absent', 'absents')}${d.keptByAgent ? `, dont ${plural(d.keptByAgent, 'choix d’agent conservé', 'choix d’agents conservés')}` : ''}`}
        </Row>
        <Row term="Non rattachées">
          {plural(n(d.unmatched), 'connexion sans inscrit correspondant', 'connexions sans inscrit correspondant')} ; {plural(n(d.matchedByName), 'personne rapprochée', 'personnes rapprochées')} par le nom
        </Row>
      </dl>
      <div class="button-row">
        <a class="button button--primary" href={`/admin/rencontres/${r.webinar.id}`}>
          Voir la Rencontre et ses inscrits
        </a>
        <a href="/admin/imports/zoom">Importer d’autres rapports</a>
      </div>
    </AdminPage>
  );
}
