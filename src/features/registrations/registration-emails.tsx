import type { Attachment } from '../../platform/email/outbox.ts';
import { EmailButton, EmailLayout, renderEmailHtml, type EmailBrand } from '../../platform/email/email-layout.tsx';
import { formatDate, formatSlot } from '../../platform/time.ts';
import type { Territory } from '../territory/territory.ts';
import { webinarCalendar } from '../webinars/webinar-calendar.ts';
import { hasJoinPath, type Webinar } from '../webinars/webinar.ts';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  attachments: Attachment[];
}

export interface RegistrationEmailContext {
  territory: Territory;
  publicUrl: string;
  webinar: Webinar;
  firstName: string;
  /** The private token of this registration (only ever in the e-mail, never stored in clear). */
  token: string;
  /** 1-based, for those on the waiting list. */
  waitlistPosition?: number;
  /** For a cancellation: only a confirmed seat had an event in the person's calendar to remove. */
  wasConfirmed?: boolean;
}

export type RegistrationEmailKind = 'confirmed' | 'waitlisted' | 'promoted' | 'cancelled';

export function manageUrl(publicUrl: string, token: string) {
  return `${publicUrl}/mon-inscription/${token}`;
}
export function joinUrl(publicUrl: string, token: string) {
  return `${publicUrl}/mon-inscription/${token}/rejoindre`;
}

function brandOf(t: Territory, publicUrl: string): EmailBrand {
  return {
    programmeName: t.programmeName,
    primary: t.identity.colours.primary,
    footer: `${t.authority.name} · ${t.programmeName} · ${t.contact.email} · ${publicUrl}. Vous recevez ce message parce que vous vous êtes inscrit·e à une Rencontre. Vos données : ${publicUrl}/donnees-personnelles`,
  };
}

/** The calendar file that goes with a confirmation: the personal join link as the event's location. */
export function registrationCalendar(c: RegistrationEmailContext, opts: { cancelled?: boolean; sequence?: number } = {}): Attachment {
  const host = new URL(c.publicUrl).hostname;
  return {
    filename: 'rencontre.ics',
    contentType: opts.cancelled ? 'text/calendar; charset=utf-8; method=CANCEL' : 'text/calendar; charset=utf-8; method=PUBLISH',
    content: webinarCalendar(c.webinar, {
      zone: c.territory.timezone,
      uid: `webinar-${c.webinar.id}@${host}`,
      sequence: opts.sequence ?? c.webinar.calendarSequence,
      organizerName: c.territory.programmeName,
      organizerEmail: c.territory.contact.email,
      joinUrl: joinUrl(c.publicUrl, c.token),
      pageUrl: `${c.publicUrl}/rencontres/${c.webinar.slug}`,
      cancelled: opts.cancelled,
      prodId: `//${c.territory.programmeName}//Nouvelle Vie//FR`,
    }),
  };
}

