import { EmailButton, EmailLayout, renderEmailHtml } from '../../platform/email/email-layout.tsx';
import type { Territory } from '../territory/territory.ts';

/** The one-time link to set a password: an invitation or a reset. */
export async function renderAgentLinkEmail(kind: 'invite' | 'reset', c: { territory: Territory; publicUrl: string; name: string; link: string; invitedBy?: string; validHours: number }) {
  const t = c.territory;
  const subject = kind === 'invite' ? `Votre accès à l’espace de gestion ${t.programmeName}` : `Nouveau mot de passe pour l’espace de gestion ${t.programmeName}`;
  const intro =
    kind === 'invite'
      ? `${c.invitedBy ?? 'Un administrateur'} vous a ouvert un accès à l’espace de gestion ${t.programmeName}. Choisissez votre mot de passe avec ce lien :`
      : `Un administrateur a demandé un nouveau mot de passe pour votre accès à l’espace de gestion ${t.programmeName}. Choisissez-le avec ce lien :`;
  const text = [
    `Bonjour ${c.name},`,
    '',
    intro,
    c.link,
    '',
    `Ce lien ne sert qu’une fois et expire dans ${c.validHours} heures. Si vous n’attendiez pas ce message, ignorez-le et prévenez l’équipe.`,
    '',
    `${t.programmeName} – ${t.authority.name}`,
  ].join('\n');
  const html = await renderEmailHtml(
    <EmailLayout brand={{ programmeName: t.programmeName, primary: t.identity.colours.primary, footer: `${t.authority.name} · ${c.publicUrl}` }} title={subject}>
      <p>Bonjour {c.name},</p>
      <p>{intro}</p>
      <EmailButton href={c.link} colour={t.identity.colours.primary}>
        Choisir mon mot de passe
      </EmailButton>
      <p style="font-size:14px">
        Ce lien ne sert qu’une fois et expire dans {c.validHours} heures. Si vous n’attendiez pas ce message, ignorez-le et prévenez l’équipe.
      </p>
    </EmailLayout>,
  );
  return { subject, html, text, attachments: [] };
}
