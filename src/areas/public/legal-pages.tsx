import { authorityAtStart } from '../../features/territory/territory.ts';
import { KEEP_DAYS } from '../../features/contact-form/contact-form.ts';
import { Hono } from 'hono';
import { sendPage } from '../../platform/views/document.tsx';
import { PublicPage, type Site } from './layout.tsx';

const dayFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
/** A day of the configuration ("2026-11-29") as a page says it: "29 novembre 2026". */
function frenchDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(d.getTime()) ? dayFormat.format(d) : day;
}

/** Legal notice, personal-data notice and accessibility statement: all from the territory's configuration. */
export function legalRoutes(site: Site) {
  const app = new Hono();
  const t = site.territory;
  const years = Math.round(t.retention.candidateMonths / 12);

  app.get('/mentions-legales', (c) =>
    sendPage(
      c,
      <PublicPage site={site} title="Mentions légales" current="legal">
        <div class="container">
          <h1>Mentions légales</h1>
          <h2>Éditeur</h2>
          <p>
            {t.authority.name}
            <br />
            {t.authority.address}
            {t.authority.siret ? (
              <>
                <br />
                SIRET : {t.authority.siret}
              </>
            ) : null}
          </p>
          <p>Directeur ou directrice de la publication : {t.authority.publicationDirector}.</p>
          <h2>Contact</h2>
          <p>
            <a href={`mailto:${t.contact.email}`}>{t.contact.email}</a>
            {t.contact.phone ? <>, {t.contact.phone}</> : null}
            {t.contact.address ? (
              <>
                <br />
                {t.contact.address}
              </>
            ) : null}
          </p>
          <h2>Hébergement</h2>
          <p>
            {t.host.name}
            <br />
            {t.host.address}
          </p>
          <h2>Logiciel</h2>
          <p>Ce site fonctionne avec Nouvelle Vie, logiciel libre pour les politiques d’accueil des territoires. Il ne dépose aucun cookie de mesure d’audience ni de publicité.</p>
        </div>
      </PublicPage>,
    ),
  );

  app.get('/donnees-personnelles', (c) =>
    sendPage(
      c,
      <PublicPage site={site} title="Données personnelles" current="legal">
        <div class="container">
          <h1>Vos données personnelles</h1>
          <h2>Qui est responsable ?</h2>
          <p>
            Le responsable du traitement est {t.authority.the}, {t.authority.address}. Son délégué à la protection des données est joignable à{' '}
            <a href={`mailto:${t.dpo.email}`}>{t.dpo.email}</a> ou par courrier : {t.dpo.address}.
          </p>
          <h2>Pourquoi ces données ?</h2>
          <ul>
            <li>Vous inscrire aux {t.webinarSeriesName}, vous envoyer le lien pour y participer, les rappels et le replay.</li>
            <li>Vous accompagner dans votre projet d’installation si vous le demandez.</li>
            <li>Mesurer, sans vous identifier, ce que le programme apporte au territoire.</li>
            <li>Vous envoyer des nouvelles des prochaines Rencontres, seulement si vous avez coché la case prévue.</li>
          </ul>
          <p>
            Base légale : l’exécution d’une mission d’intérêt public {t.authority.of} (article 6.1.e du RGPD) ; votre consentement pour les nouvelles des prochaines Rencontres (article 6.1.a).
          </p>
          <h2>Quelles données ?</h2>
          <p>
            Vos nom, prénom, adresse e-mail, téléphone si vous le donnez, votre lieu de vie actuel, votre projet, votre foyer, votre horizon, où vous imaginez vivre, comment vous avez connu les Rencontres, votre question, la campagne d’où vous venez, votre présence aux Rencontres. Si vous remplissez le formulaire « Premier contact » ou demandez à être accompagné·e : votre métier et celui de votre conjoint·e, l’âge de vos enfants, le logement que vous cherchez, l’aide que vous souhaitez et votre message. Si vous donnez votre avis sur une Rencontre ou répondez aux suivis de votre installation : vos réponses. Nous ne demandons aucune donnée de santé : ne nous en confiez pas.
          </p>
          <h2>Qui les voit ?</h2>
          <p>L’équipe {t.programmeName} {t.authority.of}. Un partenaire (France Travail, chambre consulaire…) ne reçoit vos coordonnées que si vous avez accepté d’être mis en relation avec lui.</p>
          <h2>Combien de temps ?</h2>
          <p>{years} ans après votre dernier contact avec nous ; ensuite elles sont supprimées, et seuls des chiffres anonymes restent pour les statistiques. Le journal des e-mails envoyés est effacé plus tôt.</p>
          <h2>Vos droits</h2>
          <p>
            Vous pouvez consulter et télécharger vos données depuis le lien personnel reçu par e-mail après votre inscription. Vous pouvez aussi demander à les corriger, à en limiter l’usage ou vous opposer à leur traitement en écrivant au délégué à la protection des données. Nous répondons dans un délai d’un mois. Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la CNIL (cnil.fr).
          </p>
          <h2>Cookies</h2>
          <p>
            Le site public ne dépose aucun cookie de mesure d’audience ni de publicité. Seul le formulaire « Premier contact » dépose un cookie technique, pour que vous puissiez reprendre vos réponses là où vous les avez laissées : il est gardé {KEEP_DAYS} jours au plus et supprimé quand vous envoyez le formulaire. Aucune ressource n’est chargée depuis un autre site.
          </p>
        </div>
      </PublicPage>,
    ),
  );

  app.get('/accessibilite', (c) =>
    sendPage(
      c,
      <PublicPage site={site} title="Déclaration d’accessibilité" current="legal">
        <div class="container">
          <h1>Déclaration d’accessibilité</h1>
          <p>
            {authorityAtStart(t)} s’engage à rendre ses sites internet, intranet, extranet et progiciels accessibles, conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration s’applique au site {t.programmeName} et à son espace de gestion.
          </p>
          <h2>État de conformité</h2>
          <p>
            Ce site est <strong>{t.accessibility.status}</strong> avec le référentiel général d’amélioration de l’accessibilité (RGAA) version 4.1.2
            {t.accessibility.auditDate ? `, selon l’audit du ${frenchDay(t.accessibility.auditDate)}` : ' : aucun audit de conformité n’a encore été réalisé'}.
          </p>
          <h2>Ce qui est fait</h2>
          <p>
            Chaque page est vérifiée automatiquement à chaque évolution du logiciel (outil axe-core), et les parcours principaux sont testés au clavier seul. Les formulaires signalent les erreurs en haut de page et à côté de chaque champ. Le site fonctionne sans JavaScript.
          </p>
          <h2>Établissement de cette déclaration</h2>
          <p>Cette déclaration a été établie le {frenchDay(t.accessibility.statementDate)}.</p>
          <h2>Retour d’information et contact</h2>
          <p>
            Si vous n’arrivez pas à accéder à un contenu ou à un service, contactez-nous à <a href={`mailto:${t.contact.email}`}>{t.contact.email}</a> pour être orienté·e vers une alternative accessible ou obtenir le contenu sous une autre forme.
          </p>
          <h2>Voies de recours</h2>
          <p>
            Si vous nous avez signalé un défaut d’accessibilité qui vous empêche d’accéder à un contenu ou à un service et que vous n’avez pas obtenu de réponse satisfaisante, vous pouvez écrire au Défenseur des droits (defenseurdesdroits.fr), contacter son délégué dans votre région, ou lui écrire gratuitement, sans affranchissement : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.
          </p>
        </div>
      </PublicPage>,
    ),
  );

  return app;
}
