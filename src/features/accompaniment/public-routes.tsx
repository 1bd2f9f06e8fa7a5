import { Hono, type Context } from 'hono';
import { PublicPage, type Site } from '../../areas/public/layout.tsx';
import { clientIp, formBody } from '../../platform/http/client-ip.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button, ErrorSummary, Radios, TextArea, TextInput, type FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { loadRegistrationByToken } from '../registrations/registration-by-token.ts';
import { horizons } from '../registrations/registration.ts';
import type { Webinar } from '../webinars/webinar.ts';
import { formatDate, formatTime } from '../../platform/time.ts';
import { answerSurvey, recommendLabels, surveySchema, usefulnessLabels } from '../survey/survey.ts';
import { accompanimentErrors, accompanimentFieldOrder, accompanimentSchema, movers, needs } from './accompaniment.ts';
import { requestAccompaniment } from './request-accompaniment.tsx';

function AccompanimentPage(p: { site: Site; token: string; firstName: string; values: Record<string, string | string[]>; errors: FieldErrors }) {
  const t = p.site.territory;
  const v = (k: string) => (typeof p.values[k] === 'string' ? (p.values[k] as string) : '');
  const chosen = Array.isArray(p.values.needs) ? p.values.needs : [];
  return (
    <PublicPage site={p.site} title="Je veux être accompagné·e" hasError={Object.keys(p.errors).length > 0} noindex>
      <div class="container">
        <h1>Je veux être accompagné·e dans mon projet</h1>
        <p class="lead">
          {p.firstName}, un référent {t.programmeName} peut vous aider, gratuitement, jusqu’à votre installation. Quelques questions pour qu’il prépare votre premier échange.
        </p>
        <form method="post" action={`/mon-inscription/${p.token}/accompagnement`} novalidate>
          <ErrorSummary errors={p.errors} order={accompanimentFieldOrder} />
          <TextArea name="project" label="Votre projet en quelques mots" hint="Le métier que vous exercez ou cherchez, l’activité à créer ou à reprendre, ce qui vous attire ici. N’indiquez pas d’information sur votre santé." value={v('project')} errors={p.errors} rows={5} maxlength={2000} />
          <Radios name="horizon" label="Quand envisagez-vous de vous installer ?" value={v('horizon')} errors={p.errors} options={horizons.map((x) => ({ value: x.value, label: x.label }))} />
          <Radios name="movers" label="Qui s’installerait ?" value={v('movers')} errors={p.errors} options={movers.map((x) => ({ value: x.value, label: x.label }))} />
          <div class="form-group">
            <fieldset class="fieldset" aria-describedby="f-needs-hint">
              <legend class="fieldset__legend">
                Sur quoi souhaitez-vous être aidé·e ? <span class="optional">(facultatif)</span>
              </legend>
              <div id="f-needs-hint" class="hint">
                Cochez tout ce qui vous concerne.
              </div>
              {needs.map((n, i) => (
                <div class="checkboxes__item">
                  <input class="checkboxes__input" type="checkbox" id={i === 0 ? 'f-needs' : `f-needs-${i + 1}`} name="needs" value={n.value} checked={chosen.includes(n.value)} />
                  <label class="checkboxes__label" for={i === 0 ? 'f-needs' : `f-needs-${i + 1}`}>
                    {n.label}
                  </label>
                </div>
              ))}
            </fieldset>
          </div>
          <TextInput name="phone" type="tel" label="Un numéro pour vous rappeler" required={false} value={v('phone')} errors={p.errors} autocomplete="tel" width="half" maxlength={30} />
          <TextArea name="message" label="Autre chose à nous dire ?" required={false} value={v('message')} errors={p.errors} rows={3} maxlength={2000} />
          <p class="privacy">
            Votre demande est lue par l’équipe {t.programmeName} {t.authority.of}, qui l’utilise seulement pour vous accompagner. Elle n’est transmise à un partenaire (France Travail, chambre consulaire…) qu’avec votre accord. <a href="/donnees-personnelles">Vos données et vos droits</a>.
          </p>
          <Button>Envoyer ma demande</Button>
        </form>
      </div>
    </PublicPage>
  );
}

