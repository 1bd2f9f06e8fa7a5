import { Hono, type Context } from 'hono';
import { PublicPage, type Site } from '../../areas/public/layout.tsx';
import { clientIp, formBody } from '../../platform/http/client-ip.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { formatDate } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button, HiddenFields } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { answerReferralConsent, type ConsentAnswer } from './answer-referral-consent.ts';
import { findReferralByToken } from './referrals-repository.ts';

type Referral = NonNullable<Awaited<ReturnType<typeof findReferralByToken>>>;

function ConsentPage(p: { site: Site; token: string; r: Referral; confirmWithdraw?: boolean; notice?: string; error?: string }) {
  const t = p.site.territory;
  const r = p.r;
  const zone = t.timezone;
  const action = `/consentement/${p.token}`;
  return (
    <PublicPage site={p.site} title={`Mise en relation avec ${r.partner_name}`} noindex>
      <div class="container">
        {p.notice ? (
          <div class="notice notice--success" role="status">
            <p>{p.notice}</p>
          </div>
        ) : null}
        {p.error ? (
          <div class="notice" role="alert">
            <p>{p.error}</p>
          </div>
        ) : null}
        <h1>Mise en relation avec {r.partner_name}</h1>
        <p class="lead">
          {r.first_name}, {r.referent_name}, votre référent·e {t.programmeName}, propose de vous mettre en relation avec {r.partner_name} : {r.partner_role}
        </p>
        <h2>Ce qui serait transmis</h2>
        <dl class="summary-list">
          <div>
            <dt>Nom</dt>
            <dd>
              {r.first_name} {r.last_name}
            </dd>
          </div>
          <div>
            <dt>E-mail</dt>
            <dd>{r.email}</dd>
          </div>
          <div>
            <dt>Téléphone</dt>
            <dd>{r.phone ?? 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Votre projet, tel que le partenaire le lira</dt>
            <dd>{r.summary}</dd>
          </div>
        </dl>
        <p>Rien d’autre de votre dossier n’est transmis.</p>
        {r.status === 'awaiting-consent' ? (
          <>
            <h2>Votre réponse</h2>
            <form method="post" action={action}>
              <HiddenFields fields={{ answer: 'give' }} />
              <Button>J’accepte d’être mis·e en relation avec {r.partner_name}</Button>
            </form>
            <form method="post" action={action}>
              <HiddenFields fields={{ answer: 'decline' }} />
              <Button variant="secondary">Je refuse</Button>
            </form>
          </>
        ) : r.status === 'consented' ? (
          p.confirmWithdraw ? (
            <>
              <h2>Retirer votre accord ?</h2>
              <p>{r.partner_name} ne verra plus vos coordonnées ni votre projet, dès maintenant. Votre référent·e continue de vous accompagner.</p>
              <form method="post" action={action}>
                <HiddenFields fields={{ answer: 'withdraw' }} />
                <div class="button-row">
                  <Button variant="warning">Oui, retirer mon accord</Button>
                  <a href={action}>Revenir sans rien changer</a>
                </div>
              </form>
            </>
          ) : (
            <>
              <div class="panel" role="status">
                <h2>Votre accord est enregistré</h2>
                <p>Depuis le {r.consent_given_at ? formatDate(r.consent_given_at, zone) : ''}. {r.partner_name} peut vous contacter.</p>
              </div>
              <p>Vous pouvez retirer votre accord à tout moment, avec ce même lien.</p>
              <p>
                <a class="button button--warning" href={`${action}?retirer=1`}>
                  Retirer mon accord
                </a>
              </p>
            </>
          )
        ) : r.status === 'declined' ? (
          <>
            <p class="inset">Vous avez refusé cette mise en relation le {r.consent_declined_at ? formatDate(r.consent_declined_at, zone) : ''}. Rien n’a été transmis.</p>
            <form method="post" action={action}>
              <HiddenFields fields={{ answer: 'give' }} />
              <Button variant="secondary">Finalement, j’accepte d’être mis·e en relation</Button>
            </form>
          </>
        ) : (
          <p class="inset">
            Vous avez retiré votre accord le {r.consent_withdrawn_at ? formatDate(r.consent_withdrawn_at, zone) : ''} : {r.partner_name} ne voit plus vos coordonnées. Pour reprendre contact, écrivez à votre
            référent·e.
          </p>
        )}
        <section class="privacy" aria-labelledby="privacy-title">
          <h2 id="privacy-title">Vos données</h2>
          <p>
            Responsable : {t.authority.the}, pour vous accompagner dans votre installation (mission d’intérêt public). Avec votre accord seulement, {r.partner_name} reçoit les informations ci-dessus pour
            vous contacter ; il les garde le temps de votre démarche. Votre accord est daté et vous pouvez le retirer à tout moment ici : le partenaire n’y a plus accès dès cet instant.
          </p>
          <p>
            Délégué à la protection des données : <a href={`mailto:${t.dpo.email}`}>{t.dpo.email}</a>. Vous pouvez aussi saisir la CNIL. <a href="/donnees-personnelles">Vos données et vos droits</a>.
          </p>
        </section>
      </div>
    </PublicPage>
  );
}

/** The candidate's side of a referral: the private link of the consent request, to give, refuse or withdraw consent. */
export function referralPublicRoutes(s: Services, site: Site) {
  const app = new Hono();

  const load = async (c: Context) => {
    c.header('Cache-Control', 'no-store');
    const r = await findReferralByToken(s.db.kysely, c.req.param('token') ?? '');
    if (!r) throw new NotFound('Ce lien n’est pas ou plus valable.');
    return r;
  };

  app.get('/consentement/:token', async (c) => {
    const r = await load(c);
    const ok = c.req.query('ok');
    const notice =
      ok === 'consented' && r.status === 'consented'
        ? `Merci : votre accord est enregistré. ${r.partner_name} vous contactera.`
        : ok === 'declined' && r.status === 'declined'
          ? 'Votre refus est enregistré : rien n’est transmis.'
          : ok === 'withdrawn' && r.status === 'withdrawn'
            ? `Votre accord est retiré : ${r.partner_name} ne voit plus vos coordonnées.`
            : undefined;
    return sendPage(c, <ConsentPage site={site} token={c.req.param('token')} r={r} confirmWithdraw={c.req.query('retirer') === '1'} notice={notice} />);
  });

  app.post('/consentement/:token', async (c) => {
    const token = c.req.param('token');
    const r = await load(c);
    const body = await formBody(c);
    const answer = (['give', 'decline', 'withdraw'] as const).find((a) => a === body.answer) as ConsentAnswer | undefined;
    if (!answer) return sendPage(c, <ConsentPage site={site} token={token} r={r} error="Choisissez une réponse." />, 422);
    try {
      const to = await answerReferralConsent(s, { token, answer, ip: clientIp(c, s.config.trustProxy) });
      return c.redirect(`/consentement/${token}?ok=${to}`, 303);
    } catch (e) {
      if (e instanceof DomainError) return sendPage(c, <ConsentPage site={site} token={token} r={r} error={e.message} />, 409);
      throw e;
    }
  });

  return app;
}
