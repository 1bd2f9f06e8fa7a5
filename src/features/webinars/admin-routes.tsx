import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import type { Site } from '../../areas/public/layout.tsx';
import { clientIp } from '../../platform/http/client-ip.ts';
import { NotFound } from '../../platform/http/errors.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { createWebinar, updateWebinar } from './save-webinar.ts';
import { webinarFromRow } from './webinar.ts';
import { proposeNextEditions } from './webinar-schedule.ts';
import { webinarFieldErrors, webinarFormSchema, type WebinarForm } from './webinar-schemas.ts';
import { findWebinarById } from './webinars-repository.ts';
import { AdminCancelWebinarPage, AdminPlanPage, AdminWebinarFormPage, AdminWebinarListPage, webinarFormValues, type WebinarListView, type WebinarRowView } from './views/admin-webinar-pages.tsx';

const PAGE_SIZE = 25;

export const webinarFlash: Record<string, string> = {
  cree: 'La Rencontre est enregistrée.',
  modifiee: 'Les modifications sont enregistrées.',
  brouillons: 'Les brouillons sont créés : complétez-les puis publiez-les.',
};

/** Planning the Rencontres: list, create, edit, propose the next dates on the territory's rule. */
export function webinarAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const videoTools = ['link' as const, ...(Object.keys(s.video) as Array<'zoom' | 'bbb'>)];
  const schema = webinarFormSchema(s.territory, videoTools);
  const frame = (c: Context<AdminEnv>) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token, flash: webinarFlash[c.req.query('ok') ?? ''] ?? null });
  const actor = (c: Context<AdminEnv>) => ({ type: 'agent' as const, id: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) });

  app.get('/rencontres', async (c) => {
    const view = (['a-venir', 'passees', 'brouillons'] as const).find((v) => v === c.req.query('vue')) ?? 'a-venir';
    const page = Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1);
    const nowIso = s.clock.now().toISOString();
    const db = s.db.kysely;
    const scope = (v: WebinarListView) => {
      const q = db.selectFrom('webinars');
      if (v === 'brouillons') return q.where('status', '=', 'draft');
      if (v === 'passees') return q.where('status', '!=', 'draft').where('ends_at', '<=', nowIso);
      return q.where('status', '!=', 'draft').where('ends_at', '>', nowIso);
    };
    const [rows, ...counts] = await Promise.all([
      scope(view)
        .selectAll()
        .orderBy('starts_at', view === 'passees' ? 'desc' : 'asc')
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
        .execute(),
      ...(['a-venir', 'passees', 'brouillons'] as const).map((v) =>
        scope(v)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      ),
    ]);
    const ids = rows.map((r) => r.id);
    const stats = ids.length
      ? await db
          .selectFrom('registrations')
          .select(['webinar_id', 'status', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('attended').as('present')])
          .where('webinar_id', 'in', ids)
          .groupBy(['webinar_id', 'status'])
          .execute()
      : [];
    const views: WebinarRowView[] = rows.map((r) => {
      const mine = stats.filter((x) => x.webinar_id === r.id);
      const n = (st: string) => Number(mine.find((x) => x.status === st)?.n ?? 0);
      return { webinar: webinarFromRow(r), confirmed: n('confirmed'), waitlisted: n('waitlisted'), attended: mine.reduce((a, x) => a + Number(x.present ?? 0), 0) };
    });
    const [upcoming, past, drafts] = counts.map((x) => Number(x.n));
    const total = { 'a-venir': upcoming!, passees: past!, brouillons: drafts! }[view];
    return sendPage(c, <AdminWebinarListPage {...frame(c)} view={view} rows={views} page={page} pages={Math.max(1, Math.ceil(total / PAGE_SIZE))} counts={{ 'a-venir': upcoming!, passees: past!, brouillons: drafts! }} />);
  });

  const defaults = (date?: string): Record<string, string | string[]> => {
    const r = s.territory.schedule;
    return {
      title: `Rencontre ${s.territory.programmeName}`,
      kind: 'generic',
      theme: '',
      date: date ?? '',
      time: r.time,
      durationMinutes: String(r.durationMinutes),
      capacity: r.defaultCapacity === null ? '' : String(r.defaultCapacity),
      videoTool: 'link',
      joinUrl: '',
      summary: '',
      description: '',
      programme: [],
      speakers: '',
      partners: '',
      promotionCost: '',
      status: 'draft',
    };
  };

  const typed = (params: URLSearchParams) => ({ ...Object.fromEntries(params), programme: params.getAll('programme') });

  app.get('/rencontres/nouvelle', (c) => sendPage(c, <AdminWebinarFormPage {...frame(c)} webinar={null} values={defaults(c.req.query('date'))} errors={{}} registrants={0} videoTools={videoTools} />));

  app.post('/rencontres', async (c) => {
    const values = typed(c.get('params'));
    const parsed = schema.safeParse(values);
    if (!parsed.success) return sendPage(c, <AdminWebinarFormPage {...frame(c)} webinar={null} values={values} errors={webinarFieldErrors(parsed.error)} registrants={0} videoTools={videoTools} />, 422);
    const w = await createWebinar(s, { form: parsed.data, actor: actor(c) });
    return c.redirect(`/admin/rencontres/${w.id}?ok=cree`, 303);
  });

  app.get('/rencontres/planifier', async (c) => {
    return sendPage(c, <AdminPlanPage {...frame(c)} proposals={await unplanned()} errors={{}} />);
  });

  /** The next dates of the year to come on the territory's rule that have no Rencontre yet. */
  async function unplanned() {
    const now = s.clock.now();
    const proposals = proposeNextEditions(s.territory, now, 6);
    const taken = await s.db.kysely.selectFrom('webinars').select('starts_at').where('starts_at', '>', now.toISOString()).where('status', '!=', 'cancelled').execute();
    const takenDays = new Set(taken.map((w) => w.starts_at.slice(0, 10)));
    return proposals.filter((p) => !takenDays.has(p.startsAt.toISOString().slice(0, 10)));
  }

  app.post('/rencontres/planifier', async (c) => {
    const chosen = new Set(c.get('params').getAll('dates'));
    const proposals = (await unplanned()).filter((p) => chosen.has(p.date));
    if (proposals.length === 0) return sendPage(c, <AdminPlanPage {...frame(c)} proposals={await unplanned()} errors={{ dates: 'Cochez au moins une date' }} />, 422);
    for (const p of proposals) {
      const form = schema.parse({ ...defaults(p.date), programme: [] }) as WebinarForm;
      await createWebinar(s, { form, actor: actor(c) });
    }
    return c.redirect('/admin/rencontres?vue=brouillons&ok=brouillons', 303);
  });

  const load = async (id: string) => {
    const w = await findWebinarById(s.db.kysely, id);
    if (!w) throw new NotFound('Rencontre introuvable');
    return w;
  };
  const registrantCount = async (id: string) =>
    Number(
      (
        await s.db.kysely
          .selectFrom('registrations')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('webinar_id', '=', id)
          .where('status', '!=', 'cancelled')
          .executeTakeFirstOrThrow()
      ).n,
    );

  app.get('/rencontres/:id/modifier', async (c) => {
    const w = await load(c.req.param('id'));
    return sendPage(c, <AdminWebinarFormPage {...frame(c)} webinar={w} values={webinarFormValues(s.territory, w)} errors={{}} registrants={await registrantCount(w.id)} videoTools={videoTools} />);
  });

  app.post('/rencontres/:id', async (c) => {
    const w = await load(c.req.param('id'));
    const values = typed(c.get('params'));
    const parsed = schema.safeParse(values);
    if (!parsed.success) return sendPage(c, <AdminWebinarFormPage {...frame(c)} webinar={w} values={values} errors={webinarFieldErrors(parsed.error)} registrants={await registrantCount(w.id)} videoTools={videoTools} />, 422);
    // Cancelling writes to every registrant at once: asked again, with the form's fields kept.
    if (parsed.data.status === 'cancelled' && w.status !== 'cancelled' && c.get('params').get('confirmer') !== 'oui') {
      const registrants = await registrantCount(w.id);
      if (registrants > 0) {
        const fields = [...c.get('params').entries()].filter(([k]) => k !== '_csrf' && k !== 'confirmer');
        return sendPage(c, <AdminCancelWebinarPage {...frame(c)} webinar={w} registrants={registrants} fields={fields} />);
      }
    }
    await updateWebinar(s, { webinarId: w.id, form: parsed.data, actor: actor(c) });
    return c.redirect(`/admin/rencontres/${w.id}?ok=modifiee`, 303);
  });

  return app;
}
