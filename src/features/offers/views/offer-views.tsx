import type { Child } from 'hono/jsx';
import type { OfferRow, OfferStatus } from '../../../platform/db/schema.ts';
import { DomainError } from '../../../platform/http/errors.ts';
import { formatShortDate } from '../../../platform/time.ts';
import { Button, ErrorSummary, fieldId, HiddenFields, Select, TextArea, TextInput, type Choice, type FieldErrors } from '../../../platform/views/form-kit.tsx';
import { regionLabel, type Territory } from '../../territory/territory.ts';
import { canChangeStatus, offerStatusLabels, offerTypeLabel, offerTypes, sectorLabel, statusActionLabels } from '../offer.ts';
import { offerFieldOrder } from '../offer-schemas.ts';
import type { OfferListItem } from '../offers-repository.ts';
import { formatProblem, importColumns, MAX_IMPORT_BYTES, MAX_IMPORT_LINES, type CheckedLine, type ImportProblem } from '../offer-import.ts';

/** Views shared by the back-office and the partner portal: the offer form, the lists, the import. */

export type OfferValues = Record<string, string>;

export function offerValues(o: OfferRow): OfferValues {
  return {
    title: o.title,
    type: o.type,
    sector: o.sector,
    commune: o.commune_name,
    region: o.region_key ?? '',
    description: o.description,
    conditions: o.conditions,
    partner: o.partner_id ?? '',
    contactName: o.contact_name ?? '',
    contactEmail: o.contact_email ?? '',
    contactPhone: o.contact_phone ?? '',
    validFrom: o.valid_from ?? '',
    validUntil: o.valid_until ?? '',
  };
}

export function sectorChoices(t: Territory): Choice[] {
  return t.offers.sectors.map((s) => ({ value: s.key, label: s.label }));
}

export function regionChoices(t: Territory): Choice[] {
  return t.regions.map((r) => ({ value: r.key, label: r.label }));
}

export const typeChoices: Choice[] = offerTypes.map((t) => ({ value: t.value, label: t.label }));

/** The fields of an offer; `partners` only for agents (a partner's offers are its own). */
export function OfferFields(p: { territory: Territory; values: OfferValues; errors: FieldErrors; partners?: Choice[] }) {
  const v = p.values;
  return (
    <>
      <TextInput name="title" label="Titre de l’offre" hint="Ce que la personne cherche, en quelques mots : « Boulangerie-pâtisserie à reprendre », « Infirmier·e en EHPAD »." value={v.title} errors={p.errors} maxlength={150} />
      <Select name="type" label="Type d’offre" options={typeChoices} placeholder="Choisir un type" value={v.type} errors={p.errors} />
      <Select name="sector" label="Secteur" options={sectorChoices(p.territory)} placeholder="Choisir un secteur" value={v.sector} errors={p.errors} />
      <TextInput name="commune" label="Commune" hint="Le nom de la commune, par exemple Mende ou Saint-Chély-d’Apcher." value={v.commune} errors={p.errors} width="half" maxlength={100} autocomplete="off" />
      <Select name="region" label="Région naturelle" hint="Déduite de la commune quand la plateforme la connaît." options={regionChoices(p.territory)} placeholder="Choisir une région" value={v.region} errors={p.errors} required={false} />
      <TextArea name="description" label="Description" hint="Le poste, l’activité ou le bien ; ce qui fait son intérêt. N’indiquez aucune donnée personnelle d’un tiers." value={v.description} errors={p.errors} rows={8} maxlength={5000} />
      <TextArea name="conditions" label="Conditions" hint="Contrat, horaires, salaire, prix de cession ou loyer, date de disponibilité…" value={v.conditions} errors={p.errors} rows={4} maxlength={2000} required={false} />
      {p.partners ? <Select name="partner" label="Partenaire qui porte l’offre" hint="Ses utilisateurs pourront la mettre à jour." options={p.partners} placeholder="Aucun : l’équipe porte l’offre" value={v.partner} errors={p.errors} required={false} /> : null}
      <TextInput name="contactName" label="Personne à contacter" value={v.contactName} errors={p.errors} width="half" maxlength={100} autocomplete="off" required={false} />
      <TextInput name="contactEmail" type="email" label="E-mail de contact" hint="Publié avec l’offre." value={v.contactEmail} errors={p.errors} width="half" spellcheck={false} autocomplete="off" required={false} />
      <TextInput name="contactPhone" type="tel" label="Téléphone de contact" hint="Publié avec l’offre." value={v.contactPhone} errors={p.errors} width="half" autocomplete="off" required={false} />
      <TextInput name="validFrom" type="date" label="Valable à partir du" value={v.validFrom} errors={p.errors} width="quarter" required={false} />
      <TextInput name="validUntil" type="date" label="Valable jusqu’au" hint="Laissez vide pour une offre sans date de fin : elle vous sera redemandée régulièrement." value={v.validUntil} errors={p.errors} width="quarter" required={false} />
    </>
  );
}

