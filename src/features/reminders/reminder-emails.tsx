import { EmailButton, EmailLayout, renderEmailHtml } from '../../platform/email/email-layout.tsx';
import { formatSlot } from '../../platform/time.ts';
import { joinUrl, manageUrl, registrationCalendar, type RenderedEmail } from '../registrations/registration-emails.tsx';
import type { Territory } from '../territory/territory.ts';
import { hasJoinPath, type Webinar } from '../webinars/webinar.ts';
import { reminderLead } from './reminder-schedule.ts';

/** The reminder: when, the personal link to join, the calendar file again, how to cancel. */
export async function renderReminderEmail(c: { territory: Territory; publicUrl: string; webinar: Webinar; firstName: string; token: string; momentKey: string }): Promise<RenderedEmail> {
  const t = c.territory;
  const w = c.webinar;
  const lead = reminderLead(c.momentKey);
  const when = formatSlot(w.startsAt, w.endsAt, t.timezone);
  const join = joinUrl(c.publicUrl, c.token);
  const manage = manageUrl(c.publicUrl, c.token);
  const subject = `Rappel : la Rencontre ${t.programmeName}, ${lead}`;
  const text = [
    `Bonjour ${c.firstName},`,
    '',
    `La ${w.title} a lieu ${lead} : ${when}.`,
    '',
    hasJoinPath(w) ? `Pour la rejoindre, votre lien personnel : ${join}` : 'Le lien pour la rejoindre vous sera envoyé avant la Rencontre.',
    'Prévoyez un ordinateur ou un téléphone avec du son ; vous pouvez garder votre caméra éteinte.',
    '',
    `Vous ne pouvez plus venir ? Annulez pour libérer votre place : ${manage}`,
    'Vous recevrez le replay dans tous les cas.',
    '',
    `L’équipe ${t.programmeName}`,
  ].join('\n');
  const html = await renderEmailHtml(
    <EmailLayout brand={{ programmeName: t.programmeName, primary: t.identity.colours.primary, footer: `${t.authority.name} · ${t.contact.email} · ${c.publicUrl}` }} title={subject}>
      <p>Bonjour {c.firstName},</p>
      <p>
        La {w.title} a lieu <strong>{lead}</strong> : {when}.
      </p>
      {hasJoinPath(w) ? (
        <EmailButton href={join} colour={t.identity.colours.primary}>
          Rejoindre la Rencontre
        </EmailButton>
      ) : (
        <p>Le lien pour la rejoindre vous sera envoyé avant la Rencontre.</p>
      )}
      <p>Prévoyez un ordinateur ou un téléphone avec du son ; vous pouvez garder votre caméra éteinte.</p>
      <p>
        Vous ne pouvez plus venir ? <a href={manage}>Annulez pour libérer votre place</a>. Vous recevrez le replay dans tous les cas.
      </p>
      <p>L’équipe {t.programmeName}</p>
    </EmailLayout>,
  );
  return { subject, html, text, attachments: [registrationCalendar({ territory: t, publicUrl: c.publicUrl, webinar: w, firstName: c.firstName, token: c.token })] };
}
