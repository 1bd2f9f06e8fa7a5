import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import { AdminPage } from '../../areas/admin/layout.tsx';
import type { Site } from '../../areas/public/layout.tsx';
import type { ProposalOutcome } from '../../platform/db/schema.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { formatShortDate } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button, ErrorSummary, HiddenFields, Select, type FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { canEditFile, projectTypes } from '../candidates/candidate-file.ts';
import { horizons, labelOf, projects } from '../registrations/registration.ts';
import { regionLabel } from '../territory/territory.ts';
import { offerTypeLabel, sectorLabel } from './offer.ts';
import { candidateMatchProfile, matchingOffers, NOT_YOUR_FILE_MESSAGE, proposalOutcomes, proposalsOfCandidate, proposeOffers, recordProposalOutcome } from './propose-offers.ts';
import { StatusTag } from './views/offer-views.tsx';

const MAX_SHOWN = 30;

/**
 * For one candidate, the offers that fit their project, ranked, with why; the referent proposes some
 * (an e-mail and a timeline entry) and records what came of each. /admin/candidats/:id/offres: the
 * candidate's file (another page) links here.
 */
/**
 * The ids of a proposal's outcome field: its whole id, since the start of a time-ordered id is the same
 * for every proposal of the same minute, and two fields of one page must never share an id.
 */
const proposalIdPrefix = (proposalId: string) => `p-${proposalId}`;

