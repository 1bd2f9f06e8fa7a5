import { EmailButton, EmailLayout, renderEmailHtml } from '../../platform/email/email-layout.tsx';
import type { Territory } from '../territory/territory.ts';

const brand = (t: Territory, publicUrl: string) => ({ programmeName: t.programmeName, primary: t.identity.colours.primary, footer: `${t.authority.name} · ${publicUrl}` });

/** To an offer's owner: is it still current? One click on the link, one button on the page. */
export async function renderOfferConfirmEmail(c: { territory: Territory; publicUrl: string; name: string | null; title: string; link: string; weeks: number; days: number }) {
  const t = c.territory;
  const subject = `Votre offre « ${c.title} » est-elle toujours d’actualité ?`;
  const intro = `Votre offre « ${c.title} » est en ligne sur ${t.programmeName} depuis ${c.weeks} semaines sans nouvelle confirmation. Pour que les personnes qui préparent leur installation ne voient que des offres à jour, dites-nous si elle l’est toujours :`;
  const after = `Sans réponse d’ici ${c.days} jours, elle sera retirée du site (vous pourrez la republier). Si elle est pourvue, la même page permet de l’indiquer.`;
  const text = [`Bonjour${c.name ? ` ${c.name}` : ''},`, '', intro, c.link, '', after, '', `${t.programmeName} – ${t.authority.name}`].join('\n');
  const html = await renderEmailHtml(
    <EmailLayout brand={brand(t, c.publicUrl)} title={subject}>
      <p>Bonjour{c.name ? ` ${c.name}` : ''},</p>
      <p>{intro}</p>
      <EmailButton href={c.link} colour={t.identity.colours.primary}>
        Confirmer ou mettre à jour mon offre
      </EmailButton>
      <p>{after}</p>
    </EmailLayout>,
  );
  return { subject, html, text, attachments: [] };
}

/** To an offer's owner: it left the public pages, unconfirmed or past its date. */
export async function renderOfferExpiredEmail(c: { territory: Territory; publicUrl: string; name: string | null; title: string; reason: 'unconfirmed' | 'past'; manageUrl: string }) {
  const t = c.territory;
  const subject = `Votre offre « ${c.title} » n’est plus en ligne`;
  const why = c.reason === 'past' ? 'Sa date de fin de validité est passée.' : 'Elle n’a pas été confirmée après notre demande.';
  const text = [`Bonjour${c.name ? ` ${c.name}` : ''},`, '', `Votre offre « ${c.title} » a été retirée du site ${t.programmeName}. ${why}`, `Si elle est toujours d’actualité, vous pouvez la republier : ${c.manageUrl}`, '', `${t.programmeName} – ${t.authority.name}`].join('\n');
  const html = await renderEmailHtml(
    <EmailLayout brand={brand(t, c.publicUrl)} title={subject}>
      <p>Bonjour{c.name ? ` ${c.name}` : ''},</p>
      <p>
        Votre offre « {c.title} » a été retirée du site {t.programmeName}. {why}
      </p>
      <p>
        Si elle est toujours d’actualité, vous pouvez la republier : <a href={c.manageUrl}>{c.manageUrl}</a>
      </p>
    </EmailLayout>,
  );
  return { subject, html, text, attachments: [] };
}

export interface ProposedOfferLine {
  title: string;
  url: string;
  typeLabel: string;
  commune: string;
  reason: string;
}

/** To a candidate: the offers their referent thinks fit their project. */
export async function renderOfferProposalEmail(c: { territory: Territory; publicUrl: string; firstName: string; referentName: string; offers: ProposedOfferLine[] }) {
  const t = c.territory;
  const subject = c.offers.length === 1 ? `Une offre pour votre projet : ${c.offers[0]!.title}` : `${c.offers.length} offres pour votre projet ${t.inName}`;
  const intro = `${c.referentName}, votre référent·e ${t.programmeName}, a sélectionné ${c.offers.length === 1 ? 'cette offre' : 'ces offres'} pour votre projet :`;
  const text = [
    `Bonjour ${c.firstName},`,
    '',
    intro,
    '',
    ...c.offers.flatMap((o) => [`- ${o.title} (${o.typeLabel}, ${o.commune})`, `  Pourquoi : ${o.reason}`, `  ${o.url}`]),
    '',
    'Dites-nous ce que vous en pensez en répondant à ce message : nous notons ce qui vous intéresse pour la suite de votre accompagnement.',
    '',
    `${t.programmeName} – ${t.authority.name}`,
  ].join('\n');
  const html = await renderEmailHtml(
    <EmailLayout brand={brand(t, c.publicUrl)} title={subject}>
      <p>Bonjour {c.firstName},</p>
      <p>{intro}</p>
      <ul>
        {c.offers.map((o) => (
          <li style="margin-bottom:12px">
            <a href={o.url}>{o.title}</a> ({o.typeLabel}, {o.commune})
            <br />
            <span style="font-size:14px">Pourquoi : {o.reason}</span>
          </li>
        ))}
      </ul>
      <p>Dites-nous ce que vous en pensez en répondant à ce message : nous notons ce qui vous intéresse pour la suite de votre accompagnement.</p>
    </EmailLayout>,
  );
  return { subject, html, text, attachments: [] };
}
