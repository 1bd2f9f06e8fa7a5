import type { Child } from 'hono/jsx';
import { AdminPage } from '../../../areas/admin/layout.tsx';
import { Button, Checkbox, ErrorSummary, fieldId, HiddenFields, Radios, Select, TextArea, TextInput, type FieldErrors } from '../../../platform/views/form-kit.tsx';
import { horizons } from '../../registrations/registration.ts';
import { agentEntryKinds, housingPlans, maturities, memberKinds, projectTypes, schoolNeeds, SENSITIVE_DATA_REMINDER } from '../candidate-file.ts';
import { entryFieldOrder, identityFieldOrder, memberFieldOrder, projectFieldOrder, stageFieldOrder } from '../candidate-schemas.ts';
import { abandonReasons, stages } from '../change-stage.ts';
import { communeLabel } from '../commune-choice.ts';
import type { Commune } from '../../territory/communes.ts';
import type { Frame } from './candidate-file-page.tsx';

type Values = Record<string, string | undefined>;
interface FormPageProps extends Frame {
  candidate: { id: string; name: string };
  values: Values;
  errors: FieldErrors;
}

/** The frame of every form of the file: the file in the breadcrumb, the summary of errors on top, a way back. */
function FilePage(p: Frame & { candidate: { id: string; name: string }; title: string; errors: FieldErrors; order: string[]; action: string; hidden?: Record<string, string>; submit: string; intro?: Child; children: Child; warning?: boolean }) {
  return (
    <AdminPage {...p} title={`${p.title} : ${p.candidate.name}`} current="candidates" hasError={Object.keys(p.errors).length > 0} trail={[['Candidats', '/admin/candidats'], [p.candidate.name, `/admin/candidats/${p.candidate.id}`]]}>
      <ErrorSummary errors={p.errors} order={p.order} />
      <h1>{p.title}</h1>
      {p.intro ?? null}
      <form method="post" action={p.action} novalidate>
        <HiddenFields fields={{ _csrf: p.csrf, ...p.hidden }} />
        {p.children}
        <div class="button-row">
          <Button variant={p.warning ? 'warning' : 'primary'}>{p.submit}</Button>
          <a href={`/admin/candidats/${p.candidate.id}`}>Revenir à la fiche sans rien changer</a>
        </div>
      </form>
    </AdminPage>
  );
}

export function IdentityPage(p: FormPageProps) {
  const v = p.values;
  return (
    <FilePage {...p} title="Modifier l’identité" order={identityFieldOrder} action={`/admin/candidats/${p.candidate.id}/identite`} submit="Enregistrer">
      <TextInput name="firstName" label="Prénom" value={v.firstName} errors={p.errors} autocomplete="off" width="half" />
      <TextInput name="lastName" label="Nom" value={v.lastName} errors={p.errors} autocomplete="off" width="half" />
      <TextInput name="email" label="Adresse e-mail" type="email" value={v.email} errors={p.errors} autocomplete="off" spellcheck={false} hint="C’est l’adresse qui retrouve la fiche quand la personne s’inscrit de nouveau." />
      <TextInput name="phone" label="Téléphone" type="tel" value={v.phone} errors={p.errors} autocomplete="off" width="half" required={false} />
      <TextInput name="postcode" label="Code postal du lieu de vie actuel" value={v.postcode} errors={p.errors} autocomplete="off" width="quarter" required={false} />
      <TextInput name="town" label="Commune du lieu de vie actuel" value={v.town} errors={p.errors} autocomplete="off" width="half" required={false} />
      <TextInput name="country" label="Pays" value={v.country} errors={p.errors} autocomplete="off" width="half" required={false} />
    </FilePage>
  );
}