function SurveyPage(p: { site: Site; token: string; webinarTitle: string; values: Record<string, string>; errors: FieldErrors }) {
  return (
    <PublicPage site={p.site} title="Votre avis" hasError={Object.keys(p.errors).length > 0} noindex>
      <div class="container">
        <h1>Votre avis sur la Rencontre</h1>
        <p class="lead">Deux questions sur la {p.webinarTitle}, ou sur son replay.</p>
        <form method="post" action={`/mon-inscription/${p.token}/avis`} novalidate>
          <ErrorSummary errors={p.errors} order={['usefulness', 'recommend', 'comment']} />
          <Radios
            name="usefulness"
            label="La Rencontre vous a-t-elle été utile ?"
            value={p.values.usefulness}
            errors={p.errors}
            options={usefulnessLabels.map((l, i) => ({ value: String(i + 1), label: l })).reverse()}
          />
          <Radios
            name="recommend"
            label="La recommanderiez-vous à un proche qui pense à s’installer ici ?"
            value={p.values.recommend}
            errors={p.errors}
            inline
            options={Object.entries(recommendLabels).map(([value, label]) => ({ value, label }))}
          />
          <TextArea name="comment" label="Un commentaire ?" required={false} value={p.values.comment} errors={p.errors} rows={3} maxlength={1000} />
          <p class="privacy">
            Vos réponses sont lues par l’équipe {p.site.territory.programmeName} {p.site.territory.authority.of}, pour améliorer les prochaines Rencontres et mesurer ce qu’elles apportent. <a href="/donnees-personnelles">Vos données et vos droits</a>.
          </p>
          <Button>Envoyer mon avis</Button>
        </form>
      </div>
    </PublicPage>
  );
}

/** The survey is about a Rencontre that took place: before its end there is nothing to give an opinion on. */
function SurveyNotYetPage(p: { site: Site; token: string; webinar: Webinar }) {
  const t = p.site.territory;
  return (
    <PublicPage site={p.site} title="Votre avis" noindex>
      <div class="container">
        <h1>Votre avis sur la Rencontre</h1>
        <p class="inset">
          Vous pourrez donner votre avis une fois la Rencontre passée : elle a lieu le {formatDate(p.webinar.startsAt, t.timezone)}, à {formatTime(p.webinar.startsAt, t.timezone)}.
        </p>
        <p>
          <a href={`/mon-inscription/${p.token}`}>Retour à mon inscription</a>
        </p>
      </div>
    </PublicPage>
  );
}

function ThanksPage(p: { site: Site; token: string; title: string; body: string }) {
  return (
    <PublicPage site={p.site} title={p.title} noindex>
      <div class="container">
        <div class="panel" role="status">
          <h1>{p.title}</h1>
          <p>{p.body}</p>
        </div>
        <p>
          <a href={`/mon-inscription/${p.token}`}>Retour à mon inscription</a>
        </p>
      </div>
    </PublicPage>
  );
}

