import { EmailButton, EmailLayout, renderEmailHtml } from '../../platform/email/email-layout.tsx';
import type { RenderedEmail } from '../registrations/registration-emails.tsx';
import type { Territory } from '../territory/territory.ts';
import { atCommune } from './installation.ts';

export function followUpUrl(publicUrl: string, token: string) {
  return `${publicUrl}/suivi/${token}`;
}

/** The short e-mail to a settled household: how is it going, can we help, two minutes to answer. */
export async function renderFollowUpEmail(c: { territory: Territory; publicUrl: string; firstName: string; months: number; commune: string; token: string }): Promise<RenderedEmail> {
  const t = c.territory;
  const url = followUpUrl(c.publicUrl, c.token);
  const subject = `${c.firstName}, comment se passe votre installation ?`;
  const intro = `Cela fait ${c.months} mois que vous vous êtes installé·e ${atCommune(c.commune)}. Comment ça se passe ? Pouvons-nous vous aider, pour un emploi, le logement, l’école des enfants ou autre chose ?`;
  const text = [`Bonjour ${c.firstName},`, '', intro, '', `Deux minutes pour nous répondre : ${url}`, '', `L’équipe ${t.programmeName}`].join('\n');
  const html = await renderEmailHtml(
    <EmailLayout brand={{ programmeName: t.programmeName, primary: t.identity.colours.primary, footer: `${t.authority.name} · ${t.programmeName} · ${t.contact.email}. Vous recevez ce message parce que ${t.programmeName} vous a accompagné·e dans votre installation. Vos données : ${c.publicUrl}/donnees-personnelles` }} title={subject}>
      <p>Bonjour {c.firstName},</p>
      <p>{intro}</p>
      <EmailButton href={url} colour={t.identity.colours.primary}>
        Répondre en deux minutes
      </EmailButton>
      <p>L’équipe {t.programmeName}</p>
    </EmailLayout>,
  );
  return { subject, html, text, attachments: [] };
}
