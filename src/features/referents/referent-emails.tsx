import { EmailButton, EmailLayout, renderEmailHtml } from '../../platform/email/email-layout.tsx';
import type { RenderedEmail } from '../registrations/registration-emails.tsx';
import type { Territory } from '../territory/territory.ts';

/** The e-mail that tells an agent a household is now theirs to follow. */
export async function renderAssignedEmail(c: {
  territory: Territory;
  publicUrl: string;
  agentName: string;
  candidateId: string;
  candidateName: string;
  how: string;
  project: string | null;
  previousName?: string | null;
}): Promise<RenderedEmail> {
  const t = c.territory;
  const fileUrl = `${c.publicUrl}/admin/candidats/${c.candidateId}`;
  const subject = `Nouveau dossier à suivre : ${c.candidateName}`;
  const lines = [
    `Bonjour ${c.agentName},`,
    '',
    c.previousName ? `${c.candidateName} vous est confié·e (suivi·e jusqu’ici par ${c.previousName}).` : `La demande d’accompagnement de ${c.candidateName} vous est confiée (${c.how}).`,
    ...(c.project ? ['', `Son projet : ${c.project}`] : []),
    '',
    `Sa fiche : ${fileUrl}`,
    `Votre liste « À faire » : ${c.publicUrl}/admin/a-faire`,
  ];
  const html = await renderEmailHtml(
    <EmailLayout brand={{ programmeName: t.programmeName, primary: t.identity.colours.primary, footer: `${t.programmeName} · espace de gestion` }} title={subject}>
      {lines.slice(0, -2).map((l) => (l ? <p>{l}</p> : null))}
      <EmailButton href={fileUrl} colour={t.identity.colours.primary}>
        Ouvrir la fiche
      </EmailButton>
      <p>
        <a href={`${c.publicUrl}/admin/a-faire`}>Votre liste « À faire »</a>
      </p>
    </EmailLayout>,
  );
  return { subject, html, text: lines.join('\n'), attachments: [] };
}
