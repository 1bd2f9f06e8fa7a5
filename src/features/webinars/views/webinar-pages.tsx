import { Pagination } from '../../../platform/views/pagination.tsx';
import type { Child } from 'hono/jsx';
import { PublicPage, type Site } from '../../../areas/public/layout.tsx';
import { formatDate, formatSlot, formatTime, zoneLabel } from '../../../platform/time.ts';
import type { FieldErrors } from '../../../platform/views/form-kit.tsx';
import { RegistrationForm, type FormValues } from '../../registrations/views/registration-form.tsx';
import { scheduleSentence, themeLabel, type Territory } from '../../territory/territory.ts';
import { registrationWindow, type Webinar } from '../webinar.ts';

export interface WebinarListItem {
  webinar: Webinar;
  seatsLeft: number | null;
}

function SeatsTag({ seatsLeft }: { seatsLeft: number | null }) {
  if (seatsLeft === null) return null;
  if (seatsLeft === 0) return <span class="tag tag--warning">Complet : liste d’attente</span>;
  if (seatsLeft <= 10) return <span class="tag tag--warning">{seatsLeft === 1 ? 'Plus qu’une place' : `Plus que ${seatsLeft} places`}</span>;
  return <span class="tag">{seatsLeft} places disponibles</span>;
}

function KindTag({ territory, webinar }: { territory: Territory; webinar: Webinar }) {
  return webinar.kind === 'thematic' ? <span class="tag">{themeLabel(territory, webinar.theme)}</span> : <span class="tag tag--grey">Rencontre généraliste</span>;
}

export function WebinarCard({ territory, item, headingLevel = 3, now }: { territory: Territory; item: WebinarListItem; headingLevel?: 2 | 3; now: Date }) {
  const w = item.webinar;
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const past = new Date(w.endsAt).getTime() <= now.getTime();
  const underway = !past && new Date(w.startsAt).getTime() <= now.getTime();
  return (
    <li class="card">
      <H>
        <a href={`/rencontres/${w.slug}`}>{w.title}</a>
      </H>
      <p class="meta">
        <time datetime={w.startsAt}>{formatSlot(w.startsAt, w.endsAt, territory.timezone)}</time>
      </p>
      <p>
        <KindTag territory={territory} webinar={w} />
        {w.status === 'cancelled' ? (
          <span class="tag tag--red">Annulée</span>
        ) : past ? (
          w.replayUrl ? <span class="tag tag--green">Replay disponible</span> : null
        ) : underway ? (
          <span class="tag tag--grey">En cours : inscriptions closes</span>
        ) : (
          <SeatsTag seatsLeft={item.seatsLeft} />
        )}
      </p>
      {w.summary ? <p>{w.summary}</p> : null}
    </li>
  );
}

export function HomePage(p: { site: Site; next: WebinarListItem | undefined; upcoming: WebinarListItem[]; now: Date }) {
  const t = p.site.territory;
  return (
    <PublicPage site={p.site} title="Accueil" current="home" description={t.tagline}>
      <div class="hero">
        <div class="container">
          <h1>Vivre et travailler {t.inName}</h1>
          <p class="lead">{t.tagline}</p>
        </div>
      </div>
      <div class="container">
        <h2>Les {t.webinarSeriesName}</h2>
        <p>
          {scheduleSentence(t)}, l’équipe {t.programmeName} présente le territoire en ligne : où il se
          trouve et comment y venir, ses régions naturelles et ses villes, la qualité de vie, les loisirs, la culture, les écoles, l’emploi
          et les entreprises à reprendre. La Rencontre se termine par la façon d’être accompagné·e par un référent, gratuitement, jusqu’à
          votre installation. Vous recevez le replay après la Rencontre, que vous ayez pu y assister ou non.
        </p>
        {p.next ? (
          <section aria-labelledby="next-title">
            <h2 id="next-title">Prochaine Rencontre</h2>
            <ul class="card-list">
              <WebinarCard territory={t} item={p.next} now={p.now} />
            </ul>
            {p.next.webinar.status === 'published' ? (
              <p>
                <a class="button button--primary" href={`/rencontres/${p.next.webinar.slug}#inscription`}>
                  Je m’inscris à la prochaine Rencontre
                </a>
              </p>
            ) : null}
          </section>
        ) : (
          <p class="inset">
            Aucune Rencontre n’est programmée pour le moment. Revenez bientôt ou écrivez-nous à <a href={`mailto:${t.contact.email}`}>{t.contact.email}</a>.
          </p>
        )}
        {p.upcoming.length > 0 ? (
          <section aria-labelledby="then-title">
            <h2 id="then-title">Les Rencontres suivantes</h2>
            <ul class="card-list">
              {p.upcoming.map((item) => (
                <WebinarCard territory={t} item={item} now={p.now} />
              ))}
            </ul>
          </section>
        ) : null}
        <p>
          <a href="/rencontres">Toutes les Rencontres, à venir et passées</a>
        </p>
        <p>Votre projet est déjà précis ? <a href="/premier-contact">Parlez-nous-en sans attendre une Rencontre</a> : un référent vous rappelle.</p>
      </div>
    </PublicPage>
  );
}

