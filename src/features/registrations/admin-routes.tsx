import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import type { Site } from '../../areas/public/layout.tsx';
import { recordAudit } from '../../platform/audit/audit.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { replayProgress } from '../replay/send-replay.ts';
import { AfterRencontrePanel } from '../replay/views/replay-panel.tsx';
import { surveySummary } from '../survey/survey.ts';
import { webinarFlash } from '../webinars/admin-routes.tsx';
import { findWebinarById } from '../webinars/webinars-repository.ts';
import { cancelRegistration } from './cancel-registration.ts';
import { confirmWaitlisted } from './confirm-waitlisted.ts';
import { registerCandidate } from './register-candidate.ts';
import { allRegistrants, findRegistrants, registrantFiltersSchema, registrantSources, registrationCounts } from './registrants-query.ts';
import { registrantsCsv, registrantsXlsx } from './registrants-export.ts';
import { fieldErrors, registrationFormSchema } from './registration-schemas.ts';
import { findRegistrationById } from './registrations-repository.ts';
import { AdminConfirmActionPage, AdminManualRegistrationPage, AdminWebinarDetailPage } from './views/admin-registrant-pages.tsx';

const flash: Record<string, string> = {
  ...webinarFlash,
  inscrite: 'La personne est inscrite ; elle reçoit l’e-mail de confirmation.',
  'deja-inscrite': 'Cette personne était déjà inscrite à cette Rencontre : rien n’a changé.',
  'en-attente': 'La Rencontre est complète : la personne est sur la liste d’attente.',
  annulee: 'L’inscription est annulée ; la personne est prévenue par e-mail.',
  confirmee: 'La personne a une place ; elle est prévenue par e-mail.',
  replay: 'Le replay part vers les inscrits : suivez l’envoi ci-dessous.',
  presence: 'La présence est enregistrée.',
  'presences-demandees': 'Les présences vont être relues depuis l’outil vidéo dans un instant : rechargez la page.',
};

