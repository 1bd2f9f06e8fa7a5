import { EmailButton, EmailLayout, renderEmailHtml } from '../../platform/email/email-layout.tsx';
import type { Territory } from '../territory/territory.ts';

/** The one-time link for a partner user to choose a password: an invitation or a new link. */
export async function renderPartnerLinkEmail(kind: 'invite' | 'reset', c: { territory: Territory; publicUrl: string; name: string; partnerName: string; link: string; validHours: number }) {
  const t = c.territory;
  const subject = kind === 'invite' ? `Votre accès à l’espace partenaires ${t.programmeName}` : `Nouveau mot de passe pour l’espace partenaires ${t.programmeName}`;
  const intro =
    kind === 'invite'
      ? `L’équipe ${t.programmeName} vous a ouvert un accès à son espace partenaires, pour ${c.partnerName} : vous pourrez y publier vos offres et recevoir les personnes qui acceptent de vous être orientées. Choisissez votre mot de passe avec ce lien :`
      : `L’équipe ${t.programmeName} vous envoie un lien pour choisir un nouveau mot de passe de l’espace partenaires (${c.partnerName}) :`;
  const after = `Ce lien ne sert qu’une fois et expire dans ${c.validHours} heures. Si vous n’attendiez pas ce message, ignorez-le et prévenez l’équipe à ${t.contact.email}.`;
  const text = [`Bonjour ${c.name},`, '', intro, c.link, '', after, '', `${t.programmeName} – ${t.authority.name}`].join('\n');
  const html = await renderEmailHtml(
    <EmailLayout brand={{ programmeName: t.programmeName, primary: t.identity.colours.primary, footer: `${t.authority.name} · ${c.publicUrl}` }} title={subject}>
      <p>Bonjour {c.name},</p>
      <p>{intro}</p>
      <EmailButton href={c.link} colour={t.identity.colours.primary}>
        Choisir mon mot de passe
      </EmailButton>
      <p style="font-size:14px">{after}</p>
    </EmailLayout>,
  );
  return { subject, html, text, attachments: [] };
}
