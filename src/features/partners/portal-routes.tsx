import { Hono, type Context } from 'hono';
import type { PartnerEnv } from '../../areas/partner/partner-env.ts';
import { PartnerPage } from '../../areas/partner/layout.tsx';
import type { Site } from '../../areas/public/layout.tsx';
import { sendPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { countOffersByStatus } from '../offers/offers-repository.ts';
import { listReferralsForPartner } from '../referrals/referrals-repository.ts';
import { regionLabel } from '../territory/territory.ts';
import { parseKeys, themeLabels } from './partner.ts';

/** The portal's home: what the organisation has on the platform, and what waits for it. */
export function partnerPortalHomeRoutes(s: Services, site: Site) {
  const app = new Hono<PartnerEnv>();
  const t = s.territory;
  app.get('/', async (c: Context<PartnerEnv>) => {
    const partner = c.get('partner');
    const [counts, referrals] = await Promise.all([countOffersByStatus(s.db.kysely, partner.id), listReferralsForPartner(s.db.kysely, partner.id)]);
    const waiting = referrals.filter((r) => !r.outcome).length;
    const regions = parseKeys(partner.regions);
    return sendPage(
      c,
      <PartnerPage site={site} user={c.get('partnerUser')} partner={partner} csrf={c.get('partnerSession').csrf_token} title="Accueil" current="home">
        <h1>{partner.name}</h1>
        <p class="lead">Bienvenue {c.get('partnerUser').name}. Cet espace vous relie à l’équipe {t.programmeName}.</p>
        <ul class="stats">
          <li>
            <strong>{counts.published}</strong> offre{counts.published > 1 ? 's' : ''} en ligne
          </li>
          <li>
            <strong>{counts.draft}</strong> brouillon{counts.draft > 1 ? 's' : ''}
          </li>
          <li>
            <strong>{referrals.length}</strong> personne{referrals.length > 1 ? 's' : ''} orientée{referrals.length > 1 ? 's' : ''}
          </li>
          <li>
            <strong>{waiting}</strong> retour{waiting > 1 ? 's' : ''} à faire
          </li>
        </ul>
        <div class="button-row">
          <a class="button button--primary" href="/partenaires/offres/nouvelle">
            Publier une offre
          </a>
          <a href="/partenaires/orientations">Voir les personnes orientées</a>
        </div>
        <h2>Votre fiche dans l’annuaire des partenaires</h2>
        <dl class="summary-list">
          <div>
            <dt>Rôle</dt>
            <dd>{partner.role}</dd>
          </div>
          <div>
            <dt>Thèmes</dt>
            <dd>{themeLabels(parseKeys(partner.themes)).join(', ')}</dd>
          </div>
          <div>
            <dt>Territoire couvert</dt>
            <dd>{regions.length ? regions.map((r) => regionLabel(t, r)).join(', ') : `Tout le territoire (${t.name})`}</dd>
          </div>
        </dl>
        <p>
          Une correction ? Écrivez à l’équipe : <a href={`mailto:${t.contact.email}`}>{t.contact.email}</a>.
        </p>
      </PartnerPage>,
    );
  });
  return app;
}