/** The registrants of a Rencontre: the table, registering by hand, giving a seat, cancelling, exports. */
export function registrationAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const schema = registrationFormSchema(s.territory);
  const frame = (c: Context<AdminEnv>) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token, flash: flash[c.req.query('ok') ?? ''] ?? null });
  const actor = (c: Context<AdminEnv>) => ({ type: 'agent' as const, id: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) });
  const loadWebinar = async (id: string) => {
    const w = await findWebinarById(s.db.kysely, id);
    if (!w) throw new NotFound('Rencontre introuvable');
    return w;
  };

  app.get('/rencontres/:id', async (c) => {
    const w = await loadWebinar(c.req.param('id'));
    const filters = registrantFiltersSchema.parse(c.req.query());
    const ended = s.clock.now().getTime() >= new Date(w.endsAt).getTime();
    const [{ rows, total }, counts, sources, progress, survey] = await Promise.all([
      findRegistrants(s.db.kysely, w.id, filters),
      registrationCounts(s.db.kysely, w.id),
      registrantSources(s.db.kysely, w.id),
      ended ? replayProgress(s, w.id) : null,
      ended ? surveySummary(s, w.id) : null,
    ]);
    const after = progress && survey ? <AfterRencontrePanel webinarId={w.id} replayUrl={w.replayUrl} progress={progress} survey={survey} videoTool={w.videoTool} csrf={c.get('session').csrf_token} /> : null;
    return sendPage(c, <AdminWebinarDetailPage {...frame(c)} webinar={w} filters={filters} rows={rows} total={total} counts={counts} sources={sources} now={s.clock.now()} after={after} />);
  });

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/rencontres/:id/inscrits.${format}`, async (c) => {
      const w = await loadWebinar(c.req.param('id'));
      const filters = registrantFiltersSchema.parse(c.req.query());
      const rows = await allRegistrants(s.db.kysely, w.id, filters);
      await recordAudit(s.db.kysely, s.clock.now(), actor(c), 'registrations.exported', { type: 'webinar', id: w.id }, { format, rows: rows.length, filters: Object.fromEntries(Object.entries(filters).filter(([k, v]) => v !== '' && k !== 'page')) });
      const name = `inscrits-${w.slug}.${format}`;
      c.header('Content-Disposition', `attachment; filename="${name}"`);
      if (format === 'csv') return c.body(registrantsCsv(s.territory, rows), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
      const buf = await registrantsXlsx(s.territory, rows, w.title);
      return c.body(new Uint8Array(buf), 200, { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    });
  }

  app.get('/rencontres/:id/inscrire', async (c) => {
    const w = await loadWebinar(c.req.param('id'));
    return sendPage(c, <AdminManualRegistrationPage {...frame(c)} webinar={w} values={{}} errors={{}} submissionKey={randomUUID()} />);
  });

  app.post('/rencontres/:id/inscrire', async (c) => {
    const w = await loadWebinar(c.req.param('id'));
    const body = c.get('form');
    const submissionKey = /^[A-Za-z0-9-]{16,64}$/.test(body.submission ?? '') ? body.submission! : randomUUID();
    const parsed = schema.safeParse(body);
    if (!parsed.success) return sendPage(c, <AdminManualRegistrationPage {...frame(c)} webinar={w} values={body} errors={fieldErrors(parsed.error)} submissionKey={submissionKey} />, 422);
    const r = await registerCandidate(s, { webinarId: w.id, submissionKey, form: parsed.data, source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: actor(c), createdBy: 'agent' });
    const ok = r.outcome === 'existing' ? 'deja-inscrite' : r.status === 'waitlisted' ? 'en-attente' : 'inscrite';
    return c.redirect(`/admin/rencontres/${w.id}?ok=${ok}`, 303);
  });

  const loadRegistration = async (id: string) => {
    const r = await findRegistrationById(s.db.kysely, id);
    if (!r) throw new NotFound('Inscription introuvable');
    const person = await s.db.kysely.selectFrom('candidates').select(['first_name', 'last_name']).where('id', '=', r.candidate_id).executeTakeFirstOrThrow();
    return { r, w: await loadWebinar(r.webinar_id), name: `${person.first_name} ${person.last_name}` };
  };

  app.get('/inscriptions/:rid/annuler', async (c) => {
    const { r, w, name } = await loadRegistration(c.req.param('rid'));
    if (r.status === 'cancelled') return c.redirect(`/admin/rencontres/${w.id}`, 303);
    return sendPage(
      c,
      <AdminConfirmActionPage
        {...frame(c)}
        webinar={w}
        heading={`Annuler l’inscription de ${name} ?`}
        body={`${name} recevra un e-mail lui disant que son inscription est annulée.${r.status === 'confirmed' ? ' Sa place ira à la première personne de la liste d’attente.' : ''}`}
        action={`/admin/inscriptions/${r.id}/annuler`}
        button="Oui, annuler l’inscription"
        variant="warning"
      />,
    );
  });

  app.post('/inscriptions/:rid/annuler', async (c) => {
    const { r, w } = await loadRegistration(c.req.param('rid'));
    await cancelRegistration(s, { registrationId: r.id, actor: actor(c) });
    return c.redirect(`/admin/rencontres/${w.id}?ok=annulee`, 303);
  });

  app.get('/inscriptions/:rid/confirmer', async (c) => {
    const { r, w, name } = await loadRegistration(c.req.param('rid'));
    if (r.status !== 'waitlisted') return c.redirect(`/admin/rencontres/${w.id}`, 303);
    const counts = await registrationCounts(s.db.kysely, w.id);
    const full = w.capacity !== null && counts.confirmed >= w.capacity;
    return sendPage(
      c,
      <AdminConfirmActionPage
        {...frame(c)}
        webinar={w}
        heading={`Donner une place à ${name} ?`}
        body={full ? `La Rencontre est complète (${counts.confirmed} places sur ${w.capacity}). Confirmer ajoutera une place au-delà de la capacité. ${name} sera prévenu·e par e-mail.` : `${name} passera devant les autres personnes en attente et sera prévenu·e par e-mail.`}
        action={`/admin/inscriptions/${r.id}/confirmer`}
        button={full ? 'Oui, dépasser la capacité' : 'Oui, donner une place'}
        variant="primary"
        fields={{ depassement: full ? 'oui' : 'non' }}
      />,
    );
  });

  app.post('/inscriptions/:rid/confirmer', async (c) => {
    const { r, w } = await loadRegistration(c.req.param('rid'));
    try {
      await confirmWaitlisted(s, { registrationId: r.id, allowOverCapacity: c.get('form').depassement === 'oui', actor: actor(c) });
    } catch (e) {
      // The Rencontre filled up between the question and the answer: ask again, with the new facts.
      if (e instanceof DomainError && e.code === 'full') return c.redirect(`/admin/inscriptions/${r.id}/confirmer`, 303);
      throw e;
    }
    return c.redirect(`/admin/rencontres/${w.id}?ok=confirmee`, 303);
  });

  return app;
}
