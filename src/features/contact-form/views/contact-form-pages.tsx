import { PublicPage, type Site } from '../../../areas/public/layout.tsx';
import { Button, ErrorSummary, HiddenFields, Radios, Select, TextArea, TextInput, type FieldErrors } from '../../../platform/views/form-kit.tsx';
import { movers, needs } from '../../accompaniment/accompaniment.ts';
import { housingPlans, projectTypes } from '../../candidates/candidate-file.ts';
import { CheckboxGroup } from '../../installations/views/checkbox-group.tsx';
import { horizons, labelOf, UNKNOWN_REGION } from '../../registrations/registration.ts';
import { regionLabel } from '../../territory/territory.ts';
import { KEEP_DAYS, STEP_KEYS, stepFieldOrder, stepTitles, type StepKey, type StepValues } from '../contact-form.ts';

type Values = Record<string, string | string[]>;
const str = (v: Values, k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');

/** Who reads the answers and why: on the start page in full, a line on every step (art. 13). */
export function DataNotice({ site, full = false }: { site: Site; full?: boolean }) {
  const t = site.territory;
  if (!full) {
    return (
      <p class="privacy">
        Vos réponses sont lues par l’équipe {t.programmeName} {t.authority.of}, seulement pour vous accompagner. N’indiquez pas d’information sur votre santé. <a href="/donnees-personnelles">Vos données et vos droits</a>.
      </p>
    );
  }
  return (
    <div class="privacy">
      <h2>Vos données personnelles</h2>
      <p>
        {t.authority.the.charAt(0).toUpperCase() + t.authority.the.slice(1)} recueille vos réponses pour vous accompagner dans votre projet d’installation, dans le cadre de sa mission de service public d’accueil
        des nouveaux habitants. Elles sont lues par l’équipe {t.programmeName} et ne sont transmises à un partenaire (France Travail, chambre consulaire, agence immobilière…) qu’avec votre accord.
      </p>
      <p>
        Un formulaire commencé et pas envoyé est effacé {KEEP_DAYS} jours après votre dernière réponse. Une fois envoyé, votre dossier est gardé {t.retention.candidateMonths} mois après votre dernier contact avec nous.
      </p>
      <p>
        Vous pouvez consulter, corriger ou faire effacer vos données, ou vous opposer à leur utilisation, en écrivant au délégué à la protection des données : <a href={`mailto:${t.dpo.email}`}>{t.dpo.email}</a>. Vous
        pouvez aussi saisir la CNIL. <a href="/donnees-personnelles">Tout sur vos données et vos droits</a>.
      </p>
    </div>
  );
}

export function StartPage(p: { site: Site; resumeUrl: string | null; action: string }) {
  const t = p.site.territory;
  return (
    <PublicPage site={p.site} title="Parlez-nous de votre projet" description={`Le formulaire de premier contact de ${t.programmeName} : dix minutes pour présenter votre projet d’installation ${t.inName} et être rappelé·e par un référent.`}>
      <div class="container">
        <h1>Parlez-nous de votre projet d’installation</h1>
        <p class="lead">
          Vous pensez vous installer {t.inName} ? En dix minutes environ, présentez-vous et décrivez votre projet : un référent {t.programmeName} vous contacte ensuite, gratuitement, pour vous accompagner
          jusqu’à votre installation.
        </p>
        <p>Six étapes, une par page : vous, votre foyer, votre projet, où, quand, et l’aide que vous souhaitez. Vos réponses sont enregistrées à chaque page : vous pouvez vous arrêter et reprendre plus tard en revenant ici sur le même appareil, ou avec l’adresse de la page.</p>
        {p.resumeUrl ? (
          <div class="notice">
            <p>
              Vous avez commencé ce formulaire. <a href={p.resumeUrl}>Reprendre là où vous en étiez</a>
            </p>
          </div>
        ) : null}
        <form method="post" action={p.action}>
          <Button>{p.resumeUrl ? 'Recommencer un nouveau formulaire' : 'Commencer'}</Button>
        </form>
        <p>
          Vous préférez découvrir d’abord le territoire ? <a href="/rencontres">Inscrivez-vous à une Rencontre</a>, une heure en ligne à l’heure du déjeuner.
        </p>
        <DataNotice site={p.site} full />
      </div>
    </PublicPage>
  );
}

function StepFrame(p: { site: Site; token: string; step: StepKey; heading: string; errors: FieldErrors; back: string; children: unknown; fromCheck: boolean }) {
  const n = STEP_KEYS.indexOf(p.step) + 1;
  return (
    <PublicPage site={p.site} title={`${p.heading} (étape ${n} sur ${STEP_KEYS.length})`} hasError={Object.keys(p.errors).length > 0} noindex>
      <div class="container">
        <p>
          <a href={p.back}>Retour</a>
        </p>
        <form method="post" action={`/premier-contact/${p.token}/${p.step}`} novalidate>
          <ErrorSummary errors={p.errors} order={stepFieldOrder[p.step]} />
          <p class="hint">
            Étape {n} sur {STEP_KEYS.length}
          </p>
          <h1>{p.heading}</h1>
          {p.fromCheck ? <HiddenFields fields={{ retour: 'verifier' }} /> : null}
          {p.children as never}
          <DataNotice site={p.site} />
          <Button>Continuer</Button>
        </form>
      </div>
    </PublicPage>
  );
}

export function StepPage(p: { site: Site; token: string; step: StepKey; values: Values; errors: FieldErrors; fromCheck: boolean; communes: Array<{ code: string; name: string }> }) {
  const t = p.site.territory;
  const e = p.errors;
  const v = p.values;
  const i = STEP_KEYS.indexOf(p.step);
  const back = p.fromCheck ? `/premier-contact/${p.token}/verifier` : i === 0 ? '/premier-contact' : `/premier-contact/${p.token}/${STEP_KEYS[i - 1]}`;
  const frame = { site: p.site, token: p.token, step: p.step, errors: e, back, fromCheck: p.fromCheck };
  switch (p.step) {
    case 'vous':
      return (
        <StepFrame {...frame} heading="Vous">
          <TextInput name="firstName" label="Prénom" value={str(v, 'firstName')} errors={e} autocomplete="given-name" spellcheck={false} maxlength={100} width="half" />
          <TextInput name="lastName" label="Nom" value={str(v, 'lastName')} errors={e} autocomplete="family-name" spellcheck={false} maxlength={100} width="half" />
          <TextInput name="email" type="email" label="Adresse e-mail" hint="Pour vous envoyer la confirmation et vous recontacter." value={str(v, 'email')} errors={e} autocomplete="email" spellcheck={false} maxlength={254} />
          <TextInput name="phone" type="tel" label="Téléphone" hint="Pour qu’un référent puisse vous appeler." required={false} value={str(v, 'phone')} errors={e} autocomplete="tel" maxlength={30} width="half" />
          <Radios
            name="livesIn"
            label="Où habitez-vous aujourd’hui ?"
            value={str(v, 'livesIn')}
            errors={e}
            options={[
              { value: 'france', label: 'En France', hint: 'Indiquez votre code postal et votre commune ci-dessous.' },
              { value: 'etranger', label: 'À l’étranger', hint: 'Indiquez votre pays ci-dessous.' },
            ]}
          />
          {/* Asked according to the answer above, as on the registration form: not "(facultatif)", which the errors then contradict. */}
          <TextInput name="postcode" label="Code postal" hint="Si vous habitez en France." value={str(v, 'postcode')} errors={e} autocomplete="postal-code" inputmode="numeric" maxlength={10} width="quarter" />
          <TextInput name="town" label="Commune" hint="Si vous habitez en France." value={str(v, 'town')} errors={e} autocomplete="address-level2" maxlength={100} width="half" />
          <TextInput name="country" label="Pays" hint="Si vous habitez à l’étranger." value={str(v, 'country')} errors={e} autocomplete="country-name" maxlength={100} width="half" />
          <div class="honeypot" aria-hidden="true">
            <label for="f-website">Ne remplissez pas ce champ</label>
            <input id="f-website" name="website" type="text" tabindex={-1} autocomplete="off" />
          </div>
        </StepFrame>
      );
    case 'foyer':
      return (
        <StepFrame {...frame} heading="Votre foyer">
          <Radios name="movers" label="Qui s’installerait ?" value={str(v, 'movers')} errors={e} options={movers.map((m) => ({ value: m.value, label: m.label }))} />
          <TextInput name="occupation" label="Votre métier ou votre activité aujourd’hui" required={false} value={str(v, 'occupation')} errors={e} autocomplete="organization-title" maxlength={100} />
          <TextInput name="partnerOccupation" label="Le métier de votre conjoint·e" hint="Si vous venez en couple." required={false} value={str(v, 'partnerOccupation')} errors={e} autocomplete="off" maxlength={100} />
          <Radios
            name="partnerNeedsJob"
            label="Votre conjoint·e cherchera-t-il ou elle un emploi ici ?"
            required={false}
            inline
            value={str(v, 'partnerNeedsJob')}
            errors={e}
            options={[
              { value: 'oui', label: 'Oui' },
              { value: 'non', label: 'Non' },
            ]}
          />
          <TextInput name="childrenAges" label="L’âge des enfants qui viendraient" hint="En chiffres, séparés par des virgules, par exemple : 3, 7, 12. Laissez vide s’il n’y en a pas." required={false} value={str(v, 'childrenAges')} errors={e} autocomplete="off" maxlength={60} width="half" />
        </StepFrame>
      );
    case 'projet':
      return (
        <StepFrame {...frame} heading="Votre projet">
          <Radios name="projectType" label="Quel projet vous ressemble le plus ?" value={str(v, 'projectType')} errors={e} options={projectTypes.map((x) => ({ value: x.value, label: x.label }))} />
          <TextArea name="description" label="Décrivez votre projet en quelques mots" hint="Le métier que vous exercez ou cherchez, l’activité à créer ou à reprendre, ce qui vous attire ici." value={str(v, 'description')} errors={e} rows={5} maxlength={2000} />
        </StepFrame>
      );
    case 'lieu':
      return (
        <StepFrame {...frame} heading={`Où imaginez-vous vivre ${t.inName} ?`}>
          <Radios name="region" label="La région naturelle" value={str(v, 'region')} errors={e} options={[...t.regions.map((r) => ({ value: r.key, label: r.label, hint: r.towns.length ? r.towns.join(', ') : undefined })), { value: UNKNOWN_REGION, label: 'Je ne sais pas encore' }]} />
          {p.communes.length ? <Select name="commune" label="Une commune en particulier ?" required={false} placeholder="Pas encore d’idée" value={str(v, 'commune')} errors={e} options={p.communes.map((c) => ({ value: c.code, label: c.name }))} /> : null}
          <Radios name="housing" label="Pour vous loger, vous pensez plutôt…" value={str(v, 'housing')} errors={e} options={housingPlans.map((h) => ({ value: h.value, label: h.label }))} />
        </StepFrame>
      );
    case 'quand':
      return (
        <StepFrame {...frame} heading="Quand envisagez-vous de vous installer ?">
          <Radios name="horizon" label={<span class="visually-hidden">Quand envisagez-vous de vous installer ?</span>} value={str(v, 'horizon')} errors={e} options={horizons.map((h) => ({ value: h.value, label: h.label }))} />
        </StepFrame>
      );
    case 'aide':
      return (
        <StepFrame {...frame} heading="L’aide que vous souhaitez">
          <CheckboxGroup name="needs" label="Sur quoi souhaitez-vous être aidé·e ?" hint="Cochez tout ce qui vous concerne." options={needs} values={Array.isArray(v.needs) ? v.needs : []} errors={e} optional />
          <TextArea name="message" label="Autre chose à nous dire ?" required={false} value={str(v, 'message')} errors={e} rows={3} maxlength={2000} />
        </StepFrame>
      );
  }
}

export function CheckPage(p: { site: Site; token: string; values: StepValues; communeName: string | null }) {
  const t = p.site.territory;
  const v = p.values;
  const change = (step: StepKey, what: string) => (
    <a href={`/premier-contact/${p.token}/${step}?retour=verifier`}>
      Modifier<span class="visually-hidden"> {what}</span>
    </a>
  );
  const rows: Array<[StepKey, string, string]> = [
    ['vous', 'Nom', `${v.vous.firstName} ${v.vous.lastName}`],
    ['vous', 'Adresse e-mail', v.vous.email],
    ['vous', 'Téléphone', v.vous.phone ?? 'Non renseigné'],
    ['vous', 'Où vous habitez', v.vous.country === 'France' ? `${v.vous.postcode} ${v.vous.town}` : (v.vous.country ?? '')],
    ['foyer', 'Qui s’installerait', labelOf(movers, v.foyer.movers) ?? ''],
    ['foyer', 'Votre métier', v.foyer.occupation ?? 'Non renseigné'],
    ...(v.foyer.movers === 'couple' || v.foyer.movers === 'famille'
      ? ([['foyer', 'Votre conjoint·e', [v.foyer.partnerOccupation, v.foyer.partnerNeedsJob === true ? 'cherchera un emploi' : v.foyer.partnerNeedsJob === false ? 'ne cherchera pas d’emploi' : null].filter(Boolean).join(', ') || 'Non renseigné']] as Array<[StepKey, string, string]>)
      : []),
    ['foyer', 'Enfants', v.foyer.childrenAges.length ? v.foyer.childrenAges.map((a) => `${a} an${a > 1 ? 's' : ''}`).join(', ') : 'Aucun'],
    ['projet', 'Votre projet', labelOf(projectTypes, v.projet.projectType) ?? ''],
    ['projet', 'En quelques mots', v.projet.description],
    ['lieu', 'Où', [regionLabel(t, v.lieu.region), p.communeName].filter(Boolean).join(', ')],
    ['lieu', 'Logement', labelOf(housingPlans, v.lieu.housing) ?? ''],
    ['quand', 'Quand', labelOf(horizons, v.quand.horizon) ?? ''],
    ['aide', 'Aide souhaitée', v.aide.needs.map((n) => labelOf(needs, n)).join(', ') || 'Aucune en particulier'],
    ['aide', 'Votre message', v.aide.message ?? 'Aucun'],
  ];
  return (
    <PublicPage site={p.site} title="Vérifiez vos réponses" noindex>
      <div class="container">
        <p>
          <a href={`/premier-contact/${p.token}/aide`}>Retour</a>
        </p>
        <h1>Vérifiez vos réponses avant de les envoyer</h1>
        {STEP_KEYS.map((step) => (
          <>
            <h2>{stepTitles[step]}</h2>
            <dl class="summary-list">
              {rows
                .filter(([s]) => s === step)
                .map(([, label, value]) => (
                  <div>
                    <dt>{label}</dt>
                    <dd>
                      {value} <span class="nowrap">{change(step, label.toLowerCase())}</span>
                    </dd>
                  </div>
                ))}
            </dl>
          </>
        ))}
        <form method="post" action={`/premier-contact/${p.token}/verifier`}>
          <DataNotice site={p.site} full />
          <Button>Envoyer ma demande</Button>
        </form>
      </div>
    </PublicPage>
  );
}

export function ConfirmationPage(p: { site: Site }) {
  const t = p.site.territory;
  return (
    <PublicPage site={p.site} title="Votre demande est envoyée" noindex>
      <div class="container">
        <div class="panel" role="status">
          <h1>Votre demande est envoyée</h1>
          <p>Merci. Vous recevez une confirmation par e-mail.</p>
        </div>
        <h2>Et maintenant ?</h2>
        <p>Un référent {t.programmeName} vous contacte dans les prochains jours, par téléphone ou par e-mail, pour faire le point sur votre projet. L’accompagnement est gratuit.</p>
        <p>
          En attendant, <a href="/rencontres">inscrivez-vous à une Rencontre</a> pour découvrir le territoire en une heure, à l’heure du déjeuner.
        </p>
      </div>
    </PublicPage>
  );
}