export function ProjectPage(p: FormPageProps & { communeChoices: Commune[]; suggestions: string[]; communesLoaded: boolean }) {
  const v = p.values;
  const t = p.site.territory;
  return (
    <FilePage {...p} title="Modifier le projet" order={projectFieldOrder} action={`/admin/candidats/${p.candidate.id}/projet`} submit="Enregistrer le projet">
      <Radios name="projectType" label="Type de projet" options={projectTypes.map((x) => ({ value: x.value, label: x.label }))} value={v.projectType} errors={p.errors} required={false} />
      <TextInput name="sector" label="Secteur ou métier" hint="Par exemple : santé, boulangerie, élevage ovin, informatique." value={v.sector} errors={p.errors} required={false} />
      <Select name="maturity" label="Où en est le projet" options={maturities.map((x) => ({ value: x.value, label: x.label }))} placeholder="Non renseigné" value={v.maturity} errors={p.errors} required={false} />
      <Select name="horizon" label="Horizon d’installation" options={horizons.map((x) => ({ value: x.value, label: x.label }))} placeholder="Non renseigné" value={v.horizon} errors={p.errors} required={false} />
      <Select
        name="desiredRegion"
        label="Région naturelle envisagée"
        options={[...t.regions.map((r) => ({ value: r.key, label: r.label })), { value: 'unknown', label: 'Ne sait pas encore' }]}
        placeholder="Non renseignée"
        value={v.desiredRegion}
        errors={p.errors}
        required={false}
      />
      <CommuneInput
        value={v.commune}
        error={p.errors.commune}
        hint={p.communesLoaded ? 'Son nom, avec ou sans accents, ou son code postal : la liste propose les communes du territoire. La région suit la commune.' : 'Son nom : la liste officielle des communes du territoire n’est pas encore chargée.'}
        suggestions={p.suggestions}
      />
      {p.communeChoices.length ? (
        <Radios name="communeCode" label="Quelle commune ?" options={p.communeChoices.map((c) => ({ value: c.code, label: communeLabel(c) }))} value={v.communeCode} errors={p.errors} />
      ) : null}
      <Radios name="housingPlan" label="Logement" options={housingPlans.map((x) => ({ value: x.value, label: x.label }))} value={v.housingPlan} errors={p.errors} inline required={false} />
      <Radios
        name="drivingLicence"
        label="Permis de conduire"
        options={[
          { value: 'oui', label: 'Oui' },
          { value: 'non', label: 'Non' },
          { value: '', label: 'Non renseigné' },
        ]}
        value={v.drivingLicence ?? ''}
        errors={p.errors}
        inline
      />
    </FilePage>
  );
}

/**
 * The form kit's text field, plus the suggestions of a datalist (the kit has no `list`): the browser
 * proposes the communes as the agent types, without any script; the server decides anyway.
 */
function CommuneInput(p: { value: string | undefined; error: string | undefined; hint: string; suggestions: string[] }) {
  const id = fieldId('commune');
  return (
    <div class={`form-group${p.error ? ' form-group--error' : ''}`}>
      <label class="label" for={id}>
        Commune envisagée<span class="optional"> (facultatif)</span>
      </label>
      <div id={`${id}-hint`} class="hint">
        {p.hint}
      </div>
      {p.error ? (
        <p id={`${id}-error`} class="error-message">
          <span class="visually-hidden">Erreur : </span>
          {p.error}
        </p>
      ) : null}
      <input
        class={`input input--half${p.error ? ' input--error' : ''}`}
        id={id}
        name="commune"
        type="text"
        value={p.value ?? ''}
        autocomplete="off"
        list={p.suggestions.length ? 'communes-suggestions' : undefined}
        aria-describedby={`${id}-hint${p.error ? ` ${id}-error` : ''}`}
        aria-invalid={p.error ? 'true' : undefined}
      />
      {p.suggestions.length ? (
        <datalist id="communes-suggestions">
          {p.suggestions.map((s) => (
            <option value={s} />
          ))}
        </datalist>
      ) : null}
    </div>
  );
}

export function MemberPage(p: FormPageProps & { memberId: string; isNew: boolean }) {
  const v = p.values;
  const action = p.isNew ? `/admin/candidats/${p.candidate.id}/foyer/nouveau` : `/admin/candidats/${p.candidate.id}/foyer/${p.memberId}`;
  return (
    <FilePage
      {...p}
      title={p.isNew ? 'Ajouter une personne au foyer' : 'Modifier une personne du foyer'}
      order={memberFieldOrder}
      action={action}
      hidden={p.isNew ? { membre: p.memberId } : {}}
      submit={p.isNew ? 'Ajouter au foyer' : 'Enregistrer'}
      intro={<p class="hint">{SENSITIVE_DATA_REMINDER}</p>}
    >
      <Radios name="kind" label="Cette personne est" options={memberKinds.map((x) => ({ value: x.value, label: x.label }))} value={v.kind} errors={p.errors} inline />
      <TextInput name="firstName" label="Prénom" value={v.firstName} errors={p.errors} required={false} width="half" autocomplete="off" />
      <TextInput name="age" label="Âge" hint="En années. Obligatoire pour un enfant." value={v.age} errors={p.errors} inputmode="numeric" width="quarter" required={false} />
      <h2>Pour un adulte</h2>
      <TextInput name="occupation" label="Activité ou métier" hint="Par exemple : infirmière, en recherche d’emploi, retraité." value={v.occupation} errors={p.errors} required={false} />
      <Checkbox name="needsJob" label="Cette personne aura besoin d’un emploi sur place" checked={v.needsJob === 'oui'} errors={p.errors} />
      <h2>Pour un enfant</h2>
      <Select name="schoolNeed" label="Besoin de garde ou d’école" options={schoolNeeds.map((x) => ({ value: x.value, label: x.label }))} placeholder="Non renseigné" value={v.schoolNeed} errors={p.errors} required={false} />
    </FilePage>
  );
}