export function WebinarListPage(p: { site: Site; upcoming: WebinarListItem[]; past: WebinarListItem[]; pastPage: number; pastPages: number; now: Date }) {
  const t = p.site.territory;
  return (
    <PublicPage site={p.site} title={p.pastPage > 1 ? `Les Rencontres (page ${p.pastPage})` : 'Les Rencontres'} current="rencontres">
      <div class="container">
        <h1>Les {t.webinarSeriesName}</h1>
        <h2>À venir</h2>
        {p.upcoming.length ? (
          <ul class="card-list">
            {p.upcoming.map((item) => (
              <WebinarCard territory={t} item={item} now={p.now} />
            ))}
          </ul>
        ) : (
          <p class="inset">
            Aucune Rencontre n’est programmée pour le moment. Votre projet n’attend pas ? <a href="/premier-contact">Parlez-nous-en</a> : un référent vous rappelle.
          </p>
        )}
        <h2>Passées</h2>
        {p.past.length ? (
          <ul class="card-list">
            {p.past.map((item) => (
              <WebinarCard territory={t} item={item} now={p.now} />
            ))}
          </ul>
        ) : (
          <p class="inset">Aucune Rencontre passée.</p>
        )}
        <Pagination page={p.pastPage} pages={p.pastPages} href={(n) => `/rencontres?page=${n}`} label="Pages des Rencontres passées" />
      </div>
    </PublicPage>
  );
}

export interface WebinarPageProps {
  site: Site;
  webinar: Webinar;
  seatsLeft: number | null;
  now: Date;
  form: { values: FormValues; errors: FieldErrors; submissionKey: string; source: Record<string, string | undefined> };
  closedMessage?: string;
}

