import { Hono, type Context } from 'hono';
import type { PartnerEnv } from '../../areas/partner/partner-env.ts';
import { PartnerPage } from '../../areas/partner/layout.tsx';
import type { Site } from '../../areas/public/layout.tsx';
import type { ReferralOutcome } from '../../platform/db/schema.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import { NotFound } from '../../platform/http/errors.ts';
import { formatShortDate } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button, ErrorSummary, HiddenFields, Radios, TextArea, type FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { recordReferralOutcome } from './record-referral-outcome.ts';
import { OUTCOME_NOTE_MAX, referralOutcomes } from './referral.ts';
import { findReferralForPartner, listReferralsForPartner, type PartnerReferralView } from './referrals-repository.ts';

/**
 * The people referred to a partner, in its portal: only those who consented to this partner, only
 * while their consent stands, only the fields the referral needs. The partner's id comes from the
 * session; a referral of another partner, or one whose consent was withdrawn, is "introuvable".
 */
export function referralPartnerRoutes(s: Services, site: Site) {
  const app = new Hono<PartnerEnv>();
  const t = s.territory;
  const frame = (c: Context<PartnerEnv>) => ({ site, user: c.get('partnerUser'), partner: c.get('partner'), csrf: c.get('partnerSession').csrf_token });
  const trail: Array<[string, string]> = [['Personnes orientées', '/partenaires/orientations']];

  app.get('/orientations', async (c) => {
    const items = await listReferralsForPartner(s.db.kysely, c.get('partner').id);
    return sendPage(
      c,
      <PartnerPage {...frame(c)} title="Personnes orientées" current="referrals">
        <h1>Personnes orientées vers vous</h1>
        <p>
          Ces personnes ont accepté que l’équipe {t.programmeName} vous transmette leurs coordonnées et un résumé de leur projet. Si l’une retire son accord, elle disparaît de cette liste aussitôt :
          n’utilisez plus alors ses coordonnées.
        </p>
        {items.length ? (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Personnes orientées</caption>
              <thead>
                <tr>
                  <th scope="col">Personne</th>
                  <th scope="col">Accord donné le</th>
                  <th scope="col">Votre retour</th>
                </tr>
              </thead>
              <tbody>
                {items.map((r: PartnerReferralView) => (
                  <tr>
                    <th scope="row">
                      <a href={`/partenaires/orientations/${r.id}`}>
                        {r.first_name} {r.last_name}
                      </a>
                    </th>
                    <td class="nowrap">{r.consent_given_at ? formatShortDate(r.consent_given_at, t.timezone) : ''}</td>
                    <td>{r.outcome ? referralOutcomes.find((o) => o.value === r.outcome)?.label : 'À faire'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="inset">Personne ne vous est orienté pour l’instant.</p>
        )}
      </PartnerPage>,
    );
  });

  const load = async (c: Context<PartnerEnv>) => {
    const r = await findReferralForPartner(s.db.kysely, c.get('partner').id, c.req.param('key') ?? '');
    if (!r) throw new NotFound('Orientation introuvable');
    return r;
  };

  const detail = (c: Context<PartnerEnv>, r: PartnerReferralView, values: Record<string, string>, errors: FieldErrors, status: 200 | 422 = 200) =>
    sendPage(
      c,
      <PartnerPage {...frame(c)} title={`${r.first_name} ${r.last_name}`} current="referrals" trail={trail} hasError={Object.keys(errors).length > 0} flash={c.req.query('ok') === 'retour' ? 'Votre retour est enregistré ; l’équipe le voit dans le dossier.' : null}>
        <h1>
          {r.first_name} {r.last_name}
        </h1>
        <dl class="summary-list">
          <div>
            <dt>E-mail</dt>
            <dd>
              <a href={`mailto:${r.email}`}>{r.email}</a>
            </dd>
          </div>
          <div>
            <dt>Téléphone</dt>
            <dd>{r.phone ?? 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Projet</dt>
            <dd>{r.summary}</dd>
          </div>
          <div>
            <dt>Orienté·e par</dt>
            <dd>
              {r.referent_name} (<a href={`mailto:${r.referent_email}`}>{r.referent_email}</a>)
            </dd>
          </div>
          <div>
            <dt>Accord donné le</dt>
            <dd>{r.consent_given_at ? formatShortDate(r.consent_given_at, t.timezone) : ''}</dd>
          </div>
        </dl>
        <h2>Où en est la démarche ?</h2>
        <form method="post" action={`/partenaires/orientations/${r.id}`} novalidate>
          <ErrorSummary errors={errors} order={['outcome', 'note']} />
          <HiddenFields fields={{ _csrf: c.get('partnerSession').csrf_token }} />
          <Radios name="outcome" label="Votre retour à l’équipe" options={referralOutcomes.map((o) => ({ value: o.value, label: o.label }))} value={values.outcome ?? r.outcome} errors={errors} />
          <TextArea
            name="note"
            label="Une précision ?"
            hint="Par exemple : rendez-vous pris le 12 mars. Rien sur la santé ni sur la vie privée de la personne."
            value={values.note ?? r.outcome_note}
            errors={errors}
            rows={3}
            maxlength={OUTCOME_NOTE_MAX}
            required={false}
          />
          <Button>Enregistrer mon retour</Button>
        </form>
      </PartnerPage>,
      status,
    );

  app.get('/orientations/:key', async (c) => detail(c, await load(c), {}, {}));

  app.post('/orientations/:key', async (c) => {
    const r = await load(c);
    const f = c.get('form');
    const errors: FieldErrors = {};
    const outcome = referralOutcomes.find((o) => o.value === f.outcome)?.value as ReferralOutcome | undefined;
    if (!outcome) errors.outcome = 'Choisissez où en est la démarche';
    if ((f.note ?? '').trim().length > OUTCOME_NOTE_MAX) errors.note = `La précision doit faire ${OUTCOME_NOTE_MAX} caractères au plus`;
    if (Object.keys(errors).length) return detail(c, r, f, errors, 422);
    await recordReferralOutcome(s, { referralId: r.id, partnerId: c.get('partner').id, partnerUserId: c.get('partnerUser').id, outcome: outcome!, note: f.note ?? null, ip: clientIp(c, s.config.trustProxy) });
    return c.redirect(`/partenaires/orientations/${r.id}?ok=retour`, 303);
  });

  return app;
}
