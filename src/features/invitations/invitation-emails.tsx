import { EmailButton, EmailLayout, renderEmailHtml } from '../../platform/email/email-layout.tsx';
import { formatSlot } from '../../platform/time.ts';
import { manageUrl, type RenderedEmail } from '../registrations/registration-emails.tsx';
import type { Territory } from '../territory/territory.ts';
import type { Webinar } from '../webinars/webinar.ts';

export function optOutUrl(publicUrl: string, token: string) {
  return `${manageUrl(publicUrl, token)}/plus-d-invitations`;
}

/** The invitation to the next Rencontre for someone who could not come to the last one. */
export async function renderNoShowInvitation(c: { territory: Territory; publicUrl: string; next: Webinar; firstName: string; token: string }): Promise<RenderedEmail & { headers: Record<string, string> }> {
  const t = c.territory;
  const when = formatSlot(c.next.startsAt, c.next.endsAt, t.timezone);
  const link = `${c.publicUrl}/rencontres/${c.next.slug}?utm_source=relance&utm_medium=email&utm_campaign=absents`;
  const optOut = optOutUrl(c.publicUrl, c.token);
  const subject = `Une nouvelle Rencontre ${t.programmeName} le ${when.split(',')[0]}`;
  const text = [
    `Bonjour ${c.firstName},`,
    '',
    `Vous n’avez pas pu assister à la dernière Rencontre. La prochaine a lieu le ${when}, en ligne : une heure pour découvrir ${t.theName} et poser vos questions à l’équipe.`,
    '',
    `Je m’inscris : ${link}`,
    '',
    `Vous ne souhaitez plus recevoir d’invitation ? ${optOut}`,
    '',
    `L’équipe ${t.programmeName}`,
  ].join('\n');
  const html = await renderEmailHtml(
    <EmailLayout brand={{ programmeName: t.programmeName, primary: t.identity.colours.primary, footer: `${t.authority.name} · ${t.contact.email}` }} title={subject}>
      <p>Bonjour {c.firstName},</p>
      <p>
        Vous n’avez pas pu assister à la dernière Rencontre. La prochaine a lieu le <strong>{when}</strong>, en ligne : une heure pour découvrir {t.theName} et poser vos questions à l’équipe.
      </p>
      <EmailButton href={link} colour={t.identity.colours.primary}>
        Je m’inscris
      </EmailButton>
      <p style="font-size:14px">
        Vous ne souhaitez plus recevoir d’invitation ? <a href={optOut}>Me désinscrire des invitations</a>
      </p>
    </EmailLayout>,
  );
  // RFC 8058: mail clients can unsubscribe in one click (POST, no cookie) from these headers.
  return { subject, html, text, attachments: [], headers: { 'List-Unsubscribe': `<${optOut}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } };
}
