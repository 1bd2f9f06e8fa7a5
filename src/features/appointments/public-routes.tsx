import { Hono, type Context } from 'hono';
import type { Site } from '../../areas/public/layout.tsx';
import { clientIp, formBody } from '../../platform/http/client-ip.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { loadRegistrationByToken } from '../registrations/registration-by-token.ts';
import { hashToken, looksLikeToken, registrationToken } from '../registrations/registration-token.ts';
import { BOOKING_WINDOW_DAYS, bookingSchema, MIN_NOTICE_MS, zodFieldErrors } from './appointment.ts';
import { factsOf } from './appointment-facts.ts';
import { appointmentToken } from './appointment-token.ts';
import { appointmentCalendar } from './appointment-calendar.ts';
import { findAppointment, findSlot, openSlots, upcomingAppointmentOf } from './appointments-repository.ts';
import { bookAppointment } from './book-appointment.ts';
import { cancelAppointment } from './cancel-appointment.ts';
import { AppointmentPage, CancelAppointmentPage, ChooseSlotPage, ConfirmBookingPage } from './views/appointment-pages.tsx';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';

const SLOT_ID = /^[0-9a-f-]{36}$/;

/** Booking an appointment from a registrant's private link, and the appointment's own private link. */
export function appointmentPublicRoutes(s: Services, site: Site) {
  const app = new Hono();
  const zone = s.territory.timezone;

  const chooser = async (c: Context, value: string, errors: FieldErrors, status: 200 | 409 | 422 = 200) => {
    const { token, candidate } = await loadRegistrationByToken(s, c.req.param('token') ?? '');
    const now = s.clock.now();
    const upcoming = await upcomingAppointmentOf(s.db.kysely, candidate.id, now.toISOString());
    const slots = upcoming ? [] : await openSlots(s.db.kysely, new Date(now.getTime() + MIN_NOTICE_MS).toISOString(), new Date(now.getTime() + BOOKING_WINDOW_DAYS * 86_400_000).toISOString());
    c.header('Cache-Control', 'no-store');
    return sendPage(
      c,
      <ChooseSlotPage
        site={site}
        token={token}
        firstName={candidate.first_name}
        slots={slots}
        referentId={candidate.referent_id ?? null}
        value={value}
        errors={errors}
        upcoming={upcoming ? { ...upcoming, token: appointmentToken(s.tokenKey, upcoming.id, upcoming.token_nonce) } : null}
      />,
      status,
    );
  };

  /** The slot a person chose, if it can still be booked; null otherwise. */
  const bookable = async (id: string | undefined) => {
    if (!id || !SLOT_ID.test(id)) return null;
    const slot = await findSlot(s.db.kysely, id);
    const now = s.clock.now().getTime();
    if (!slot || slot.status !== 'open' || new Date(slot.starts_at).getTime() <= now + MIN_NOTICE_MS) return null;
    return slot;
  };

  app.get('/mon-inscription/:token/rendez-vous', (c) => chooser(c, '', {}));

  app.post('/mon-inscription/:token/rendez-vous', async (c) => {
    const { token } = await loadRegistrationByToken(s, c.req.param('token'));
    const body = await formBody(c);
    if (!body.slot) return chooser(c, '', { slot: 'Choisissez un créneau' }, 422);
    if (!(await bookable(body.slot))) return chooser(c, '', { slot: 'Ce créneau vient d’être pris : choisissez-en un autre.' }, 409);
    return c.redirect(`/mon-inscription/${token}/rendez-vous/confirmer?creneau=${body.slot}`, 303);
  });

  app.get('/mon-inscription/:token/rendez-vous/confirmer', async (c) => {
    const { token, candidate } = await loadRegistrationByToken(s, c.req.param('token'));
    const slot = await bookable(c.req.query('creneau'));
    if (!slot) return chooser(c, '', { slot: 'Ce créneau vient d’être pris : choisissez-en un autre.' }, 409);
    c.header('Cache-Control', 'no-store');
    return sendPage(c, <ConfirmBookingPage site={site} token={token} slot={slot} values={{ phone: candidate.phone ?? '' }} errors={{}} />);
  });

  app.post('/mon-inscription/:token/rendez-vous/confirmer', async (c) => {
    const { token, candidate } = await loadRegistrationByToken(s, c.req.param('token'));
    const body = await formBody(c);
    const slot = body.slot && SLOT_ID.test(body.slot) ? await findSlot(s.db.kysely, body.slot) : undefined;
    if (!slot) return chooser(c, '', { slot: 'Choisissez un créneau' }, 422);
    const parsed = bookingSchema(slot.mode).safeParse(body);
    if (!parsed.success) return sendPage(c, <ConfirmBookingPage site={site} token={token} slot={slot} values={body} errors={zodFieldErrors(parsed.error, 'phone')} />, 422);
    try {
      const out = await bookAppointment(s, { candidateId: candidate.id, slotId: slot.id, form: parsed.data, actor: { type: 'candidate', id: candidate.id, ip: clientIp(c, s.config.trustProxy) } });
      return c.redirect(`/rendez-vous/${out.token}?confirme=1`, 303);
    } catch (e) {
      if (e instanceof DomainError && e.code === 'already-booked') return chooser(c, '', {}, 409);
      if (e instanceof DomainError && (e.code === 'slot-taken' || e.code === 'too-late')) return chooser(c, '', { slot: e.message }, 409);
      throw e;
    }
  });

  const loadAppointment = async (c: Context) => {
    const token = c.req.param('token') ?? '';
    if (!looksLikeToken(token)) throw new NotFound('Ce lien n’est pas valide');
    const appointment = await findAppointment(s.db.kysely, { tokenHash: hashToken(token) });
    if (!appointment) throw new NotFound('Ce lien n’est pas ou plus valide');
    c.header('Cache-Control', 'no-store');
    return { token, appointment };
  };

  app.get('/rendez-vous/:token', async (c) => {
    const { token, appointment } = await loadAppointment(c);
    let bookAgainUrl: string | null = null;
    if (appointment.status === 'cancelled') {
      const reg = await s.db.kysely.selectFrom('registrations').select(['id', 'token_nonce']).where('candidate_id', '=', appointment.candidateId).orderBy('created_at', 'desc').executeTakeFirst();
      if (reg) bookAgainUrl = `/mon-inscription/${registrationToken(s.tokenKey, reg.id, reg.token_nonce)}/rendez-vous`;
    }
    const flash = c.req.query('confirme') ? 'booked' : c.req.query('annule') ? 'cancelled' : null;
    return sendPage(c, <AppointmentPage site={site} token={token} appointment={appointment} now={s.clock.now()} flash={flash} bookAgainUrl={bookAgainUrl} />);
  });

  app.get('/rendez-vous/:token/agenda.ics', async (c) => {
    const { appointment } = await loadAppointment(c);
    const f = factsOf(s, appointment, s.clock.now());
    const file = appointmentCalendar({
      appointmentId: f.appointmentId,
      startsAt: f.startsAt,
      endsAt: f.endsAt,
      zone,
      summary: `Rendez-vous avec ${f.agentName}, ${s.territory.programmeName}`,
      description: `Votre rendez-vous : ${s.config.publicUrl}/rendez-vous/${f.token}`,
      location: f.mode === 'video' ? (f.videoUrl ?? 'En visio') : 'Par téléphone',
      url: f.mode === 'video' ? f.videoUrl : null,
      organizerName: s.territory.programmeName,
      organizerEmail: s.territory.contact.email,
      host: new URL(s.config.publicUrl).hostname,
      prodId: `//${s.territory.programmeName}//Nouvelle Vie//FR`,
      cancelled: appointment.status === 'cancelled',
      stamp: s.clock.now(),
    });
    c.header('Content-Disposition', 'attachment; filename="rendez-vous.ics"');
    return c.body(file.content, 200, { 'Content-Type': 'text/calendar; charset=utf-8' });
  });

  app.get('/rendez-vous/:token/annuler', async (c) => {
    const { token, appointment } = await loadAppointment(c);
    if (appointment.status !== 'booked' || s.clock.now().getTime() >= new Date(appointment.starts_at).getTime()) return c.redirect(`/rendez-vous/${token}`, 303);
    return sendPage(c, <CancelAppointmentPage site={site} token={token} appointment={appointment} />);
  });

  app.post('/rendez-vous/:token/annuler', async (c) => {
    const { token, appointment } = await loadAppointment(c);
    await cancelAppointment(s, { appointmentId: appointment.id, by: { kind: 'candidate' }, actor: { type: 'candidate', id: appointment.candidateId, ip: clientIp(c, s.config.trustProxy) } });
    return c.redirect(`/rendez-vous/${token}?annule=1`, 303);
  });

  return app;
}