/** The create or edit form: fields, then the buttons; a new offer may be saved as a draft or published. */
export function OfferForm(p: { action: string; csrf: string; territory: Territory; values: OfferValues; errors: FieldErrors; partners?: Choice[]; isNew: boolean; cancelHref: string }) {
  return (
    <form method="post" action={p.action} novalidate>
      <ErrorSummary errors={p.errors} order={offerFieldOrder} />
      <HiddenFields fields={{ _csrf: p.csrf }} />
      <OfferFields territory={p.territory} values={p.values} errors={p.errors} partners={p.partners} />
      <p class="privacy">
        L’offre publiée est visible de tous sur le site, avec le contact indiqué. Elle vous sera redemandée toutes les {p.territory.offers.confirmAfterWeeks} semaines pour rester à jour.
      </p>
      <div class="button-row">
        {p.isNew ? (
          <>
            <Button name="action" value="publish">
              Publier l’offre
            </Button>
            <Button name="action" value="draft" variant="secondary">
              Enregistrer en brouillon
            </Button>
          </>
        ) : (
          <Button>Enregistrer les modifications</Button>
        )}
        <a href={p.cancelHref}>Revenir sans enregistrer</a>
      </div>
    </form>
  );
}

export function StatusTag({ status }: { status: OfferRow['status'] }) {
  const cls = status === 'published' ? 'tag tag--green' : status === 'draft' ? 'tag tag--grey' : status === 'filled' ? 'tag' : 'tag tag--red';
  return <span class={cls}>{offerStatusLabels[status]}</span>;
}

