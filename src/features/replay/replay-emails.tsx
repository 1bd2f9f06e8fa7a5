import { EmailButton, EmailLayout, renderEmailHtml } from '../../platform/email/email-layout.tsx';
import { formatDate, formatSlot } from '../../platform/time.ts';
import { manageUrl, type RenderedEmail } from '../registrations/registration-emails.tsx';
import type { Territory } from '../territory/territory.ts';
import type { Webinar } from '../webinars/webinar.ts';

export interface ReplayEmailContext {
  territory: Territory;
  publicUrl: string;
  webinar: Webinar;
  replayUrl: string;
  firstName: string;
  token: string;
  attended: boolean;
  /** The next Rencontre open for registration, for those who could not come. */
  next: Pick<Webinar, 'title' | 'slug' | 'startsAt' | 'endsAt'> | null;
}

export function accompanimentUrl(publicUrl: string, token: string) {
  return `${manageUrl(publicUrl, token)}/accompagnement`;
}
export function surveyUrl(publicUrl: string, token: string) {
  return `${manageUrl(publicUrl, token)}/avis`;
}

/** The replay, worded for those who came (thanks, the next step) and for those who could not (the next Rencontre). */
export async function renderReplayEmail(c: ReplayEmailContext): Promise<RenderedEmail> {
  const t = c.territory;
  const w = c.webinar;
  const colour = t.identity.colours.primary;
  const accompany = accompanimentUrl(c.publicUrl, c.token);
  const survey = surveyUrl(c.publicUrl, c.token);
  const date = formatDate(w.startsAt, t.timezone);
  const subject = c.attended ? `Merci d’être venu·e : le replay de la Rencontre du ${date}` : `Le replay de la Rencontre du ${date}`;
  const intro = c.attended
    ? `Merci d’avoir participé à la ${w.title}. Voici le replay, pour revoir ce qui vous intéresse ou le partager avec vos proches.`
    : `Vous n’avez pas pu assister à la ${w.title} : voici le replay, à regarder quand vous voulez.`;
  const nextLine = c.next ? `La prochaine Rencontre a lieu le ${formatSlot(c.next.startsAt, c.next.endsAt, t.timezone)} : ${c.publicUrl}/rencontres/${c.next.slug}` : null;
  const text = [
    `Bonjour ${c.firstName},`,
    '',
    intro,
    `Le replay : ${c.replayUrl}`,
    '',
    'Et maintenant ? Si votre projet d’installation se précise, un référent peut vous accompagner, gratuitement : emploi, emploi du conjoint, reprise d’entreprise, logement, écoles.',
    `Je veux être accompagné·e dans mon projet : ${accompany}`,
    `Ou prenez rendez-vous avec un référent, par téléphone ou en visio : ${manageUrl(c.publicUrl, c.token)}/rendez-vous`,
    '',
    ...(nextLine && !c.attended ? [nextLine, ''] : []),
    `Votre avis en deux questions : ${survey}`,
    '',
    `L’équipe ${t.programmeName}`,
  ].join('\n');
  const html = await renderEmailHtml(
    <EmailLayout brand={{ programmeName: t.programmeName, primary: colour, footer: `${t.authority.name} · ${t.contact.email} · ${c.publicUrl}` }} title={subject}>
      <p>Bonjour {c.firstName},</p>
      <p>{intro}</p>
      <EmailButton href={c.replayUrl} colour={colour}>
        Voir le replay
      </EmailButton>
      <h2 style="font-size:18px">Et maintenant ?</h2>
      <p>Si votre projet d’installation se précise, un référent peut vous accompagner, gratuitement : emploi, emploi du conjoint, reprise d’entreprise, logement, écoles.</p>
      <p>
        <a href={accompany}>
          <strong>Je veux être accompagné·e dans mon projet</strong>
        </a>
      </p>
      <p>Ou <a href={`${manageUrl(c.publicUrl, c.token)}/rendez-vous`}>prenez rendez-vous avec un référent</a>, par téléphone ou en visio.</p>
      {nextLine && !c.attended && c.next ? (
        <p>
          La prochaine Rencontre a lieu le {formatSlot(c.next.startsAt, c.next.endsAt, t.timezone)} : <a href={`${c.publicUrl}/rencontres/${c.next.slug}`}>je m’y inscris</a>.
        </p>
      ) : null}
      <p>
        <a href={survey}>Votre avis en deux questions</a> nous aide à améliorer les Rencontres.
      </p>
      <p>L’équipe {t.programmeName}</p>
    </EmailLayout>,
  );
  return { subject, html, text, attachments: [] };
}
