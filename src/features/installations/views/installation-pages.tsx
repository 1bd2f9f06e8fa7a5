import { AdminPage, type AdminPageProps } from '../../../areas/admin/layout.tsx';
import { PublicPage, type Site } from '../../../areas/public/layout.tsx';
import type { InstallationTable } from '../../../platform/db/schema.ts';
import { Button, ErrorSummary, HiddenFields, Radios, Select, TextArea, TextInput, type FieldErrors } from '../../../platform/views/form-kit.tsx';
import { formatDay } from '../../tasks/task.ts';
import { regionLabel, type Territory } from '../../territory/territory.ts';
import { activities, atCommune, departureFieldOrder, departureReasons, followUpFieldOrder, helpTopics, housings, installationFieldOrder, labelOf, wellbeingLabels } from '../installation.ts';
import { CheckboxGroup } from './checkbox-group.tsx';

type Frame = Omit<AdminPageProps, 'children' | 'title' | 'current'>;
type Installation = InstallationTable;
interface FollowUpRow {
  id: string;
  months: number;
  due_on: string;
  status: 'scheduled' | 'sent' | 'answered' | 'no-answer' | 'cancelled';
  sent_at: string | null;
  answered_at: string | null;
  wellbeing: number | null;
  still_there: number | null;
  help_topics: string;
  message: string | null;
}

const followUpStatus: Record<FollowUpRow['status'], [string, string]> = {
  scheduled: ['Prévu', 'tag tag--grey'],
  sent: ['Envoyé, en attente de réponse', 'tag'],
  answered: ['Répondu', 'tag tag--green'],
  'no-answer': ['Sans réponse : relance à faire', 'tag tag--warning'],
  cancelled: ['Annulé', 'tag tag--grey'],
};

