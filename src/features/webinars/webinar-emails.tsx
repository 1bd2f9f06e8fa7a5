import { EmailButton, EmailLayout, renderEmailHtml } from '../../platform/email/email-layout.tsx';
import { formatSlot } from '../../platform/time.ts';
import { joinUrl, manageUrl, registrationCalendar, type RenderedEmail } from '../registrations/registration-emails.tsx';
import type { Territory } from '../territory/territory.ts';
import type { Webinar } from './webinar.ts';

export interface WebinarChange {
  dateChanged: boolean;
  linkChanged: boolean;
  previousStartsAt: string;
  previousEndsAt: string;
}

/** What registrants receive when a published Rencontre moves, changes its link, or is cancelled. */
export async function renderWebinarChangeEmail(
  kind: 'updated' | 'cancelled',
  c: { territory: Territory; publicUrl: string; webinar: Webinar; firstName: string; token: string; change?: WebinarChange; sequence: number; hasSeat: boolean },
): Promise<RenderedEmail> {
  const t = c.territory;
  const w = c.webinar;
  const when = formatSlot(w.startsAt, w.endsAt, t.timezone);
  const colour = t.identity.colours.primary;
  const subject = kind === 'cancelled' ? `Rencontre annulée : ${w.title}` : c.change?.dateChanged ? `Nouvel horaire : ${w.title}` : `Nouveau lien de connexion : ${w.title}`;
  const lines: string[] = [];
  if (kind === 'cancelled') {
    lines.push(`Nous sommes désolés : la ${w.title}, prévue le ${when}, est annulée.`, 'Nous vous tiendrons au courant de la prochaine Rencontre.');
  } else {
    if (c.change?.dateChanged) lines.push(`La ${w.title} change d’horaire. Elle avait lieu le ${formatSlot(c.change.previousStartsAt, c.change.previousEndsAt, t.timezone)} ; elle aura lieu le ${when}.`);
    if (c.change?.linkChanged) lines.push('Le lien pour rejoindre la Rencontre a changé. Votre lien personnel ci-dessous mène toujours au bon endroit.');
    if (c.hasSeat) lines.push('Le fichier joint met à jour la Rencontre dans votre agenda.');
  }
  const manage = manageUrl(c.publicUrl, c.token);
  const join = joinUrl(c.publicUrl, c.token);
  const text = [
    `Bonjour ${c.firstName},`,
    '',
    ...lines,
    '',
    kind === 'updated' && c.hasSeat ? `Pour rejoindre la Rencontre : ${join}` : '',
    `Votre inscription : ${manage}`,
    '',
    `Une question ? ${t.contact.email}`,
    '',
    `L’équipe ${t.programmeName}`,
  ]
    .filter((l, i, a) => !(l === '' && a[i - 1] === ''))
    .join('\n');
  const html = await renderEmailHtml(
    <EmailLayout brand={{ programmeName: t.programmeName, primary: colour, footer: `${t.authority.name} · ${t.contact.email} · ${c.publicUrl}` }} title={subject}>
      <p>Bonjour {c.firstName},</p>
      {lines.map((l) => (
        <p>{l}</p>
      ))}
      {kind === 'updated' && c.hasSeat ? (
        <EmailButton href={join} colour={colour}>
          Rejoindre la Rencontre
        </EmailButton>
      ) : null}
      <p>
        <a href={manage}>Voir mon inscription</a>
      </p>
      <p>
        Une question ? <a href={`mailto:${t.contact.email}`}>{t.contact.email}</a>
      </p>
      <p>L’équipe {t.programmeName}</p>
    </EmailLayout>,
  );
  const ctx = { territory: t, publicUrl: c.publicUrl, webinar: w, firstName: c.firstName, token: c.token };
  const attachments = c.hasSeat ? [registrationCalendar(ctx, { cancelled: kind === 'cancelled', sequence: c.sequence })] : [];
  return { subject, html, text, attachments };
}