/** Subject, HTML and text of each e-mail about one registration. */
export async function renderRegistrationEmail(kind: RegistrationEmailKind, c: RegistrationEmailContext): Promise<RenderedEmail> {
  const t = c.territory;
  const w = c.webinar;
  const when = formatSlot(w.startsAt, w.endsAt, t.timezone);
  const manage = manageUrl(c.publicUrl, c.token);
  const join = joinUrl(c.publicUrl, c.token);
  const colour = t.identity.colours.primary;

  // The day in the subject: every generic edition has the same title, and someone registered to two
  // must tell their e-mails apart in the inbox.
  const which = `${w.title}, ${formatDate(w.startsAt, t.timezone)}`;
  const subjects: Record<RegistrationEmailKind, string> = {
    confirmed: `Inscription confirmée : ${which}`,
    waitlisted: `Liste d’attente : ${which}`,
    promoted: `Une place s’est libérée : ${which}`,
    cancelled: `Inscription annulée : ${which}`,
  };
  const intro: Record<RegistrationEmailKind, string> = {
    confirmed: `Votre inscription à la ${w.title} est confirmée.`,
    waitlisted: `La ${w.title} est complète : vous êtes sur la liste d’attente${c.waitlistPosition ? `, en position ${c.waitlistPosition}` : ''}. Nous vous écrirons dès qu’une place se libère.`,
    promoted: `Bonne nouvelle : une place s’est libérée et votre inscription à la ${w.title} est maintenant confirmée.`,
    // Someone on the waiting list had no seat to free.
    cancelled: c.wasConfirmed === false ? `Votre inscription à la ${w.title} est annulée : vous n’êtes plus sur la liste d’attente.` : `Votre inscription à la ${w.title} est annulée. Votre place a été libérée pour une autre personne.`,
  };
  const hasSeat = kind === 'confirmed' || kind === 'promoted';
  // What the pages promise (the receipt, the waiting list, the cancellation), the e-mail says too: everyone registered gets the replay.
  const after: Record<RegistrationEmailKind, string> = {
    confirmed: 'Vous recevrez un rappel avant la Rencontre, puis le replay, que vous ayez pu y assister ou non.',
    promoted: 'Vous recevrez un rappel avant la Rencontre, puis le replay, que vous ayez pu y assister ou non.',
    waitlisted: 'Quoi qu’il arrive, vous recevrez le replay après la Rencontre.',
    cancelled: 'Vous recevrez quand même le replay après la Rencontre.',
  };
  const joinLine = hasJoinPath(w)
    ? `Pour rejoindre la Rencontre le jour venu, utilisez ce lien personnel : ${join}`
    : `Le lien pour rejoindre la Rencontre vous sera envoyé avant la Rencontre ; il sera aussi sur votre page personnelle.`;

  const text = [
    `Bonjour ${c.firstName},`,
    '',
    intro[kind],
    '',
    `Quand : ${when}`,
    hasSeat ? joinLine : '',
    hasSeat ? 'Le fichier joint ajoute la Rencontre à votre agenda.' : '',
    '',
    after[kind],
    '',
    kind === 'cancelled'
      ? `Vous pouvez vous réinscrire à tout moment depuis ${c.publicUrl}/rencontres/${w.slug}`
      : `Pour consulter ou annuler votre inscription, ou voir vos données : ${manage}`,
    '',
    `Une question ? Écrivez-nous à ${t.contact.email}${t.contact.phone ? ` ou appelez le ${t.contact.phone}` : ''}.`,
    '',
    `L’équipe ${t.programmeName}`,
    `${t.authority.name}`,
  ]
    .filter((l, i, a) => !(l === '' && a[i - 1] === ''))
    .join('\n');

  const html = await renderEmailHtml(
    <EmailLayout brand={brandOf(t, c.publicUrl)} title={subjects[kind]}>
      <p>Bonjour {c.firstName},</p>
      <p>{intro[kind]}</p>
      <p>
        <strong>Quand :</strong> {when}
      </p>
      {hasSeat ? (
        hasJoinPath(w) ? (
          <>
            <EmailButton href={join} colour={colour}>
              Rejoindre la Rencontre
            </EmailButton>
            <p style="font-size:14px">Ce lien est personnel ; le fichier joint ajoute la Rencontre à votre agenda.</p>
          </>
        ) : (
          <p>Le lien pour rejoindre la Rencontre vous sera envoyé avant la Rencontre ; le fichier joint l’ajoute à votre agenda.</p>
        )
      ) : null}
      <p>{after[kind]}</p>
      {kind === 'cancelled' ? (
        <p>
          Vous pouvez vous réinscrire à tout moment depuis <a href={`${c.publicUrl}/rencontres/${w.slug}`}>la page de la Rencontre</a>.
        </p>
      ) : (
        <p>
          <a href={manage}>Consulter ou annuler mon inscription, voir mes données</a>
        </p>
      )}
      <p>
        Une question ? Écrivez-nous à <a href={`mailto:${t.contact.email}`}>{t.contact.email}</a>
        {t.contact.phone ? ` ou appelez le ${t.contact.phone}` : ''}.
      </p>
      <p>L’équipe {t.programmeName}</p>
    </EmailLayout>,
  );

  const attachments = hasSeat ? [registrationCalendar(c)] : kind === 'cancelled' && c.wasConfirmed ? [registrationCalendar(c, { cancelled: true, sequence: c.webinar.calendarSequence + 1 })] : [];
  return { subject: subjects[kind], html, text, attachments };
}