function InstallationSummary({ i, territory }: { i: Installation; territory: Territory }) {
  return (
    <dl class="summary-list">
      <div>
        <dt>Installé·e le</dt>
        <dd>{formatDay(i.installed_on, 'long')}</dd>
      </div>
      <div>
        <dt>Commune</dt>
        <dd>
          {i.commune_name}
          {i.region_key ? ` (${regionLabel(territory, i.region_key)})` : ''}
        </dd>
      </div>
      <div>
        <dt>Foyer</dt>
        <dd>
          {i.adults} adulte{i.adults > 1 ? 's' : ''}, {i.children} enfant{i.children > 1 ? 's' : ''}
        </dd>
      </div>
      <div>
        <dt>Activité</dt>
        <dd>
          {labelOf(activities, i.activity)}
          {i.employer ? ` : ${i.employer}` : ''}
        </dd>
      </div>
      <div>
        <dt>Logement</dt>
        <dd>{labelOf(housings, i.housing) ?? 'Non renseigné'}</dd>
      </div>
      {i.left_on ? (
        <div>
          <dt>Départ du territoire</dt>
          <dd>
            Le {formatDay(i.left_on, 'long')} : {labelOf(departureReasons, i.left_reason)}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

export function InstallationPage(
  p: Frame & {
    territory: Territory;
    candidate: { id: string; name: string };
    current: Installation | null;
    followUps: FollowUpRow[];
    past: Installation[];
    canAct: boolean;
    communes: Array<{ code: string; name: string }>;
    values: Record<string, string>;
    errors: FieldErrors;
  },
) {
  const t = p.territory;
  const title = `Installation de ${p.candidate.name}`;
  return (
    <AdminPage {...p} title={title} current="none" hasError={Object.keys(p.errors).length > 0} trail={[[`Dossier de ${p.candidate.name}`, `/admin/candidats/${p.candidate.id}`]]}>
      <h1>{title}</h1>
      {p.current ? (
        <>
          <InstallationSummary i={p.current} territory={t} />
          <h2>Suivis après l’installation</h2>
          <p>Un court e-mail demande au foyer comment ça se passe, avec un formulaire de deux minutes ; sans réponse après quatorze jours, une tâche de relance est créée pour le référent.</p>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Suivis à 3, 6 et 12 mois</caption>
              <thead>
                <tr>
                  <th scope="col">Suivi</th>
                  <th scope="col">Prévu le</th>
                  <th scope="col">État</th>
                  <th scope="col">Réponse</th>
                </tr>
              </thead>
              <tbody>
                {p.followUps.map((f) => {
                  const help = (JSON.parse(f.help_topics) as string[]).map((h) => labelOf(helpTopics, h));
                  return (
                    <tr>
                      <th scope="row">À {f.months} mois</th>
                      <td class="nowrap">{formatDay(f.due_on)}</td>
                      <td>
                        <span class={followUpStatus[f.status][1]}>{followUpStatus[f.status][0]}</span>
                      </td>
                      <td>
                        {f.status === 'answered' && f.wellbeing ? (
                          <>
                            {wellbeingLabels[f.wellbeing - 1]} ({f.wellbeing}/5){f.still_there === 0 ? ', ne vit plus sur le territoire' : ''}
                            {help.length ? `. Aide demandée : ${help.join(', ')}` : '. Pas d’aide demandée'}
                            {f.message ? <div class="hint">« {f.message} »</div> : null}
                          </>
                        ) : (
                          '—'
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {p.canAct ? (
            <p>
              <a href={`/admin/candidats/${p.candidate.id}/installation/depart`}>Enregistrer un départ du territoire</a>
            </p>
          ) : null}
        </>
      ) : p.canAct ? (
        <>
          <p>Enregistrer l’installation passe le dossier à l’étape « Installé·e » et programme les suivis à 3, 6 et 12 mois.</p>
          <form method="post" action={`/admin/candidats/${p.candidate.id}/installation`} novalidate>
            <ErrorSummary errors={p.errors} order={installationFieldOrder} />
            <HiddenFields fields={{ _csrf: p.csrf }} />
            <TextInput name="installedOn" type="date" label="Date d’installation" hint="Par exemple : 12/01/2027." value={p.values.installedOn} errors={p.errors} width="quarter" />
            {p.communes.length ? (
              <>
                <Select name="communeCode" label="Commune" placeholder="Choisir une commune" value={p.values.communeCode} errors={p.errors} options={p.communes.map((x) => ({ value: x.code, label: x.name }))} />
                <TextInput name="communeName" label="Ou, si elle n’est pas dans la liste, son nom" required={false} value={p.values.communeName} errors={p.errors} width="half" maxlength={100} />
              </>
            ) : (
              <TextInput name="communeName" label="Commune" value={p.values.communeName} errors={p.errors} width="half" maxlength={100} />
            )}
            <Select name="regionKey" label="Région naturelle" required={false} placeholder="Non précisée" value={p.values.regionKey} errors={p.errors} options={t.regions.map((r) => ({ value: r.key, label: r.label }))} />
            <TextInput name="adults" type="number" inputmode="numeric" label="Nombre d’adultes" value={p.values.adults} errors={p.errors} width="short" />
            <TextInput name="children" type="number" inputmode="numeric" label="Nombre d’enfants" value={p.values.children ?? '0'} errors={p.errors} width="short" />
            <Radios name="activity" label="Activité du foyer" value={p.values.activity} errors={p.errors} options={activities.map((a) => ({ value: a.value, label: a.label }))} />
            <TextInput name="employer" label="Employeur ou entreprise" required={false} value={p.values.employer} errors={p.errors} maxlength={200} autocomplete="off" />
            <Radios name="housing" label="Logement" required={false} value={p.values.housing} errors={p.errors} options={housings.map((h) => ({ value: h.value, label: h.label }))} />
            <p class="privacy">Ces informations servent au suivi du foyer et aux statistiques du programme. N’y notez pas d’information sur la santé ni d’autre donnée sensible.</p>
            <Button>Enregistrer l’installation</Button>
          </form>
        </>
      ) : (
        <p class="inset">Aucune installation enregistrée. Seul le référent du dossier ou un administrateur peut l’enregistrer.</p>
      )}
      {p.past.length ? (
        <>
          <h2>Installations précédentes</h2>
          {p.past.map((i) => (
            <InstallationSummary i={i} territory={t} />
          ))}
        </>
      ) : null}
    </AdminPage>
  );
}

export function DeparturePage(p: Frame & { candidate: { id: string; name: string }; installation: Installation; values: Record<string, string>; errors: FieldErrors }) {
  const title = `Départ du territoire de ${p.candidate.name}`;
  return (
    <AdminPage {...p} title={title} current="none" hasError={Object.keys(p.errors).length > 0} trail={[[`Dossier de ${p.candidate.name}`, `/admin/candidats/${p.candidate.id}`], ['Installation', `/admin/candidats/${p.candidate.id}/installation`]]}>
      <h1>{title}</h1>
      <p>
        Le foyer s’était installé à {p.installation.commune_name} le {formatDay(p.installation.installed_on, 'long')}. Les suivis pas encore envoyés seront annulés ; l’installation reste comptée, avec la date du départ.
      </p>
      <form method="post" action={`/admin/candidats/${p.candidate.id}/installation/depart`} novalidate>
        <ErrorSummary errors={p.errors} order={departureFieldOrder} />
        <HiddenFields fields={{ _csrf: p.csrf }} />
        <TextInput name="leftOn" type="date" label="Date du départ" hint="Par exemple : 12/01/2027." value={p.values.leftOn} errors={p.errors} width="quarter" />
        <Radios name="reason" label="Raison du départ" value={p.values.reason} errors={p.errors} options={departureReasons.map((r) => ({ value: r.value, label: r.label }))} />
        <div class="button-row">
          <Button variant="warning">Enregistrer le départ</Button>
          <a href={`/admin/candidats/${p.candidate.id}/installation`}>Revenir sans rien changer</a>
        </div>
      </form>
    </AdminPage>
  );
}

export function FollowUpFormPage(p: { site: Site; token: string; firstName: string; months: number; commune: string; values: Record<string, string | string[]>; errors: FieldErrors }) {
  const t = p.site.territory;
  const v = (k: string) => (typeof p.values[k] === 'string' ? (p.values[k] as string) : '');
  const help = Array.isArray(p.values.help) ? p.values.help : [];
  return (
    <PublicPage site={p.site} title="Comment se passe votre installation ?" hasError={Object.keys(p.errors).length > 0} noindex>
      <div class="container">
        <h1>Comment se passe votre installation ?</h1>
        <p class="lead">
          {p.firstName}, cela fait {p.months} mois que vous vous êtes installé·e {atCommune(p.commune)}. Quatre questions, deux minutes.
        </p>
        <form method="post" action={`/suivi/${p.token}`} novalidate>
          <ErrorSummary errors={p.errors} order={followUpFieldOrder} />
          <Radios name="wellbeing" label="Comment ça se passe ?" value={v('wellbeing')} errors={p.errors} options={wellbeingLabels.map((l, i) => ({ value: String(i + 1), label: l })).reverse()} />
          <Radios
            name="stillThere"
            label={`Vivez-vous toujours ${t.inName} ?`}
            value={v('stillThere')}
            errors={p.errors}
            inline
            options={[
              { value: 'oui', label: 'Oui' },
              { value: 'non', label: 'Non' },
            ]}
          />
          <CheckboxGroup name="help" label="Avez-vous besoin d’aide ?" hint="Cochez ce qui vous concerne : votre référent vous recontacte." options={helpTopics} values={help} errors={p.errors} optional />
          <TextArea name="message" label="Un message pour votre référent ?" hint="N’indiquez pas d’information sur votre santé." required={false} value={v('message')} errors={p.errors} rows={4} maxlength={2000} />
          <p class="privacy">
            Vos réponses sont lues par l’équipe {t.programmeName} {t.authority.of}, pour vous aider si besoin et pour mesurer, sans vous nommer, ce que le programme apporte. <a href="/donnees-personnelles">Vos données et vos droits</a>.
          </p>
          <Button>Envoyer mes réponses</Button>
        </form>
      </div>
    </PublicPage>
  );
}

export function FollowUpDonePage(p: { site: Site; title: string; body: string }) {
  return (
    <PublicPage site={p.site} title={p.title} noindex>
      <div class="container">
        <div class="panel" role="status">
          <h1>{p.title}</h1>
          <p>{p.body}</p>
        </div>
        <p>
          Une question ? <a href={`mailto:${p.site.territory.contact.email}`}>{p.site.territory.contact.email}</a>
        </p>
      </div>
    </PublicPage>
  );
}
