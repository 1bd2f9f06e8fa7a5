import { EmailButton, EmailLayout, renderEmailHtml, type EmailBrand } from '../../platform/email/email-layout.tsx';
import { formatSlot } from '../../platform/time.ts';
import type { RenderedEmail } from '../registrations/registration-emails.tsx';
import type { Territory } from '../territory/territory.ts';
import { appointmentCalendar } from './appointment-calendar.ts';
import type { AppointmentMode } from './appointment.ts';

/** Everything the e-mails about one appointment say, whoever they go to. */
export interface AppointmentFacts {
  territory: Territory;
  publicUrl: string;
  appointmentId: string;
  startsAt: string;
  endsAt: string;
  mode: AppointmentMode;
  videoUrl: string | null;
  phone: string | null;
  topic: string | null;
  agentName: string;
  agentEmail: string;
  candidateId: string;
  candidateName: string;
  candidateFirstName: string;
  candidateEmail: string;
  /** The private link of the appointment (the person's e-mails only). */
  token: string;
  now: Date;
}

export type AppointmentEmailKind = 'booked' | 'reminder' | 'cancelled';

export function appointmentUrl(publicUrl: string, token: string) {
  return `${publicUrl}/rendez-vous/${token}`;
}

function how(f: AppointmentFacts, forAgent: boolean): string {
  if (f.mode === 'video') return `En visio : ${f.videoUrl}`;
  return forAgent ? `Par téléphone : appelez ${f.candidateFirstName} au ${f.phone ?? 'numéro de sa fiche'}` : `Par téléphone : ${f.agentName} vous appellera au ${f.phone ?? 'numéro que vous nous avez donné'}`;
}

function calendar(f: AppointmentFacts, forAgent: boolean, cancelled: boolean) {
  const t = f.territory;
  return appointmentCalendar({
    appointmentId: f.appointmentId,
    startsAt: f.startsAt,
    endsAt: f.endsAt,
    zone: t.timezone,
    summary: forAgent ? `Rendez-vous avec ${f.candidateName}` : `Rendez-vous avec ${f.agentName}, ${t.programmeName}`,
    description: [how(f, forAgent), f.topic ? `Sujet : ${f.topic}` : '', forAgent ? `Fiche : ${f.publicUrl}/admin/candidats/${f.candidateId}` : `Votre rendez-vous : ${appointmentUrl(f.publicUrl, f.token)}`].filter(Boolean).join('\n\n'),
    location: f.mode === 'video' ? (f.videoUrl ?? 'En visio') : forAgent ? `Téléphone : ${f.phone ?? ''}` : 'Par téléphone',
    url: f.mode === 'video' ? f.videoUrl : null,
    organizerName: t.programmeName,
    organizerEmail: t.contact.email,
    host: new URL(f.publicUrl).hostname,
    prodId: `//${t.programmeName}//Nouvelle Vie//FR`,
    cancelled,
    stamp: f.now,
  });
}