export function WebinarPage(p: WebinarPageProps) {
  const t = p.site.territory;
  const w = p.webinar;
  const window = registrationWindow(w, p.now);
  const hasErrors = Object.keys(p.form.errors).length > 0;
  const programme = w.programme.length ? w.programme.map((k) => t.programme.find((x) => x.key === k)?.label ?? k) : t.programme.map((x) => x.label);
  const past = new Date(w.endsAt).getTime() <= p.now.getTime();
  let registration: Child;
  if (window === 'open') {
    registration = (
      <>
        {p.seatsLeft === 0 ? (
          <p class="notice">
            Cette Rencontre est complète. Inscrivez-vous quand même : vous serez sur la liste d’attente et recevrez un e-mail dès qu’une
            place se libère. Vous recevrez aussi le replay.
          </p>
        ) : null}
        <RegistrationForm territory={t} action={`/rencontres/${w.slug}/inscription`} values={p.form.values} errors={p.form.errors} submissionKey={p.form.submissionKey} source={p.form.source} />
      </>
    );
  } else if (window === 'cancelled') {
    registration = <p class="notice">Cette Rencontre est annulée. Les personnes inscrites ont été prévenues par e-mail.</p>;
  } else if (past) {
    registration = w.replayUrl ? (
      <p>
        <a class="button button--primary" href={w.replayUrl} rel="noopener">
          Voir le replay de la Rencontre
        </a>
      </p>
    ) : (
      <p class="inset">Cette Rencontre est terminée. Le replay sera bientôt disponible ici.</p>
    );
  } else {
    registration = (
      <>
        <p class="notice">{p.closedMessage ?? 'Les inscriptions sont closes : la Rencontre a commencé.'}</p>
        {window === 'started' ? <p>Vous êtes inscrit·e ? Rejoignez la Rencontre avec le lien personnel reçu par e-mail lors de votre inscription.</p> : null}
      </>
    );
  }
  // Someone who lands on a Rencontre they can no longer join (an old post, a search) is shown the way to the next ones.
  const elsewhere = window !== 'open' ? (
    <p>
      <a href="/rencontres">Voir les prochaines Rencontres et s’inscrire</a>
    </p>
  ) : null;
  return (
    // Every generic edition has the same title: the date tells them apart in a tab, a bookmark or a search result.
    <PublicPage site={p.site} title={`${w.title}, ${formatDate(w.startsAt, t.timezone)}`} hasError={hasErrors} current="rencontres" description={w.summary || t.tagline}>
      <div class="container">
        <p class="meta">
          <a href="/rencontres">Les Rencontres</a>
        </p>
        <h1>{w.title}</h1>
        <div class="panel">
          <p>
            <strong>
              <time datetime={w.startsAt}>{formatDate(w.startsAt, t.timezone)}</time>
            </strong>
            <br />
            de {formatTime(w.startsAt, t.timezone)} à {formatTime(w.endsAt, t.timezone)}, {zoneLabel(t.timezone)}, en ligne
          </p>
          <p>
            {w.kind === 'thematic' ? `Rencontre thématique : ${themeLabel(t, w.theme)}` : 'Rencontre généraliste'}
            {w.status === 'cancelled' ? ' · Annulée' : ''}
            {!past && w.status === 'published' && p.seatsLeft !== null ? ` · ${p.seatsLeft === 0 ? 'complet, liste d’attente ouverte' : p.seatsLeft === 1 ? '1 place disponible' : `${p.seatsLeft} places disponibles`}` : ''}
          </p>
        </div>
        {w.summary ? <p class="lead">{w.summary}</p> : null}
        {/* The landing page of sponsored posts: on a phone the form is several screens down, past the programme. */}
        {window === 'open' ? (
          <p>
            <a class="button button--primary" href="#inscription">
              {p.seatsLeft === 0 ? 'S’inscrire sur la liste d’attente' : 'S’inscrire à la Rencontre'}
            </a>
          </p>
        ) : null}
        {w.description ? w.description.split(/\n{2,}/).map((para) => <p>{para}</p>) : null}
        <h2>Au programme</h2>
        <ul>
          {programme.map((x) => (
            <li>{x}</li>
          ))}
        </ul>
        {w.speakers.length ? (
          <>
            <h2>Intervenants</h2>
            <ul>
              {w.speakers.map((s) => (
                <li>
                  <strong>{s.name}</strong>
                  {s.role ? `, ${s.role}` : ''}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {w.partners.length ? (
          <>
            <h2>Partenaires présents</h2>
            <p>{w.partners.join(', ')}</p>
          </>
        ) : null}
        {/* An agenda entry is for a Rencontre still to come, not one over or cancelled. */}
        {!past && w.status !== 'cancelled' ? (
          <p>
            <a href={`/rencontres/${w.slug}/agenda.ics`}>Ajouter cette Rencontre à mon agenda (fichier .ics)</a>
          </p>
        ) : null}
        <h2 id="inscription">{window === 'open' ? 'Inscription' : past ? 'Replay' : 'Inscription'}</h2>
        {registration}
        {elsewhere}
      </div>
    </PublicPage>
  );
}
