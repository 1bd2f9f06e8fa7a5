import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import { AdminPage } from '../../areas/admin/layout.tsx';
import type { Site } from '../../areas/public/layout.tsx';
import { clientIp } from '../../platform/http/client-ip.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { formatShortDate } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button, ErrorSummary, HiddenFields, Select, TextArea, type FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { themeLabels, parseKeys } from '../partners/partner.ts';
import { listPartners } from '../partners/partners-repository.ts';
import { canEditFile, projectTypes } from '../candidates/candidate-file.ts';
import { horizons, labelOf, projects } from '../registrations/registration.ts';
import { regionLabel } from '../territory/territory.ts';
import { NOT_YOUR_FILE_MESSAGE } from '../offers/propose-offers.ts';
import { referralOutcomes, referralStatusLabels } from './referral.ts';
import { referralsOfCandidate } from './referrals-repository.ts';
import { requestReferral, SUMMARY_MAX } from './request-referral.ts';

/**
 * Referrals of one candidate to partners, from the back-office: what was asked, what the person
 * answered and when, what the partner reported; and the form that asks the person's consent for a
 * new partner. /admin/candidats/:id/orientations, linked from the candidate's offers page and file.
 */
export function referralAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const t = s.territory;

  const page = async (c: Context<AdminEnv>, values: Record<string, string>, errors: FieldErrors, status: 200 | 422 = 200) => {
    const id = c.req.param('id')!;
    const person = await s.db.kysely
      .selectFrom('candidates')
      .select(['id', 'first_name', 'last_name', 'email', 'project', 'project_type', 'project_sector', 'desired_region', 'horizon', 'referent_id'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!person) throw new NotFound('Personne introuvable');
    const [referrals, partners] = await Promise.all([referralsOfCandidate(s.db.kysely, id), listPartners(s.db.kysely, { activeOnly: true })]);
    const name = `${person.first_name} ${person.last_name}`;
    const project = (person.project_type ? labelOf(projectTypes, person.project_type) : null) ?? labelOf(projects, person.project);
    const defaultSummary = [
      // The project as the file says it in words: the type the referent qualified, else the answer at
      // registration, and the sector when known; never a stored key (the person and the partner read it).
      project ? `Projet : ${project}${person.project_sector ? ` (${person.project_sector})` : ''}.` : null,
      person.desired_region ? `Région envisagée : ${regionLabel(t, person.desired_region)}.` : null,
      person.horizon ? `Installation : ${labelOf(horizons, person.horizon)?.toLowerCase()}.` : null,
    ]
      .filter(Boolean)
      .join(' ');
    const flash = c.req.query('ok') === 'demande' ? `La demande d’accord est envoyée à ${person.email}. Le partenaire ne verra la personne qu’après son accord.` : null;
    return sendPage(
      c,
      <AdminPage site={site} agent={c.get('agent')} csrf={c.get('session').csrf_token} title={`Orientations de ${name}`} current="partners" wide trail={[[name, `/admin/candidats/${id}`]]} hasError={Object.keys(errors).length > 0} flash={flash}>
        <h1>Orientations de {name}</h1>
        <p>
          <a href={`/admin/candidats/${id}/offres`}>Offres pour {person.first_name}</a>
        </p>
        {referrals.length ? (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Orientations vers des partenaires</caption>
              <thead>
                <tr>
                  <th scope="col">Partenaire</th>
                  <th scope="col">Accord de la personne</th>
                  <th scope="col">Retour du partenaire</th>
                </tr>
              </thead>
              <tbody>
                {referrals.map((r) => (
                  <tr>
                    <th scope="row">
                      <a href={`/admin/partenaires/${r.partner_slug}`}>{r.partner_name}</a>
                      <br />
                      <span class="meta">
                        demandé le {formatShortDate(r.requested_at, t.timezone)}
                        {r.referent_name ? ` par ${r.referent_name}` : ''}
                      </span>
                    </th>
                    <td>
                      {referralStatusLabels[r.status]}
                      {r.status === 'consented' && r.consent_given_at ? ` le ${formatShortDate(r.consent_given_at, t.timezone)}` : ''}
                      {r.status === 'declined' && r.consent_declined_at ? ` le ${formatShortDate(r.consent_declined_at, t.timezone)}` : ''}
                      {r.status === 'withdrawn' && r.consent_withdrawn_at ? ` le ${formatShortDate(r.consent_withdrawn_at, t.timezone)}` : ''}
                    </td>
                    <td>
                      {r.outcome ? (
                        <>
                          {referralOutcomes.find((o) => o.value === r.outcome)?.label}
                          {r.outcome_at ? `, le ${formatShortDate(r.outcome_at, t.timezone)}` : ''}
                          {r.outcome_note ? (
                            <>
                              <br />« {r.outcome_note} »
                            </>
                          ) : null}
                        </>
                      ) : (
                        'Pas encore'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p>Aucune orientation pour l’instant.</p>
        )}
        <h2>Orienter vers un partenaire</h2>
        {!canEditFile(c.get('agent'), person) ? (
          <p class="inset">{NOT_YOUR_FILE_MESSAGE}</p>
        ) : (
          <>
            <p>
              La personne reçoit un e-mail qui lui présente le partenaire et ce qui lui sera transmis : son nom, son e-mail, son téléphone et le résumé ci-dessous. Rien n’est transmis sans son accord, qu’elle
              peut retirer à tout moment.
            </p>
            <form method="post" action={`/admin/candidats/${id}/orientations`} novalidate>
              <ErrorSummary errors={errors} order={['partner', 'summary']} />
              <HiddenFields fields={{ _csrf: c.get('session').csrf_token }} />
              <Select
                name="partner"
                label="Partenaire"
                options={partners.map((p) => ({ value: p.id, label: `${p.name} – ${themeLabels(parseKeys(p.themes)).slice(0, 2).join(', ')}` }))}
                placeholder="Choisir un partenaire"
                value={values.partner}
                errors={errors}
              />
              <TextArea
                name="summary"
                label="Résumé du projet pour le partenaire"
                hint="La personne le lit avant de donner son accord, puis le partenaire. Seulement ce qui sert à la mise en relation : aucune information sur la santé, la situation familiale ou financière au-delà du nécessaire."
                value={values.summary ?? defaultSummary}
                errors={errors}
                rows={5}
                maxlength={SUMMARY_MAX}
              />
              <Button>Demander l’accord de la personne</Button>
            </form>
          </>
        )}
      </AdminPage>,
      status,
    );
  };

  app.get('/candidats/:id/orientations', (c) => page(c, {}, {}));

  app.post('/candidats/:id/orientations', async (c) => {
    const body = c.get('form');
    const errors: FieldErrors = {};
    if (!body.partner) errors.partner = 'Choisissez le partenaire vers qui orienter la personne';
    if (!body.summary?.trim()) errors.summary = 'Résumez le projet en quelques lignes : c’est ce que le partenaire lira';
    else if (body.summary.trim().length > SUMMARY_MAX) errors.summary = `Le résumé doit faire ${SUMMARY_MAX.toLocaleString('fr-FR')} caractères au plus`;
    if (Object.keys(errors).length) return page(c, body, errors, 422);
    try {
      await requestReferral(s, { candidateId: c.req.param('id'), partnerId: body.partner!, summary: body.summary!, agentId: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) });
    } catch (e) {
      if (e instanceof DomainError) return page(c, body, { [e.code.startsWith('summary') ? 'summary' : 'partner']: e.message }, 422);
      throw e;
    }
    return c.redirect(`/admin/candidats/${c.req.param('id')}/orientations?ok=demande`, 303);
  });

  return app;
}