/** The next step from a registrant's private link: asking to be accompanied, and the two-question survey. */
export function accompanimentPublicRoutes(s: Services, site: Site) {
  const app = new Hono();
  const load = (c: Context) => loadRegistrationByToken(s, c.req.param('token') ?? '');
  const actor = (c: Context, candidateId: string) => ({ type: 'candidate' as const, id: candidateId, ip: clientIp(c, s.config.trustProxy) });

  app.get('/mon-inscription/:token/accompagnement', async (c) => {
    const { token, candidate } = await load(c);
    c.header('Cache-Control', 'no-store');
    const open = await s.db.kysely.selectFrom('accompaniment_requests').select('id').where('candidate_id', '=', candidate.id).where('status', '!=', 'closed').executeTakeFirst();
    if (open) return sendPage(c, <ThanksPage site={site} token={token} title="Votre demande est en cours" body={`Vous avez déjà demandé à être accompagné·e : un référent vous contacte ou l’a déjà fait. Une question ? Écrivez-nous à ${s.territory.contact.email}.`} />);
    return sendPage(c, <AccompanimentPage site={site} token={token} firstName={candidate.first_name} values={{ horizon: candidate.horizon ?? '', phone: candidate.phone ?? '' }} errors={{}} />);
  });

  app.post('/mon-inscription/:token/accompagnement', async (c) => {
    const { token, registration, candidate } = await load(c);
    const params = new URLSearchParams(c.req.header('content-type')?.startsWith('application/x-www-form-urlencoded') ? await c.req.text() : '');
    const values = { ...Object.fromEntries(params), needs: params.getAll('needs') };
    const parsed = accompanimentSchema.safeParse(values);
    if (!parsed.success) return sendPage(c, <AccompanimentPage site={site} token={token} firstName={candidate.first_name} values={values} errors={accompanimentErrors(parsed.error)} />, 422);
    await requestAccompaniment(s, { registrationId: registration.id, form: parsed.data, actor: actor(c, candidate.id) });
    return c.redirect(`/mon-inscription/${token}/accompagnement/merci`, 303);
  });

  app.get('/mon-inscription/:token/accompagnement/merci', async (c) => {
    const { token } = await load(c);
    return sendPage(c, <ThanksPage site={site} token={token} title="Votre demande est envoyée" body={`Merci. Un référent ${s.territory.programmeName} vous contactera dans les prochains jours pour faire le point sur votre projet. Vous recevez une confirmation par e-mail.`} />);
  });

  const notOver = (webinar: Webinar) => s.clock.now().getTime() < new Date(webinar.endsAt).getTime();

  app.get('/mon-inscription/:token/avis', async (c) => {
    const { token, registration, webinar } = await load(c);
    c.header('Cache-Control', 'no-store');
    if (notOver(webinar)) return sendPage(c, <SurveyNotYetPage site={site} token={token} webinar={webinar} />);
    const previous = await s.db.kysely.selectFrom('survey_answers').select(['usefulness', 'recommend', 'comment']).where('registration_id', '=', registration.id).executeTakeFirst();
    const values: Record<string, string> = previous ? { usefulness: String(previous.usefulness), recommend: previous.recommend, comment: previous.comment ?? '' } : {};
    return sendPage(c, <SurveyPage site={site} token={token} webinarTitle={`${webinar.title} du ${formatDate(webinar.startsAt, s.territory.timezone)}`} values={values} errors={{}} />);
  });

  app.post('/mon-inscription/:token/avis', async (c) => {
    const { token, registration, webinar, candidate } = await load(c);
    if (notOver(webinar)) return sendPage(c, <SurveyNotYetPage site={site} token={token} webinar={webinar} />, 409);
    const body = await formBody(c);
    const parsed = surveySchema.safeParse(body);
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const i of parsed.error.issues) errors[String(i.path[0])] ??= i.message;
      return sendPage(c, <SurveyPage site={site} token={token} webinarTitle={`${webinar.title} du ${formatDate(webinar.startsAt, s.territory.timezone)}`} values={body} errors={errors} />, 422);
    }
    await answerSurvey(s, { registrationId: registration.id, webinarId: webinar.id, form: parsed.data, actor: actor(c, candidate.id) });
    return c.redirect(`/mon-inscription/${token}/avis/merci`, 303);
  });

  app.get('/mon-inscription/:token/avis/merci', async (c) => {
    const { token } = await load(c);
    return sendPage(c, <ThanksPage site={site} token={token} title="Merci pour votre avis" body="Vos réponses nous aident à préparer les prochaines Rencontres." />);
  });

  return app;
}