/** A table of offers for the people who manage them; `href` gives each one's page. */
export function OfferTable(p: { territory: Territory; items: OfferListItem[]; href: (o: OfferListItem) => string; caption: string; showPartner: boolean }) {
  const t = p.territory;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{p.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Offre</th>
            <th scope="col">Type</th>
            <th scope="col">Commune</th>
            {p.showPartner ? <th scope="col">Partenaire</th> : null}
            <th scope="col">Statut</th>
            <th scope="col">Confirmée le</th>
          </tr>
        </thead>
        <tbody>
          {p.items.map((o) => (
            <tr>
              <th scope="row">
                <a href={p.href(o)}>{o.title}</a>
              </th>
              <td>
                {offerTypeLabel(o.type)}
                <br />
                <span class="meta">{sectorLabel(t.offers.sectors, o.sector)}</span>
              </td>
              <td>
                {o.commune_name}
                {o.region_key ? (
                  <>
                    <br />
                    <span class="meta">{regionLabel(t, o.region_key)}</span>
                  </>
                ) : null}
              </td>
              {p.showPartner ? <td>{o.partner_name ?? 'L’équipe'}</td> : null}
              <td>
                <StatusTag status={o.status} />
              </td>
              <td class="nowrap">{o.confirmed_at ? formatShortDate(o.confirmed_at, t.timezone) : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The platform's one pagination, re-exported for the offer pages. */
export { Pagination } from '../../../platform/views/pagination.tsx';

/** The message after each action on an offer, by the `ok` query of the page it leads to. */
export const offerFlashes: Record<string, string> = {
  cree: 'L’offre est enregistrée.',
  modifiee: 'Les modifications sont enregistrées.',
  statut: 'Le statut de l’offre est changé.',
  import: 'Les offres du fichier sont importées.',
};

/** The statuses a person may move an offer to (expiry is the clock's). */
const STATUS_TARGETS: OfferStatus[] = ['published', 'filled', 'draft'];

/** The status a form asks for, refused when it is not one a person may choose. */
export function statusTarget(v: string | undefined): OfferStatus {
  const to = STATUS_TARGETS.find((x) => x === v);
  if (!to) throw new DomainError('offer-status', 'Ce changement de statut n’existe pas');
  return to;
}

/** The first line of an offer's summary: its status, and a link to its public page while it is published. */
export function OfferStatusItem({ offer }: { offer: OfferRow }) {
  return (
    <div>
      <dt>Statut</dt>
      <dd>
        <StatusTag status={offer.status} />
        {offer.status === 'published' ? (
          <>
            {' '}
            <a href={`/offres/${offer.slug}`}>voir la page publique</a>
          </>
        ) : null}
      </dd>
    </div>
  );
}

/**
 * The changes of status open to an offer: publishing is one button (nothing is lost), the others lead
 * to a page that says what they do and asks to confirm. `base` is the offer's address in the space.
 */
export function StatusActions({ offer, base, csrf }: { offer: OfferRow; base: string; csrf: string }) {
  const next = STATUS_TARGETS.filter((to) => canChangeStatus(offer.status, to));
  if (!next.length) return null;
  return (
    <div class="button-row">
      {next.map((to) =>
        to === 'published' ? (
          <form method="post" action={`${base}/statut`}>
            <HiddenFields fields={{ _csrf: csrf, to }} />
            <Button>{offer.status === 'draft' ? 'Publier' : 'Publier à nouveau'}</Button>
          </form>
        ) : (
          <a class="button button--secondary" href={`${base}/statut?vers=${to}`}>
            {statusActionLabels[to]}
          </a>
        ),
      )}
    </div>
  );
}

/** The form that changes an offer's status, after a page that says what it does (destructive changes ask first). */
export function StatusChangeConfirm(p: { csrf: string; action: string; to: string; heading: string; body: Child; button: string; variant: 'primary' | 'warning'; back: string }) {
  return (
    <>
      <h1>{p.heading}</h1>
      {p.body}
      <form method="post" action={p.action}>
        <HiddenFields fields={{ _csrf: p.csrf, to: p.to }} />
        <div class="button-row">
          <Button variant={p.variant}>{p.button}</Button>
          <a href={p.back}>Revenir sans rien changer</a>
        </div>
      </form>
    </>
  );
}

/** A file field after the form kit's pattern, with every problem of the file listed. */
export function ImportFileField(p: { problems: ImportProblem[] }) {
  const id = fieldId('file');
  const has = p.problems.length > 0;
  return (
    <div class={`form-group${has ? ' form-group--error' : ''}`}>
      <label class="label" for={id}>
        Fichier des offres (CSV ou Excel .xlsx)
      </label>
      <div id={`${id}-hint`} class="hint">
        {Math.round(MAX_IMPORT_BYTES / 1024)} Ko et {MAX_IMPORT_LINES} offres au plus. Première ligne : les titres des colonnes.
      </div>
      {has ? (
        <div id={`${id}-error`} class="error-message">
          <span class="visually-hidden">Erreur : </span>
          {p.problems.length === 1 ? (
            formatProblem(p.problems[0]!)
          ) : (
            <ul>
              {p.problems.map((x) => (
                <li>{formatProblem(x)}</li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
      <input
        class={`input${has ? ' input--error' : ''}`}
        id={id}
        name="file"
        type="file"
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        aria-describedby={`${id}-hint${has ? ` ${id}-error` : ''}`}
        aria-invalid={has ? 'true' : undefined}
      />
    </div>
  );
}

/** The upload form, with the list of columns the file may have. */
export function ImportForm(p: { action: string; csrf: string; territory: Territory; problems: ImportProblem[]; forPartner: boolean }) {
  const summary: FieldErrors = p.problems.length
    ? { file: p.problems.length === 1 ? formatProblem(p.problems[0]!) : `Le fichier a ${p.problems.length} problèmes, détaillés sous le champ : rien n’a été importé.` }
    : {};
  return (
    <>
      <ErrorSummary errors={summary} order={['file']} />
      <p>Chargez un tableur d’offres : vous verrez un aperçu avant que rien ne soit enregistré. Si une seule ligne pose problème, rien n’est importé et chaque ligne en cause est indiquée.</p>
      <form method="post" action={p.action} enctype="multipart/form-data" novalidate>
        <HiddenFields fields={{ _csrf: p.csrf }} />
        <ImportFileField problems={p.problems} />
        <Button>Voir l’aperçu</Button>
      </form>
      <h2>Colonnes du fichier</h2>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Colonnes reconnues</caption>
          <thead>
            <tr>
              <th scope="col">Colonne</th>
              <th scope="col">Obligatoire</th>
              <th scope="col">Valeurs</th>
            </tr>
          </thead>
          <tbody>
            {importColumns
              .filter((c) => !(p.forPartner && c.key === 'partner'))
              .map((c) => (
                <tr>
                  <th scope="row">{c.label}</th>
                  <td>{c.required ? 'oui' : 'non'}</td>
                  <td>{columnHint(p.territory, c.key)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function columnHint(t: Territory, key: string): string {
  switch (key) {
    case 'type':
      return offerTypes.map((x) => x.short).join(', ');
    case 'sector':
      return t.offers.sectors.map((s) => s.label).join(', ');
    case 'region':
      return t.regions.map((r) => r.label).join(', ');
    case 'validFrom':
    case 'validUntil':
      return 'une date, comme 31/12/2027';
    case 'status':
      return 'publiée (par défaut) ou brouillon';
    case 'partner':
      return 'le nom du partenaire qui porte l’offre';
    default:
      return 'texte';
  }
}

export function ImportPreview(p: { action: string; csrf: string; territory: Territory; lines: CheckedLine[]; sealed: { payload: string; mac: string }; filename: string; showPartner: boolean; back: string }) {
  const t = p.territory;
  const published = p.lines.filter((l) => l.publish).length;
  return (
    <>
      <h1>Aperçu de l’import</h1>
      <p class="lead">
        Le fichier « {p.filename} » contient {p.lines.length} offre{p.lines.length > 1 ? 's' : ''} sans problème : {published} à publier, {p.lines.length - published} en brouillon. Rien n’est encore enregistré.
      </p>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Les offres du fichier</caption>
          <thead>
            <tr>
              <th scope="col" class="num">
                Ligne
              </th>
              <th scope="col">Titre</th>
              <th scope="col">Type et secteur</th>
              <th scope="col">Commune</th>
              {p.showPartner ? <th scope="col">Partenaire</th> : null}
              <th scope="col">Statut</th>
            </tr>
          </thead>
          <tbody>
            {p.lines.map((l) => (
              <tr>
                <td class="num">{l.line}</td>
                <th scope="row">{l.form.title}</th>
                <td>
                  {offerTypeLabel(l.form.type)}, {sectorLabel(t.offers.sectors, l.form.sector)}
                </td>
                <td>
                  {l.commune.name}
                  {l.commune.regionKey ? ` (${regionLabel(t, l.commune.regionKey)})` : ''}
                </td>
                {p.showPartner ? <td>{l.partnerName ?? 'L’équipe'}</td> : null}
                <td>{l.publish ? 'Publiée' : 'Brouillon'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form method="post" action={p.action}>
        <HiddenFields fields={{ _csrf: p.csrf, payload: p.sealed.payload, mac: p.sealed.mac }} />
        <div class="button-row">
          <Button>
            Importer ces {p.lines.length} offre{p.lines.length > 1 ? 's' : ''}
          </Button>
          <a href={p.back}>Revenir sans importer</a>
        </div>
      </form>
    </>
  );
}
