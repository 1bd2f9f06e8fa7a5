import { Pagination } from '../../../platform/views/pagination.tsx';
import { AdminPage, type AdminPageProps } from '../../../areas/admin/layout.tsx';
import { formatShortDate, formatSlot, formatTime, zonedParts } from '../../../platform/time.ts';
import { Button, ErrorSummary, HiddenFields, Radios, Select, TextArea, TextInput, type FieldErrors } from '../../../platform/views/form-kit.tsx';
import { themeLabel, type Territory } from '../../territory/territory.ts';
import type { Webinar } from '../webinar.ts';
import { webinarFieldOrder } from '../webinar-schemas.ts';
import type { VideoToolKind } from '../../video/video-adapter.ts';
import type { ProposedEdition } from '../webinar-schedule.ts';

type Frame = Omit<AdminPageProps, 'children' | 'title' | 'current'>;

export const statusLabels: Record<Webinar['status'], string> = { draft: 'Brouillon', published: 'Publiée', cancelled: 'Annulée' };
const statusTag: Record<Webinar['status'], string> = { draft: 'tag tag--grey', published: 'tag tag--green', cancelled: 'tag tag--red' };

export function StatusTag({ status }: { status: Webinar['status'] }) {
  return <span class={statusTag[status]}>{statusLabels[status]}</span>;
}

export interface WebinarRowView {
  webinar: Webinar;
  confirmed: number;
  waitlisted: number;
  attended: number;
}

export type WebinarListView = 'a-venir' | 'passees' | 'brouillons';

