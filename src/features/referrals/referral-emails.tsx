import { EmailButton, EmailLayout, renderEmailHtml } from '../../platform/email/email-layout.tsx';
import type { Territory } from '../territory/territory.ts';

const brand = (t: Territory, publicUrl: string) => ({ programmeName: t.programmeName, primary: t.identity.colours.primary, footer: `${t.authority.name} · ${publicUrl}` });

/** To the candidate: may we pass your contact and project to this partner? Nothing goes until they say yes. */
export async function renderConsentRequestEmail(c: { territory: Territory; publicUrl: string; firstName: string; referentName: string; partnerName: string; partnerRole: string; link: string }) {
  const t = c.territory;
  const subject = `Votre accord pour être mis·e en relation avec ${c.partnerName}`;
  const intro = `${c.referentName}, votre référent·e ${t.programmeName}, propose de vous mettre en relation avec ${c.partnerName} (${c.partnerRole}).`;
  const what = `Avec votre accord, ${c.partnerName} recevra seulement votre nom, votre adresse e-mail, votre téléphone et un résumé de votre projet, pour vous contacter. Rien ne lui est transmis sans votre accord, et vous pourrez le retirer à tout moment avec le même lien.`;
  const text = [`Bonjour ${c.firstName},`, '', intro, '', what, '', 'Pour donner ou refuser votre accord :', c.link, '', `${t.programmeName} – ${t.authority.name}`].join('\n');
  const html = await renderEmailHtml(
    <EmailLayout brand={brand(t, c.publicUrl)} title={subject}>
      <p>Bonjour {c.firstName},</p>
      <p>{intro}</p>
      <p>{what}</p>
      <EmailButton href={c.link} colour={t.identity.colours.primary}>
        Donner ou refuser mon accord
      </EmailButton>
    </EmailLayout>,
  );
  return { subject, html, text, attachments: [] };
}

/** To the partner's users: a person was referred to them. No personal data in the e-mail: it is behind the sign-in. */
export async function renderPartnerReferralNotice(c: { territory: Territory; publicUrl: string; name: string; partnerName: string; kind: 'new' | 'withdrawn' }) {
  const t = c.territory;
  const subject = c.kind === 'new' ? `Une personne vous est orientée par ${t.programmeName}` : `Une orientation de ${t.programmeName} a été retirée`;
  const body =
    c.kind === 'new'
      ? `Une personne qui prépare son installation ${t.inName} a accepté d’être mise en relation avec ${c.partnerName}. Ses coordonnées et le résumé de son projet sont dans votre espace partenaires.`
      : `Une personne orientée vers ${c.partnerName} a retiré son accord : ses coordonnées ne sont plus visibles dans votre espace partenaires. Merci de ne plus utiliser celles que vous auriez notées.`;
  const link = `${c.publicUrl}/partenaires/orientations`;
  const text = [`Bonjour ${c.name},`, '', body, link, '', `${t.programmeName} – ${t.authority.name}`].join('\n');
  const html = await renderEmailHtml(
    <EmailLayout brand={brand(t, c.publicUrl)} title={subject}>
      <p>Bonjour {c.name},</p>
      <p>{body}</p>
      <EmailButton href={link} colour={t.identity.colours.primary}>
        Ouvrir l’espace partenaires
      </EmailButton>
    </EmailLayout>,
  );
  return { subject, html, text, attachments: [] };
}

/** To the candidate: their answer is recorded, and the same link withdraws it. */
export async function renderConsentReceipt(c: { territory: Territory; publicUrl: string; firstName: string; partnerName: string; kind: 'given' | 'withdrawn'; link: string }) {
  const t = c.territory;
  const subject = c.kind === 'given' ? `Votre accord pour ${c.partnerName} est enregistré` : `Votre accord pour ${c.partnerName} est retiré`;
  const body =
    c.kind === 'given'
      ? `Merci. ${c.partnerName} peut désormais voir votre nom, vos coordonnées et le résumé de votre projet, et vous contacter. Vous pouvez retirer votre accord à tout moment avec ce lien :`
      : `C’est fait : ${c.partnerName} ne voit plus vos coordonnées ni votre projet. Votre référent·e continue de vous accompagner. Ce lien reste le vôtre :`;
  const text = [`Bonjour ${c.firstName},`, '', body, c.link, '', `${t.programmeName} – ${t.authority.name}`].join('\n');
  const html = await renderEmailHtml(
    <EmailLayout brand={brand(t, c.publicUrl)} title={subject}>
      <p>Bonjour {c.firstName},</p>
      <p>{body}</p>
      <p>
        <a href={c.link}>{c.link}</a>
      </p>
    </EmailLayout>,
  );
  return { subject, html, text, attachments: [] };
}