export function candidateOfferAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const t = s.territory;
  const frame = (c: Context<AdminEnv>) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token });

  const page = async (c: Context<AdminEnv>, errors: FieldErrors, status: 200 | 409 | 422 = 200, outcomeError?: { proposalId: string; message: string }) => {
    const id = c.req.param('id')!;
    const found = await candidateMatchProfile(s.db.kysely, id);
    if (!found) throw new NotFound('Personne introuvable');
    const [ranked, proposals] = await Promise.all([matchingOffers(s, found.profile), proposalsOfCandidate(s.db.kysely, id)]);
    const proposed = new Set(proposals.map((p) => p.offer_id));
    const shown = ranked.slice(0, MAX_SHOWN);
    const file = await s.db.kysely.selectFrom('candidates').select('referent_id').where('id', '=', id).executeTakeFirstOrThrow();
    const mayAct = canEditFile(c.get('agent'), file);
    const name = `${found.firstName} ${found.lastName}`;
    const p = found.profile;
    const ok = c.req.query('ok');
    const flash = ok === 'proposees' ? 'Les offres sont proposées : la personne les reçoit par e-mail et elles sont notées dans son dossier.' : ok === 'suite' ? 'La suite donnée est enregistrée dans le dossier.' : null;
    return sendPage(
      c,
      <AdminPage {...frame(c)} title={`Offres pour ${name}`} current="offers" wide trail={[[name, `/admin/candidats/${id}`]]} hasError={Object.keys(errors).length > 0 || Boolean(outcomeError)} flash={flash}>
        {outcomeError ? <ErrorSummary errors={{ outcome: outcomeError.message }} idPrefix={proposalIdPrefix(outcomeError.proposalId)} /> : null}
        <h1>Offres pour {name}</h1>
        <dl class="summary-list">
          <div>
            <dt>Projet</dt>
            {/* The project in words: the type the referent qualified (a key in the file), else the answer at registration. */}
            <dd>{(p.projectType ? labelOf(projectTypes, p.projectType) : null) ?? labelOf(projects, p.project) ?? 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Secteur</dt>
            <dd>{p.sector ? (sectorLabel(t.offers.sectors, p.sector) ?? p.sector) : 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Où</dt>
            <dd>{regionLabel(t, p.regionKey) ?? 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Horizon</dt>
            <dd>{labelOf(horizons, p.horizon) ?? 'Non renseigné'}</dd>
          </div>
        </dl>
        <p>
          <a href={`/admin/candidats/${id}/orientations`}>Orienter vers un partenaire</a>
        </p>
        <h2>Les offres qui correspondent</h2>
        <p>Classées selon le type de projet, le secteur, le lieu et l’horizon ; « pourquoi » dit ce qui correspond.</p>
        {!mayAct ? <p class="inset">{NOT_YOUR_FILE_MESSAGE}</p> : null}
        {shown.length === 0 ? (
          <p class="inset">Aucune offre publiée ne correspond au projet tel qu’il est renseigné. Complétez le projet dans le dossier, ou cherchez dans <a href="/admin/offres?statut=published">toutes les offres</a>.</p>
        ) : !mayAct ? (
          <ul>
            {shown.map((m) => (
              <li>
                <a href={`/offres/${m.offer.slug}`}>{m.offer.title}</a> ({offerTypeLabel(m.offer.type)}, {m.offer.commune_name}). Pourquoi : <strong>{m.reason}</strong>
              </li>
            ))}
          </ul>
        ) : (
          <form method="post" action={`/admin/candidats/${id}/offres`} novalidate>
            <ErrorSummary errors={errors} order={['offers']} />
            <HiddenFields fields={{ _csrf: c.get('session').csrf_token }} />
            <div class={`form-group${errors.offers ? ' form-group--error' : ''}`}>
              <fieldset class="fieldset" aria-describedby={errors.offers ? 'f-offers-error' : undefined}>
                <legend class="fieldset__legend">Offres à proposer à {found.firstName}</legend>
                {errors.offers ? (
                  <p id="f-offers-error" class="error-message">
                    <span class="visually-hidden">Erreur : </span>
                    {errors.offers}
                  </p>
                ) : null}
                {shown.map((m, i) => {
                  const cid = i === 0 ? 'f-offers' : `f-offers-${i + 1}`;
                  const already = proposed.has(m.offer.id);
                  return (
                    <div class="checkboxes__item">
                      <input class="checkboxes__input" type="checkbox" id={cid} name="offers" value={m.offer.id} disabled={already} aria-describedby={`${cid}-hint`} />
                      <label class="checkboxes__label" for={cid}>
                        {m.offer.title}
                      </label>
                      <div id={`${cid}-hint`} class="hint checkboxes__hint">
                        {offerTypeLabel(m.offer.type)}, {m.offer.commune_name}
                        {m.offer.partner_name ? `, ${m.offer.partner_name}` : ''}. Pourquoi : <strong>{m.reason}</strong>
                        {already ? ' (déjà proposée)' : ''} · <a href={`/offres/${m.offer.slug}`}>voir l’offre</a>
                      </div>
                    </div>
                  );
                })}
              </fieldset>
            </div>
            <Button>Proposer les offres cochées</Button>
          </form>
        )}
        <h2>Offres déjà proposées</h2>
        {proposals.length === 0 ? (
          <p>Aucune offre proposée pour l’instant.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Offres proposées et leur suite</caption>
              <thead>
                <tr>
                  <th scope="col">Offre</th>
                  <th scope="col">Proposée</th>
                  <th scope="col">Pourquoi</th>
                  <th scope="col">Suite</th>
                </tr>
              </thead>
              <tbody>
                {proposals.map((pr) => (
                  <tr>
                    <th scope="row">
                      {pr.title} <StatusTag status={pr.status} />
                    </th>
                    <td class="nowrap">
                      {formatShortDate(pr.proposed_at, t.timezone)}
                      {pr.agent_name ? <br /> : null}
                      {pr.agent_name ?? ''}
                    </td>
                    <td>{pr.reason || '–'}</td>
                    <td>
                      {!mayAct ? (
                        (proposalOutcomes.find((o) => o.value === pr.outcome)?.label ?? 'Pas encore de nouvelles')
                      ) : (
                        <form method="post" action={`/admin/candidats/${id}/offres/suite`} class="filters">
                          <HiddenFields fields={{ _csrf: c.get('session').csrf_token, proposal: pr.id }} />
                          <Select
                            name="outcome"
                            idPrefix={proposalIdPrefix(pr.id)}
                            label={<span class="visually-hidden">Suite donnée à {pr.title}</span>}
                            options={proposalOutcomes.map((o) => ({ value: o.value, label: o.label }))}
                            placeholder="Pas encore de nouvelles"
                            value={pr.outcome}
                            errors={outcomeError?.proposalId === pr.id ? { outcome: outcomeError.message } : undefined}
                          />
                          <div class="form-group">
                            <Button variant="secondary">
                              Enregistrer<span class="visually-hidden"> la suite de {pr.title}</span>
                            </Button>
                          </div>
                        </form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </AdminPage>,
      status,
    );
  };

  app.get('/candidats/:id/offres', (c) => page(c, {}));

  app.post('/candidats/:id/offres', async (c) => {
    const ids = c.get('params').getAll('offers').filter((x) => /^[0-9a-f-]{36}$/.test(x));
    if (ids.length === 0) return page(c, { offers: 'Cochez au moins une offre à proposer' }, 422);
    try {
      await proposeOffers(s, { candidateId: c.req.param('id'), offerIds: ids, agentId: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) });
    } catch (e) {
      if (e instanceof DomainError) return page(c, { offers: e.message }, 422);
      throw e;
    }
    return c.redirect(`/admin/candidats/${c.req.param('id')}/offres?ok=proposees`, 303);
  });

  app.post('/candidats/:id/offres/suite', async (c) => {
    const f = c.get('form');
    const outcome = proposalOutcomes.find((o) => o.value === f.outcome)?.value as ProposalOutcome | undefined;
    if (!outcome) return page(c, {}, 422, { proposalId: f.proposal ?? '', message: 'Choisissez la suite donnée à cette offre' });
    await recordProposalOutcome(s, { candidateId: c.req.param('id'), proposalId: f.proposal ?? '', outcome, agentId: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) });
    return c.redirect(`/admin/candidats/${c.req.param('id')}/offres?ok=suite`, 303);
  });

  return app;
}
