import { PublicPage, type Site } from '../../../areas/public/layout.tsx';
import type { CandidateRow, RegistrationRow } from '../../../platform/db/schema.ts';
import { formatDate, formatSlot, formatTime, zoneLabel } from '../../../platform/time.ts';
import { regionLabel } from '../../territory/territory.ts';
import { hasJoinPath, type Webinar } from '../../webinars/webinar.ts';
import { households, horizons, labelOf, maskEmail, projects, statusLabels } from '../registration.ts';

export function ReceiptPage(p: { site: Site; webinar: Webinar; status: RegistrationRow['status']; outcome: 'created' | 'existing'; email: string; waitlistPosition: number | null }) {
  const t = p.site.territory;
  const w = p.webinar;
  const masked = maskEmail(p.email);
  const title = p.outcome === 'existing' ? 'Vous êtes déjà inscrit·e' : p.status === 'waitlisted' ? 'Vous êtes sur la liste d’attente' : 'Inscription confirmée';
  return (
    <PublicPage site={p.site} title={title} current="rencontres" noindex>
      <div class="container">
        {/* A waiting list is not a seat: it must not look like the green confirmation. */}
        <div class={p.status === 'waitlisted' ? 'panel panel--waiting' : 'panel'} role="status">
          <h1>{title}</h1>
          <p>
            {w.title}
            <br />
            {formatSlot(w.startsAt, w.endsAt, t.timezone)}
          </p>
        </div>
        {p.outcome === 'existing' ? (
          <>
            <p>
              Cette adresse ({masked}) est déjà inscrite à cette Rencontre
              {p.status === 'waitlisted' ? ', sur la liste d’attente' : ''}. Nous vous avons envoyé le lien pour la rejoindre et votre lien
              personnel lors de votre inscription : cherchez un message de {t.programmeName} dans votre boîte de réception ou vos indésirables.
            </p>
            <p>
              Vous ne le trouvez pas ? Écrivez-nous à <a href={`mailto:${t.contact.email}`}>{t.contact.email}</a>.
            </p>
          </>
        ) : p.status === 'waitlisted' ? (
          <>
            <p>
              La Rencontre est complète. Vous êtes sur la liste d’attente{p.waitlistPosition ? `, en position ${p.waitlistPosition}` : ''}.
              Dès qu’une place se libère, elle vous est attribuée et nous vous prévenons par e-mail à {masked}.
            </p>
            <p>Quoi qu’il arrive, vous recevrez le replay après la Rencontre.</p>
          </>
        ) : (
          <>
            <p>Nous venons de vous envoyer un e-mail à {masked} avec :</p>
            <ul>
              <li>le lien personnel pour rejoindre la Rencontre le jour venu ;</li>
              <li>un fichier pour l’ajouter à votre agenda ;</li>
              <li>le lien pour consulter ou annuler votre inscription.</li>
            </ul>
            <p>Vous recevrez un rappel avant la Rencontre, puis le replay.</p>
          </>
        )}
        <p>Vous ne recevez rien d’ici quelques minutes ? Regardez dans vos courriers indésirables.</p>
        <p>
          <a href={`/rencontres/${w.slug}/agenda.ics`}>Ajouter la Rencontre à mon agenda (fichier .ics)</a>
        </p>
        <p>
          <a href="/rencontres">Voir les autres Rencontres</a>
        </p>
      </div>
    </PublicPage>
  );
}

export interface ManageView {
  site: Site;
  token: string;
  webinar: Webinar;
  registration: RegistrationRow;
  candidate: CandidateRow;
  now: Date;
  waitlistPosition: number | null;
  flash?: 'cancelled' | 'news-on' | 'news-off';
}