/** The e-mail to the person: confirmation, reminder the day before, or cancellation (by whom). */
export async function renderCandidateAppointmentEmail(kind: AppointmentEmailKind, f: AppointmentFacts, cancelledBy: 'candidate' | 'agent' | null = null): Promise<RenderedEmail> {
  const t = f.territory;
  const when = formatSlot(f.startsAt, f.endsAt, t.timezone);
  const manage = appointmentUrl(f.publicUrl, f.token);
  const subject = { booked: `Rendez-vous confirmé avec ${f.agentName}`, reminder: `Rappel : votre rendez-vous de demain avec ${f.agentName}`, cancelled: 'Rendez-vous annulé' }[kind];
  const intro = {
    booked: `Votre rendez-vous avec ${f.agentName}, référent·e ${t.programmeName}, est confirmé.`,
    reminder: `Nous vous rappelons votre rendez-vous de demain avec ${f.agentName}, référent·e ${t.programmeName}.`,
    cancelled: cancelledBy === 'agent' ? `${f.agentName} a dû annuler votre rendez-vous. Toutes nos excuses : choisissez un autre créneau quand vous voulez.` : 'Votre rendez-vous est annulé, comme vous l’avez demandé.',
  }[kind];
  const brand: EmailBrand = { programmeName: t.programmeName, primary: t.identity.colours.primary, footer: `${t.authority.name} · ${t.programmeName} · ${t.contact.email}. Vos données : ${f.publicUrl}/donnees-personnelles` };
  const text = [
    `Bonjour ${f.candidateFirstName},`,
    '',
    intro,
    '',
    `Quand : ${when}`,
    how(f, false),
    ...(f.topic ? [`Votre message : ${f.topic}`] : []),
    '',
    kind === 'cancelled' ? `Le créneau est libéré.` : `Pour voir ou annuler ce rendez-vous : ${manage}`,
    '',
    `L’équipe ${t.programmeName}`,
  ].join('\n');
  const html = await renderEmailHtml(
    <EmailLayout brand={brand} title={subject}>
      <p>Bonjour {f.candidateFirstName},</p>
      <p>{intro}</p>
      <p>
        <strong>Quand :</strong> {when}
        <br />
        {f.mode === 'video' ? (
          <>
            <strong>En visio :</strong> <a href={f.videoUrl ?? '#'}>{f.videoUrl}</a>
          </>
        ) : (
          how(f, false)
        )}
      </p>
      {f.topic ? <p>Votre message : {f.topic}</p> : null}
      {kind === 'cancelled' ? (
        <p>Le créneau est libéré.</p>
      ) : (
        <EmailButton href={manage} colour={t.identity.colours.primary}>
          Voir ou annuler mon rendez-vous
        </EmailButton>
      )}
      <p>L’équipe {t.programmeName}</p>
    </EmailLayout>,
  );
  return { subject, html, text, attachments: kind === 'reminder' ? [] : [calendar(f, false, kind === 'cancelled')] };
}

/** The e-mail to the referent: a booking, the reminder the day before, or the person's cancellation. */
export async function renderAgentAppointmentEmail(kind: AppointmentEmailKind, f: AppointmentFacts, cancelledBy: 'candidate' | 'agent' | null = null): Promise<RenderedEmail> {
  const t = f.territory;
  const when = formatSlot(f.startsAt, f.endsAt, t.timezone);
  const file = `${f.publicUrl}/admin/candidats/${f.candidateId}`;
  const subject = { booked: `Rendez-vous réservé : ${f.candidateName}`, reminder: `Demain : rendez-vous avec ${f.candidateName}`, cancelled: `Rendez-vous annulé : ${f.candidateName}` }[kind];
  const intro = {
    booked: `${f.candidateName} a réservé un rendez-vous avec vous.`,
    reminder: `Rappel : vous avez rendez-vous demain avec ${f.candidateName}.`,
    cancelled: cancelledBy === 'candidate' ? `${f.candidateName} a annulé son rendez-vous : le créneau est de nouveau libre.` : `Le rendez-vous avec ${f.candidateName} est annulé ; la personne est prévenue et le créneau est de nouveau libre.`,
  }[kind];
  const lines = [`Bonjour ${f.agentName},`, '', intro, '', `Quand : ${when}`, how(f, true), ...(f.topic ? [`Son message : ${f.topic}`] : []), '', `Sa fiche : ${file}`, `Vos rendez-vous : ${f.publicUrl}/admin/rendez-vous`];
  const html = await renderEmailHtml(
    <EmailLayout brand={{ programmeName: t.programmeName, primary: t.identity.colours.primary, footer: `${t.programmeName} · espace de gestion` }} title={subject}>
      {lines.slice(0, -2).map((l) => (l ? <p>{l}</p> : null))}
      <EmailButton href={file} colour={t.identity.colours.primary}>
        Ouvrir la fiche
      </EmailButton>
      <p>
        <a href={`${f.publicUrl}/admin/rendez-vous`}>Vos rendez-vous</a>
      </p>
    </EmailLayout>,
  );
  return { subject, html, text: lines.join('\n'), attachments: kind === 'reminder' ? [] : [calendar(f, true, kind === 'cancelled')] };
}