export function AdminWebinarListPage(p: Frame & { view: WebinarListView; rows: WebinarRowView[]; page: number; pages: number; counts: Record<WebinarListView, number> }) {
  const t = p.site.territory;
  const tabs: Array<[WebinarListView, string]> = [
    ['a-venir', 'À venir'],
    ['passees', 'Passées'],
    ['brouillons', 'Brouillons'],
  ];
  const title = `Rencontres ${tabs.find(([k]) => k === p.view)![1].toLowerCase()}`;
  return (
    <AdminPage {...p} title={title} current="webinars" wide>
      <h1>Les Rencontres</h1>
      <div class="button-row">
        <a class="button button--primary" href="/admin/rencontres/nouvelle">
          Planifier une Rencontre
        </a>
        <a class="button button--secondary" href="/admin/rencontres/planifier">
          Proposer les prochaines dates
        </a>
        <a href="/admin/imports/zoom">Importer des rapports Zoom</a>
      </div>
      <nav aria-label="Filtrer les Rencontres">
        <ul class="pagination">
          {tabs.map(([k, label]) => (
            <li>
              <a href={`/admin/rencontres?vue=${k}`} aria-current={p.view === k ? 'page' : undefined}>
                {label} ({p.counts[k]})
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {p.rows.length === 0 ? (
        <p class="inset">{p.view === 'brouillons' ? 'Aucun brouillon.' : p.view === 'a-venir' ? 'Aucune Rencontre à venir : planifiez la prochaine.' : 'Aucune Rencontre passée.'}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Rencontre</th>
                <th scope="col">Statut</th>
                <th scope="col" class="num">
                  Inscrits
                </th>
                <th scope="col" class="num">
                  Liste d’attente
                </th>
                <th scope="col" class="num">
                  {p.view === 'passees' ? 'Présents' : 'Places restantes'}
                </th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr>
                  <td class="nowrap">
                    <time datetime={r.webinar.startsAt}>{formatShortDate(r.webinar.startsAt, t.timezone)}</time>, {formatTime(r.webinar.startsAt, t.timezone)}
                  </td>
                  <td>
                    <a href={`/admin/rencontres/${r.webinar.id}`}>{r.webinar.title}</a>
                    {r.webinar.kind === 'thematic' ? <div class="meta">{themeLabel(t, r.webinar.theme)}</div> : null}
                  </td>
                  <td>
                    <StatusTag status={r.webinar.status} />
                  </td>
                  <td class="num">{r.confirmed}</td>
                  <td class="num">{r.waitlisted}</td>
                  <td class="num">{p.view === 'passees' ? `${r.attended}` : r.webinar.capacity === null ? 'illimité' : Math.max(0, r.webinar.capacity - r.confirmed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={p.page} pages={p.pages} href={(n) => `/admin/rencontres?vue=${p.view}&page=${n}`} label="Pages des Rencontres" />
    </AdminPage>
  );
}

/** Values as the form shows them (strings), from a Rencontre or from what was typed. */
export function webinarFormValues(t: Territory, w: Webinar): Record<string, string | string[]> {
  const { date, time } = zonedParts(w.startsAt, t.timezone);
  return {
    title: w.title,
    kind: w.kind,
    theme: w.theme ?? '',
    date,
    time,
    durationMinutes: String(Math.round((new Date(w.endsAt).getTime() - new Date(w.startsAt).getTime()) / 60000)),
    capacity: w.capacity === null ? '' : String(w.capacity),
    videoTool: w.videoTool,
    joinUrl: w.joinUrl ?? '',
    summary: w.summary,
    description: w.description,
    programme: w.programme,
    speakers: w.speakers.map((s) => (s.role ? `${s.name}, ${s.role}` : s.name)).join('\n'),
    partners: w.partners.join('\n'),
    promotionCost: w.promotionCostCents === null ? '' : (w.promotionCostCents / 100).toFixed(2).replace('.', ','),
    status: w.status,
  };
}

const videoToolOptions: Record<VideoToolKind, { label: string; hint: string }> = {
  link: { label: 'Un lien de connexion', hint: 'Le lien d’une réunion créée à la main (Zoom ou autre) : chaque personne reçoit un lien personnel qui y mène.' },
  zoom: { label: 'Zoom, créé par la plateforme', hint: 'Le webinaire est créé sur le compte Zoom du territoire ; chaque personne inscrite reçoit son propre lien, et les présences et le replay reviennent seuls.' },
  bbb: { label: 'BigBlueButton, créé par la plateforme', hint: 'La salle est créée sur le serveur BigBlueButton ; chaque personne entre par son lien personnel, révocable.' },
};

export function AdminWebinarFormPage(p: Frame & { webinar: Webinar | null; values: Record<string, string | string[]>; errors: FieldErrors; registrants: number; videoTools: readonly VideoToolKind[] }) {
  const t = p.site.territory;
  const v = (k: string) => {
    const x = p.values[k];
    return Array.isArray(x) ? x.join('\n') : (x ?? '');
  };
  const programme = Array.isArray(p.values.programme) ? p.values.programme : [];
  const editing = p.webinar !== null;
  const title = editing ? `Modifier : ${p.webinar!.title}` : 'Planifier une Rencontre';
  return (
    <AdminPage {...p} title={title} current="webinars" hasError={Object.keys(p.errors).length > 0} trail={editing ? [['Rencontres', '/admin/rencontres'], [p.webinar!.title, `/admin/rencontres/${p.webinar!.id}`]] : [['Rencontres', '/admin/rencontres']]}>
      <h1>{title}</h1>
      {editing && p.webinar!.status === 'published' && p.registrants > 0 ? (
        <p class="notice">
          {p.registrants} personne{p.registrants > 1 ? 's sont inscrites' : ' est inscrite'}. Si vous changez la date, l’heure ou le lien, ou si vous annulez la Rencontre, chacune recevra un e-mail avec un nouveau fichier d’agenda.
        </p>
      ) : null}
      <form method="post" action={editing ? `/admin/rencontres/${p.webinar!.id}` : '/admin/rencontres'} novalidate>
        <ErrorSummary errors={p.errors} order={webinarFieldOrder} />
        <HiddenFields fields={{ _csrf: p.csrf }} />
        <TextInput name="title" label="Titre" value={v('title')} errors={p.errors} maxlength={200} />
        <Radios
          name="kind"
          label="Type de Rencontre"
          value={v('kind')}
          errors={p.errors}
          inline
          options={[
            { value: 'generic', label: 'Généraliste' },
            { value: 'thematic', label: 'Thématique' },
          ]}
        />
        <Select name="theme" label="Thème" hint="Seulement pour une Rencontre thématique." value={v('theme')} errors={p.errors} placeholder="Aucun thème" options={t.themes.map((x) => ({ value: x.key, label: x.label }))} />
        <TextInput name="date" type="date" label="Date" hint="Heure de Paris." value={v('date')} errors={p.errors} width="half" />
        <TextInput name="time" type="time" label="Heure de début" hint="Par exemple 12:30." value={v('time')} errors={p.errors} width="quarter" />
        <TextInput name="durationMinutes" label="Durée, en minutes" value={v('durationMinutes')} errors={p.errors} inputmode="numeric" width="short" />
        <TextInput name="capacity" label="Nombre de places" hint="Laissez vide pour ne pas limiter. Au-delà, les personnes sont mises sur liste d’attente." value={v('capacity')} errors={p.errors} inputmode="numeric" width="short" />
        {p.videoTools.length > 1 ? (
          <Radios name="videoTool" label="Outil de visioconférence" value={v('videoTool') || 'link'} errors={p.errors} options={p.videoTools.map((k) => ({ value: k, label: videoToolOptions[k].label, hint: videoToolOptions[k].hint }))} />
        ) : (
          <input type="hidden" name="videoTool" value="link" />
        )}
        <TextInput name="joinUrl" type="url" label="Lien de connexion" hint="Seulement avec un lien de connexion : l’adresse de la réunion, commençant par https://. Chaque personne reçoit un lien personnel qui y mène." value={v('joinUrl')} errors={p.errors} />
        <TextArea name="summary" label="Résumé" hint="Une ou deux phrases, montrées dans la liste des Rencontres." value={v('summary')} errors={p.errors} rows={3} maxlength={500} />
        <TextArea name="description" label="Présentation" hint="Séparez les paragraphes par une ligne vide." value={v('description')} errors={p.errors} rows={6} />
        <div class="form-group">
          <fieldset class="fieldset">
            <legend class="fieldset__legend">Au programme</legend>
            <div class="hint">Si vous ne cochez rien, le programme habituel est affiché.</div>
            {t.programme.map((item, i) => (
              <div class="checkboxes__item">
                <input class="checkboxes__input" type="checkbox" id={i === 0 ? 'f-programme' : `f-programme-${i + 1}`} name="programme" value={item.key} checked={programme.includes(item.key)} />
                <label class="checkboxes__label" for={i === 0 ? 'f-programme' : `f-programme-${i + 1}`}>
                  {item.label}
                </label>
              </div>
            ))}
          </fieldset>
        </div>
        <TextArea name="speakers" label="Intervenants" hint="Un par ligne : « Nom, rôle »." value={v('speakers')} errors={p.errors} rows={3} />
        <TextArea name="partners" label="Partenaires présents" hint="Un par ligne." value={v('partners')} errors={p.errors} rows={3} />
        <TextInput name="promotionCost" label="Coût de la promotion, en euros" hint="Publications sponsorisées pour cette Rencontre, pour les statistiques." value={v('promotionCost')} errors={p.errors} inputmode="decimal" width="quarter" />
        <Radios
          name="status"
          label="Statut"
          value={v('status')}
          errors={p.errors}
          options={[
            { value: 'draft', label: 'Brouillon', hint: 'Invisible sur le site public.' },
            { value: 'published', label: 'Publiée', hint: 'Visible, inscriptions ouvertes jusqu’au début.' },
            { value: 'cancelled', label: 'Annulée', hint: 'Les personnes inscrites sont prévenues par e-mail.' },
          ]}
        />
        <div class="button-row">
          <Button>{editing ? 'Enregistrer les modifications' : 'Enregistrer la Rencontre'}</Button>
          <a href={editing ? `/admin/rencontres/${p.webinar!.id}` : '/admin/rencontres'}>Annuler</a>
        </div>
      </form>
    </AdminPage>
  );
}

/**
 * Before a Rencontre is cancelled from its form: every registrant is told by e-mail at once, which
 * nobody can take back, so the change is asked again. The form's fields come back as they were sent.
 */
export function AdminCancelWebinarPage(p: Frame & { webinar: Webinar; registrants: number; fields: ReadonlyArray<readonly [string, string]> }) {
  const t = p.site.territory;
  const w = p.webinar;
  const heading = `Annuler la Rencontre du ${formatShortDate(w.startsAt, t.timezone)} ?`;
  return (
    <AdminPage {...p} title={heading} current="webinars" trail={[['Rencontres', '/admin/rencontres'], [w.title, `/admin/rencontres/${w.id}`]]}>
      <h1>{heading}</h1>
      <p>
        {p.registrants} personne{p.registrants > 1 ? 's inscrites recevront' : ' inscrite recevra'} tout de suite un e-mail d’annulation. Cela ne se rattrape pas : si la Rencontre a finalement lieu, il faudra les réinviter.
      </p>
      <form method="post" action={`/admin/rencontres/${w.id}`}>
        {p.fields.map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <HiddenFields fields={{ _csrf: p.csrf, confirmer: 'oui' }} />
        <div class="button-row">
          <Button variant="warning">Oui, annuler la Rencontre</Button>
          <a href={`/admin/rencontres/${w.id}`}>Revenir sans rien changer</a>
        </div>
      </form>
    </AdminPage>
  );
}

export function AdminPlanPage(p: Frame & { proposals: ProposedEdition[]; errors: FieldErrors }) {
  const t = p.site.territory;
  const r = t.schedule;
  return (
    <AdminPage {...p} title="Proposer les prochaines dates" current="webinars" hasError={Object.keys(p.errors).length > 0} trail={[['Rencontres', '/admin/rencontres']]}>
      <h1>Proposer les prochaines dates</h1>
      <p>
        Selon la règle du territoire (tous les {r.everyMonths} mois, {r.time.replace(':', ' h ')}, {r.durationMinutes} minutes), voici les prochaines Rencontres qui ne sont pas encore planifiées. Cochez celles à créer : elles seront enregistrées en brouillon, à compléter et publier.
      </p>
      {p.proposals.length === 0 ? (
        <p class="inset">Toutes les dates de l’année à venir sont déjà planifiées.</p>
      ) : (
        <form method="post" action="/admin/rencontres/planifier" novalidate>
          <ErrorSummary errors={p.errors} order={['dates']} />
          <HiddenFields fields={{ _csrf: p.csrf }} />
          <div class={`form-group${p.errors.dates ? ' form-group--error' : ''}`}>
            <fieldset class="fieldset" aria-describedby={p.errors.dates ? 'f-dates-error' : undefined}>
              <legend class="fieldset__legend">Dates proposées</legend>
              {p.errors.dates ? (
                <p id="f-dates-error" class="error-message">
                  <span class="visually-hidden">Erreur : </span>
                  {p.errors.dates}
                </p>
              ) : null}
              {p.proposals.map((x, i) => (
                <div class="checkboxes__item">
                  <input class="checkboxes__input" type="checkbox" id={i === 0 ? 'f-dates' : `f-dates-${i + 1}`} name="dates" value={x.date} checked />
                  <label class="checkboxes__label" for={i === 0 ? 'f-dates' : `f-dates-${i + 1}`}>
                    {formatSlot(x.startsAt.toISOString(), x.endsAt.toISOString(), t.timezone)}
                  </label>
                </div>
              ))}
            </fieldset>
          </div>
          <Button>Créer les brouillons cochés</Button>
        </form>
      )}
    </AdminPage>
  );
}

