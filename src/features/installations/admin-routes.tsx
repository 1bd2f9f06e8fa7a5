import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import type { Site } from '../../areas/public/layout.tsx';
import { clientIp } from '../../platform/http/client-ip.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { canActOnFile } from '../referents/referent.ts';
import { localToday } from '../tasks/task.ts';
import { departureSchema, fieldErrors, parseInstallation } from './installation.ts';
import { communeChoices, followUpsOf, installationsOf } from './installations-repository.ts';
import { recordDeparture, recordInstallation } from './record-installation.ts';
import { DeparturePage, InstallationPage } from './views/installation-pages.tsx';

const flash: Record<string, string> = {
  enregistree: 'L’installation est enregistrée ; les suivis à 3, 6 et 12 mois sont programmés.',
  depart: 'Le départ est enregistré ; les suivis à venir sont annulés.',
};

/** A household's installation in the back-office: record it, see its follow-ups, record a departure. */
export function installationAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const frame = (c: Context<AdminEnv>) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token, flash: flash[c.req.query('ok') ?? ''] ?? null });
  const ip = (c: Context<AdminEnv>) => clientIp(c, s.config.trustProxy);
  const today = () => localToday(s.clock.now(), s.territory.timezone);

  const load = async (c: Context<AdminEnv>) => {
    const p = await s.db.kysely.selectFrom('candidates').select(['id', 'first_name', 'last_name', 'referent_id']).where('id', '=', c.req.param('id') ?? '').executeTakeFirst();
    if (!p) throw new NotFound('Dossier introuvable');
    const all = await installationsOf(s.db.kysely, p.id);
    const current = all.find((i) => i.left_on === null) ?? null;
    return { person: p, candidate: { id: p.id, name: `${p.first_name} ${p.last_name}` }, current, past: all.filter((i) => i !== current), canAct: canActOnFile(c.get('agent'), p.referent_id) };
  };

  const page = async (c: Context<AdminEnv>, values: Record<string, string>, errors: FieldErrors, status: 200 | 409 | 422 = 200) => {
    const l = await load(c);
    const [followUps, communes] = await Promise.all([l.current ? followUpsOf(s.db.kysely, l.current.id) : [], communeChoices(s.db.kysely)]);
    return sendPage(c, <InstallationPage {...frame(c)} territory={s.territory} candidate={l.candidate} current={l.current} followUps={followUps} past={l.past} canAct={l.canAct} communes={communes} values={values} errors={errors} />, status);
  };

  app.get('/candidats/:id/installation', (c) => page(c, {}, {}));

  app.post('/candidats/:id/installation', async (c) => {
    const l = await load(c);
    const body = c.get('form');
    const hasList = (await communeChoices(s.db.kysely)).length > 0;
    const parsed = parseInstallation(body, today(), s.territory.regions.map((r) => r.key), hasList);
    if (!parsed.ok) return page(c, body, parsed.errors, 422);
    try {
      await recordInstallation(s, { candidateId: l.person.id, form: parsed.data, by: c.get('agent'), ip: ip(c) });
    } catch (e) {
      if (e instanceof DomainError && e.code === 'unknown-commune') return page(c, body, { communeCode: e.message }, 422);
      if (e instanceof DomainError && e.code === 'already-installed') return page(c, body, { installedOn: e.message }, 409);
      throw e;
    }
    return c.redirect(`/admin/candidats/${l.person.id}/installation?ok=enregistree`, 303);
  });

  const departure = async (c: Context<AdminEnv>) => {
    const l = await load(c);
    if (!l.current) return c.redirect(`/admin/candidats/${l.person.id}/installation`, 303);
    const show = (values: Record<string, string>, errors: FieldErrors, status: 200 | 422 = 200) => sendPage(c, <DeparturePage {...frame(c)} candidate={l.candidate} installation={l.current!} values={values} errors={errors} />, status);
    if (c.req.method === 'GET') return show({}, {});
    const body = c.get('form');
    const parsed = departureSchema(l.current.installed_on, today()).safeParse(body);
    if (!parsed.success) return show(body, fieldErrors(parsed.error, 'leftOn'), 422);
    await recordDeparture(s, { installationId: l.current.id, form: parsed.data, by: c.get('agent'), ip: ip(c) });
    return c.redirect(`/admin/candidats/${l.person.id}/installation?ok=depart`, 303);
  };
  app.get('/candidats/:id/installation/depart', departure);
  app.post('/candidats/:id/installation/depart', departure);

  return app;
}
