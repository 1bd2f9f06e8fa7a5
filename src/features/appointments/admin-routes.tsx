import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import type { Site } from '../../areas/public/layout.tsx';
import { recordAudit } from '../../platform/audit/audit.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import { DomainError, Forbidden, NotFound } from '../../platform/http/errors.ts';
import { formatSlot } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { localDayStart } from '../tasks/task.ts';
import { publishSlotsSchema, zodFieldErrors } from './appointment.ts';
import { appointmentsAwaitingOutcome, findAppointment, slotsOfAgent } from './appointments-repository.ts';
import { recordAppointmentOutcome } from './record-outcome.ts';
import { cancelAppointment } from './cancel-appointment.ts';
import { publishSlots, withdrawSlot } from './manage-slots.ts';
import { AgentSlotsPage, cancelAppointmentWording, ConfirmSlotActionPage, PublishSlotsPage } from './views/admin-appointment-pages.tsx';

const flash: Record<string, string> = {
  publies: 'Les créneaux sont publiés.',
  retire: 'Le créneau est retiré.',
  annule: 'Le rendez-vous est annulé ; la personne est prévenue par e-mail.',
  tenu: 'C’est noté : le rendez-vous a eu lieu. Il est sur la fiche de la personne.',
  manque: 'C’est noté : la personne n’est pas venue. C’est sur sa fiche, pour la rappeler.',
};

/** A referent's slots and appointments: publish, withdraw a free slot, cancel an appointment (confirmed). */
export function appointmentAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const zone = s.territory.timezone;
  const frame = (c: Context<AdminEnv>) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token, flash: flash[c.req.query('ok') ?? ''] ?? null });
  const actor = (c: Context<AdminEnv>) => ({ type: 'agent' as const, id: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) });
  const forbidden = async (c: Context<AdminEnv>, message: string): Promise<never> => {
    await recordAudit(s.db.kysely, s.clock.now(), actor(c), 'security.forbidden', null, { path: c.req.path, method: c.req.method });
    throw new Forbidden(message);
  };

  app.get('/rendez-vous', async (c) => {
    const me = c.get('agent');
    const whoId = c.req.query('agent') ?? me.id;
    if (whoId !== me.id && me.role !== 'admin') await forbidden(c, 'Seul un administrateur peut voir les rendez-vous d’un autre agent.');
    const who = whoId === me.id ? me : await s.db.kysely.selectFrom('agents').selectAll().where('id', '=', whoId).executeTakeFirst();
    if (!who) throw new NotFound('Agent introuvable');
    const [slots, awaiting] = await Promise.all([slotsOfAgent(s.db.kysely, who.id, localDayStart(s.clock.now(), zone)), appointmentsAwaitingOutcome(s.db.kysely, who.id, s.clock.now())]);
    return sendPage(c, <AgentSlotsPage {...frame(c)} slots={slots} awaiting={awaiting} zone={zone} forName={who.id === me.id ? null : who.name} />);
  });

  app.get('/rendez-vous/creneaux/nouveaux', (c) => sendPage(c, <PublishSlotsPage {...frame(c)} values={{}} errors={{}} zone={zone} />));

  app.post('/rendez-vous/creneaux/nouveaux', async (c) => {
    const body = c.get('form');
    const parsed = publishSlotsSchema.safeParse(body);
    if (!parsed.success) return sendPage(c, <PublishSlotsPage {...frame(c)} values={body} errors={zodFieldErrors(parsed.error, 'day')} zone={zone} />, 422);
    try {
      await publishSlots(s, { form: parsed.data, by: c.get('agent'), ip: actor(c).ip });
    } catch (e) {
      if (e instanceof DomainError && (e.code === 'past' || e.code === 'overlap')) return sendPage(c, <PublishSlotsPage {...frame(c)} values={body} errors={{ [e.code === 'past' ? 'day' : 'from']: e.message }} zone={zone} />, 422);
      throw e;
    }
    return c.redirect('/admin/rendez-vous?ok=publies', 303);
  });

  const ownSlot = async (c: Context<AdminEnv>) => {
    const slot = await s.db.kysely.selectFrom('appointment_slots').selectAll().where('id', '=', c.req.param('id') ?? '').executeTakeFirst();
    if (!slot) throw new NotFound('Créneau introuvable');
    const me = c.get('agent');
    if (slot.agent_id !== me.id && me.role !== 'admin') await forbidden(c, 'Ce créneau est celui d’un autre agent.');
    return slot;
  };

  app.get('/rendez-vous/creneaux/:id/retirer', async (c) => {
    const slot = await ownSlot(c);
    if (slot.status !== 'open') return c.redirect('/admin/rendez-vous', 303);
    return sendPage(
      c,
      <ConfirmSlotActionPage {...frame(c)} heading="Retirer ce créneau ?" body={`Le créneau du ${formatSlot(slot.starts_at, slot.ends_at, zone)} ne sera plus proposé aux personnes.`} action={`/admin/rendez-vous/creneaux/${slot.id}/retirer`} button="Oui, retirer le créneau" />,
    );
  });

  app.post('/rendez-vous/creneaux/:id/retirer', async (c) => {
    const slot = await ownSlot(c);
    await withdrawSlot(s, { slotId: slot.id, by: c.get('agent'), ip: actor(c).ip });
    return c.redirect('/admin/rendez-vous?ok=retire', 303);
  });

  const ownAppointment = async (c: Context<AdminEnv>) => {
    const a = await findAppointment(s.db.kysely, { id: c.req.param('id') ?? '' });
    if (!a) throw new NotFound('Rendez-vous introuvable');
    const me = c.get('agent');
    if (a.agent_id !== me.id && me.role !== 'admin') await forbidden(c, 'Ce rendez-vous est celui d’un autre agent.');
    return a;
  };

  app.get('/rendez-vous/:id/annuler', async (c) => {
    const a = await ownAppointment(c);
    if (a.status !== 'booked') return c.redirect('/admin/rendez-vous', 303);
    const w = cancelAppointmentWording(a, zone);
    return sendPage(c, <ConfirmSlotActionPage {...frame(c)} heading={w.heading} body={w.body} action={`/admin/rendez-vous/${a.id}/annuler`} button="Oui, annuler le rendez-vous" />);
  });

  app.post('/rendez-vous/:id/annuler', async (c) => {
    const a = await ownAppointment(c);
    await cancelAppointment(s, { appointmentId: a.id, by: { kind: 'agent', agent: c.get('agent') }, actor: actor(c) });
    return c.redirect('/admin/rendez-vous?ok=annule', 303);
  });

  app.post('/rendez-vous/:id/issue', async (c) => {
    const a = await ownAppointment(c);
    const issue = c.get('form').issue;
    if (issue !== 'tenu' && issue !== 'manque') throw new DomainError('outcome', 'Dites si le rendez-vous a eu lieu ou si la personne n’est pas venue.');
    await recordAppointmentOutcome(s, { appointmentId: a.id, outcome: issue === 'tenu' ? 'done' : 'missed', agent: c.get('agent'), actor: actor(c) });
    // Back to the list it was sent from: one's own, or the colleague's an admin was looking at.
    const list = a.agent_id === c.get('agent').id ? '/admin/rendez-vous?' : `/admin/rendez-vous?agent=${a.agent_id}&`;
    return c.redirect(`${list}ok=${issue}`, 303);
  });

  return app;
}