export function ManagePage(p: ManageView) {
  const t = p.site.territory;
  const w = p.webinar;
  const r = p.registration;
  const c = p.candidate;
  const started = p.now.getTime() >= new Date(w.startsAt).getTime();
  const ended = p.now.getTime() >= new Date(w.endsAt).getTime();
  const canCancel = r.status !== 'cancelled' && !started;
  return (
    <PublicPage site={p.site} title="Mon inscription" current="none" noindex>
      <div class="container">
        {p.flash === 'cancelled' ? (
          <div class="notice" role="status">
            <p>
              <strong>Votre inscription est annulée.</strong> Un e-mail de confirmation vous a été envoyé.
            </p>
          </div>
        ) : null}
        <h1>Mon inscription</h1>
        <p class="lead">
          Bonjour {c.first_name}, voici votre inscription à la {w.title}.
        </p>
        <dl class="summary-list">
          <div>
            <dt>Rencontre</dt>
            <dd>
              <a href={`/rencontres/${w.slug}`}>{w.title}</a>
            </dd>
          </div>
          <div>
            <dt>Date</dt>
            <dd>
              {formatDate(w.startsAt, t.timezone)}, de {formatTime(w.startsAt, t.timezone)} à {formatTime(w.endsAt, t.timezone)} ({zoneLabel(t.timezone)})
            </dd>
          </div>
          <div>
            <dt>Statut</dt>
            <dd>
              {w.status === 'cancelled' ? 'La Rencontre est annulée' : statusLabels[r.status]}
              {r.status === 'waitlisted' && p.waitlistPosition ? `, position ${p.waitlistPosition}` : ''}
            </dd>
          </div>
        </dl>
        {r.status === 'confirmed' && w.status === 'published' && !ended ? (
          hasJoinPath(w) ? (
            <p>
              <a class="button button--primary" href={`/mon-inscription/${p.token}/rejoindre`}>
                Rejoindre la Rencontre
              </a>
            </p>
          ) : (
            <p class="inset">Le lien pour rejoindre la Rencontre sera ici et dans un e-mail avant la Rencontre.</p>
          )
        ) : null}
        {ended && w.replayUrl ? (
          <p>
            <a class="button button--primary" href={w.replayUrl} rel="noopener">
              Voir le replay
            </a>
          </p>
        ) : null}
        <section class="card card--accent" aria-labelledby="next-step-title">
          <h2 id="next-step-title">Et maintenant ?</h2>
          <p>Si votre projet d’installation se précise, un référent peut vous accompagner, gratuitement : emploi, emploi du conjoint, reprise d’entreprise, logement, écoles.</p>
          <p>
            <a class="button button--primary" href={`/mon-inscription/${p.token}/accompagnement`}>
              Je veux être accompagné·e dans mon projet
            </a>
          </p>
          <p><a href={`/mon-inscription/${p.token}/rendez-vous`}>Prendre rendez-vous avec un référent, par téléphone ou en visio</a></p>
          {ended ? (
            <p>
              <a href={`/mon-inscription/${p.token}/avis`}>Donner mon avis sur la Rencontre en deux questions</a>
            </p>
          ) : null}
        </section>
        <section aria-labelledby="offers-title">
          <h2 id="offers-title">Des offres pour votre projet</h2>
          <p>Emplois, entreprises à reprendre, locaux, logements : les offres publiées qui correspondent à votre projet et à la région où vous imaginez vivre.</p>
          <p>
            <a href={`/mon-inscription/${p.token}/offres`}>Voir les offres pour mon projet</a>
          </p>
        </section>
        {r.status !== 'cancelled' && !ended ? (
          <p>
            <a href={r.status === 'confirmed' ? `/mon-inscription/${p.token}/agenda.ics` : `/rencontres/${w.slug}/agenda.ics`}>Ajouter la Rencontre à mon agenda (fichier .ics)</a>
          </p>
        ) : null}
        {canCancel ? (
          <>
            <h2>Annuler mon inscription</h2>
            {r.status === 'waitlisted' ? (
              <p>Si vous ne souhaitez plus venir, annulez : vous sortirez de la liste d’attente. Vous recevrez quand même le replay.</p>
            ) : (
              <p>Si vous ne pouvez pas venir, annulez : votre place ira à une personne de la liste d’attente. Vous recevrez quand même le replay.</p>
            )}
            {/* A link, not a form: cancelling cannot be undone, so it goes through the confirmation page. */}
            <p>
              <a class="button button--warning" href={`/mon-inscription/${p.token}/annuler`}>
                Annuler mon inscription
              </a>
            </p>
          </>
        ) : null}
        {r.status === 'cancelled' && !started && w.status === 'published' ? (
          <p>
            Vous avez changé d’avis ? <a href={`/rencontres/${w.slug}#inscription`}>Réinscrivez-vous depuis la page de la Rencontre</a>.
          </p>
        ) : null}
        <h2>Mes données</h2>
        <p>Voici ce que l’équipe {t.programmeName} sait de vous.</p>
        <dl class="summary-list">
          <div>
            <dt>Nom</dt>
            <dd>
              {c.first_name} {c.last_name}
            </dd>
          </div>
          <div>
            <dt>E-mail</dt>
            <dd>{c.email}</dd>
          </div>
          <div>
            <dt>Téléphone</dt>
            <dd>{c.phone ?? 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Lieu de vie actuel</dt>
            <dd>{[c.postcode, c.town, c.country].filter(Boolean).join(' ') || 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Projet</dt>
            <dd>{labelOf(projects, c.project) ?? 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Foyer</dt>
            <dd>{labelOf(households, c.household) ?? 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Horizon</dt>
            <dd>{labelOf(horizons, c.horizon) ?? 'Non renseigné'}</dd>
          </div>
          <div>
            <dt>Où vous imaginez vivre</dt>
            <dd>{regionLabel(t, c.desired_region) ?? 'Non renseigné'}</dd>
          </div>
          <div id="nouvelles">
            <dt>Nouvelles des Rencontres</dt>
            <dd>
              {/* The form promises that one can stop them at any time: one button does it, another asks for them again.
                  The page comes back to this line after a click, so the confirmation is said here. */}
              {p.flash === 'news-on' || p.flash === 'news-off' ? (
                <p role="status">
                  <strong>{p.flash === 'news-on' ? 'C’est noté : vous recevrez les nouvelles des prochaines Rencontres.' : 'C’est noté : vous ne recevrez plus les nouvelles des Rencontres.'}</strong>
                </p>
              ) : null}
              <form method="post" action={`/mon-inscription/${p.token}/nouvelles`} class="inline-form">
                {c.news_opt_in ? 'Oui, vous les recevez.' : 'Non, vous ne les recevez pas.'}{' '}
                <input type="hidden" name="recevoir" value={c.news_opt_in ? 'non' : 'oui'} />
                <button type="submit" class="link-button">
                  {c.news_opt_in ? 'Ne plus les recevoir' : 'Les recevoir'}
                </button>
              </form>
            </dd>
          </div>
        </dl>
        <p>
          <a href={`/mon-inscription/${p.token}/mes-donnees.json`} download="mes-donnees.json">
            Télécharger toutes mes données (fichier JSON)
          </a>
        </p>
        <p>
          Pour corriger vos données ou vous opposer à leur utilisation, écrivez au délégué à la protection des données :{' '}
          <a href={`mailto:${t.dpo.email}`}>{t.dpo.email}</a>.
        </p>
      </div>
    </PublicPage>
  );
}

export function JoinNotReadyPage(p: { site: Site; webinar: Webinar; reason: 'no-link' | 'cancelled' | 'not-confirmed' | 'ended'; token: string }) {
  const t = p.site.territory;
  const messages = {
    'no-link': 'Le lien pour rejoindre la Rencontre n’est pas encore disponible. Il vous sera envoyé par e-mail avant la Rencontre.',
    cancelled: 'Cette inscription ou cette Rencontre est annulée : le lien n’est plus actif.',
    'not-confirmed': 'Vous êtes sur la liste d’attente : le lien sera actif dès qu’une place vous sera attribuée. Nous vous préviendrons par e-mail.',
    ended: 'Cette Rencontre est terminée. Vous recevrez le replay par e-mail.',
  } as const;
  return (
    <PublicPage site={p.site} title="Rejoindre la Rencontre" current="none" noindex>
      <div class="container">
        <h1>Rejoindre la {p.webinar.title}</h1>
        {p.reason === 'ended' && p.webinar.replayUrl ? (
          <>
            {/* Late on the join link (the reminder, the calendar entry): the replay is right here, no need to wait for an e-mail. */}
            <p class="notice">Cette Rencontre est terminée. Vous pouvez déjà en voir le replay.</p>
            <p>
              <a class="button button--primary" href={p.webinar.replayUrl} rel="noopener">
                Voir le replay
              </a>
            </p>
          </>
        ) : (
          <p class="notice">{messages[p.reason]}</p>
        )}
        <p>
          <a href={`/mon-inscription/${p.token}`}>Retour à mon inscription</a>
        </p>
        <p>
          Une question ? <a href={`mailto:${t.contact.email}`}>{t.contact.email}</a>
        </p>
      </div>
    </PublicPage>
  );
}
