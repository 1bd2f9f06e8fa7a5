import { authorityAtStart } from '../../territory/territory.ts';
import type { Territory } from '../../territory/territory.ts';
import { Button, Checkbox, ErrorSummary, HiddenFields, Radios, Select, TextArea, TextInput, type FieldErrors } from '../../../platform/views/form-kit.tsx';
import { households, horizons, projects, UNKNOWN_REGION } from '../registration.ts';
import { registrationFieldOrder } from '../registration-schemas.ts';

export type FormValues = Record<string, string | undefined>;

/** What the person is told at the form, before they send anything (RGPD art. 13). */
export function PrivacyNotice({ territory: t }: { territory: Territory }) {
  const years = Math.round(t.retention.candidateMonths / 12);
  return (
    <section class="privacy" aria-labelledby="privacy-title">
      <h2 id="privacy-title">Vos données personnelles</h2>
      <p>
        {authorityAtStart(t)} utilise ces informations pour vous inscrire à la Rencontre, vous envoyer le lien, les rappels et le
        replay, et, si vous le demandez, vous accompagner dans votre projet d’installation. C’est une mission d’intérêt public {t.authority.of}. Seule l’équipe {t.programmeName} y a accès ; elle ne les transmet à un partenaire qu’avec votre accord.
      </p>
      <p>
        Elles sont gardées {years} ans après votre dernier contact avec nous, puis supprimées. Vous pouvez les consulter et les
        télécharger depuis le lien personnel reçu par e-mail ; pour les corriger ou vous opposer à leur utilisation, écrivez au délégué
        à la protection des données : <a href={`mailto:${t.dpo.email}`}>{t.dpo.email}</a>. Vous pouvez aussi saisir la CNIL.{' '}
        <a href="/donnees-personnelles">En savoir plus sur vos données</a>.
      </p>
    </section>
  );
}

/** `sectionHeadingLevel`: 3 under the public page's "Inscription" h2; 2 where the form sits right under the h1. */
/**
 * The registration form. `byAgent`: an agent fills it in for a person on the phone; the questions stay
 * as written (the agent asks them), the consent and the button say who decides and who acts.
 */
export function RegistrationForm(p: { territory: Territory; action: string; values: FormValues; errors: FieldErrors; submissionKey: string; source: Record<string, string | undefined>; sectionHeadingLevel?: 2 | 3; byAgent?: boolean }) {
  const t = p.territory;
  const H = p.sectionHeadingLevel === 2 ? 'h2' : 'h3';
  const v = p.values;
  const e = p.errors;
  return (
    <form method="post" action={p.action} novalidate>
      <ErrorSummary errors={e} order={registrationFieldOrder} />
      <HiddenFields fields={{ submission: p.submissionKey, ...p.source }} />
      <div class="honeypot" aria-hidden="true">
        <label for="f-website">Ne pas remplir ce champ</label>
        <input id="f-website" name="website" type="text" tabindex={-1} autocomplete="off" />
      </div>
      <H>Vous</H>
      <TextInput name="firstName" label="Prénom" value={v.firstName} errors={e} autocomplete="given-name" spellcheck={false} maxlength={100} />
      <TextInput name="lastName" label="Nom" value={v.lastName} errors={e} autocomplete="family-name" spellcheck={false} maxlength={100} />
      <TextInput
        name="email"
        type="email"
        label="Adresse e-mail"
        hint="Nous y enverrons le lien pour rejoindre la Rencontre et votre lien personnel."
        value={v.email}
        errors={e}
        autocomplete="email"
        spellcheck={false}
        maxlength={254}
      />
      <TextInput name="phone" type="tel" label="Téléphone" required={false} hint="Pour qu’un référent puisse vous rappeler si vous le souhaitez." value={v.phone} errors={e} autocomplete="tel" width="half" maxlength={30} />
      <Radios
        name="livesIn"
        label="Où habitez-vous aujourd’hui ?"
        value={v.livesIn}
        errors={e}
        inline
        options={[
          { value: 'france', label: 'En France' },
          { value: 'etranger', label: 'À l’étranger' },
        ]}
      />
      <TextInput name="postcode" label="Code postal" hint="Si vous habitez en France." value={v.postcode} errors={e} autocomplete="postal-code" inputmode="numeric" width="quarter" maxlength={10} />
      <TextInput name="town" label="Commune" hint="Si vous habitez en France." value={v.town} errors={e} autocomplete="address-level2" width="half" maxlength={100} />
      <TextInput name="country" label="Pays" hint="Si vous habitez à l’étranger." value={v.country} errors={e} autocomplete="country-name" width="half" maxlength={100} />
      <H>Votre projet</H>
      <Radios name="project" label="Quel est votre projet professionnel ?" value={v.project} errors={e} options={projects.map((x) => ({ value: x.value, label: x.label }))} />
      <Radios name="household" label="Avec qui envisagez-vous de vous installer ?" value={v.household} errors={e} options={households.map((x) => ({ value: x.value, label: x.label }))} />
      <Radios name="horizon" label="Quand envisagez-vous de vous installer ?" value={v.horizon} errors={e} options={horizons.map((x) => ({ value: x.value, label: x.label }))} />
      <Radios
        name="desiredRegion"
        label={`Où imaginez-vous vivre ${t.inName} ?`}
        value={v.desiredRegion}
        errors={e}
        options={[
          ...t.regions.map((r) => ({ value: r.key, label: r.label, hint: r.towns.length ? `Par exemple ${r.towns.slice(0, 3).join(', ')}` : undefined })),
          { value: UNKNOWN_REGION, label: 'Je ne sais pas encore' },
        ]}
      />
      <Select
        name="heardFrom"
        label="Comment avez-vous connu les Rencontres ?"
        required={false}
        value={v.heardFrom}
        errors={e}
        placeholder="Choisir une réponse"
        options={t.heardFrom.map((h) => ({ value: h.key, label: h.label }))}
      />
      <TextArea name="question" label="Une question pour l’équipe ?" required={false} hint="Nous y répondrons pendant la Rencontre ou par e-mail. N’indiquez pas d’information sur votre santé." value={v.question} errors={e} maxlength={1000} />
      {p.byAgent ? (
        <Checkbox
          name="newsOptIn"
          label="La personne souhaite recevoir des nouvelles des prochaines Rencontres"
          hint="À cocher seulement si elle vous l’a dit. Elle pourra les arrêter à tout moment depuis son lien personnel."
          checked={v.newsOptIn === 'oui'}
          errors={e}
        />
      ) : (
        <Checkbox name="newsOptIn" label="Je souhaite recevoir des nouvelles des prochaines Rencontres" hint="Facultatif. Vous pourrez vous désinscrire à tout moment." checked={v.newsOptIn === 'oui'} errors={e} />
      )}
      <PrivacyNotice territory={t} />
      <Button>{p.byAgent ? 'Inscrire cette personne' : 'Je m’inscris'}</Button>
    </form>
  );
}