export function RemoveMemberPage(p: Frame & { candidate: { id: string; name: string }; memberId: string; description: string }) {
  return (
    <FilePage {...p} errors={{}} title="Retirer cette personne du foyer ?" order={[]} action={`/admin/candidats/${p.candidate.id}/foyer/${p.memberId}/retirer`} submit="Oui, la retirer du foyer" warning intro={<p>{p.description} ne fera plus partie du foyer. L’historique de la fiche en gardera la trace.</p>}>
      {null}
    </FilePage>
  );
}

export function EntryPage(p: FormPageProps & { submission: string }) {
  const v = p.values;
  return (
    <FilePage {...p} title="Ajouter une note, un appel ou un entretien" order={entryFieldOrder} action={`/admin/candidats/${p.candidate.id}/notes/nouvelle`} hidden={{ submission: p.submission }} submit="Ajouter à l’historique">
      <Radios name="kind" label="Il s’agit" options={agentEntryKinds.map((x) => ({ value: x.value, label: x.label === 'Note' ? 'D’une note' : x.label === 'Appel' ? 'D’un appel' : 'D’un entretien' }))} value={v.kind} errors={p.errors} inline />
      <TextInput name="date" label="Date" hint="Par exemple : 15/01/2027." type="date" value={v.date} errors={p.errors} width="quarter" />
      <div class="notice" role="note">
        <p>
          <strong>Attention :</strong> {SENSITIVE_DATA_REMINDER}
        </p>
      </div>
      <TextArea name="text" label="Ce qu’il faut retenir" value={v.text} errors={p.errors} rows={6} maxlength={4000} />
    </FilePage>
  );
}

export function StagePage(p: FormPageProps & { current: string }) {
  const v = p.values;
  return (
    <FilePage {...p} title="Changer d’étape" order={stageFieldOrder} action={`/admin/candidats/${p.candidate.id}/etape`} submit="Changer d’étape" intro={<p>Étape actuelle : {stages.find((s) => s.value === p.current)?.label}. Le changement est daté et gardé dans l’historique.</p>}>
      <Radios name="stage" label="Nouvelle étape" options={stages.map((s) => ({ value: s.value, label: s.label, hint: s.value === 'dormant' ? 'Le projet est en pause : la fiche sort des listes à traiter.' : undefined }))} value={v.stage} errors={p.errors} />
      <Radios name="reason" label="Motif, pour un abandon" hint="Obligatoire si la nouvelle étape est « Abandon »." options={abandonReasons.map((r) => ({ value: r.value, label: r.label }))} value={v.reason} errors={p.errors} required={false} />
    </FilePage>
  );
}

export function ReferentPage(p: FormPageProps & { agents: Array<{ id: string; name: string }>; currentName: string | null }) {
  return (
    <FilePage
      {...p}
      title="Confier à un·e référent·e"
      order={['agent']}
      action={`/admin/candidats/${p.candidate.id}/referent`}
      submit="Confier la fiche"
      intro={<p>{p.currentName ? `Référent·e actuel·le : ${p.currentName}.` : 'Personne ne suit encore ce foyer.'} La personne choisie est prévenue par e-mail.</p>}
    >
      <Select name="agent" label="Référent·e" options={p.agents.map((a) => ({ value: a.id, label: a.name }))} placeholder="Choisissez un agent" value={p.values.agent} errors={p.errors} />
    </FilePage>
  );
}
