import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import { AdminPage } from '../../areas/admin/layout.tsx';
import type { Site } from '../../areas/public/layout.tsx';
import { clientIp } from '../../platform/http/client-ip.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { formatDate, formatTime } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button, ErrorSummary, HiddenFields, TextInput, type FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { setAttendanceByAgent } from '../attendance/record-attendance.ts';
import { registrationCounts } from '../registrations/registrants-query.ts';
import type { Webinar } from '../webinars/webinar.ts';
import { findWebinarById } from '../webinars/webinars-repository.ts';
import { replayProgress, requestReplay } from './send-replay.ts';

function ReplayFormPage(p: {
  site: Site;
  agent: AdminEnv['Variables']['agent'];
  csrf: string;
  webinar: Webinar;
  value: string;
  errors: FieldErrors;
  counts: { confirmed: number; waitlisted: number; cancelled: number; attended: number };
  alreadySent: boolean;
  /** Why the replay cannot be sent yet (a Rencontre not over, or not published), instead of the form. */
  notYet: string | null;
}) {
  const w = p.webinar;
  const everyone = p.counts.confirmed + p.counts.waitlisted + p.counts.cancelled;
  const trail: Array<[string, string]> = [['Rencontres', '/admin/rencontres'], [w.title, `/admin/rencontres/${w.id}`]];
  if (p.notYet) {
    return (
      <AdminPage site={p.site} agent={p.agent} csrf={p.csrf} title={`Replay : ${w.title}`} current="webinars" trail={trail}>
        <h1>Replay de la Rencontre</h1>
        <p class="inset">{p.notYet}</p>
        <p>
          <a href={`/admin/rencontres/${w.id}`}>Revenir à la Rencontre</a>
        </p>
      </AdminPage>
    );
  }
  return (
    <AdminPage site={p.site} agent={p.agent} csrf={p.csrf} title={`Replay : ${w.title}`} current="webinars" hasError={Object.keys(p.errors).length > 0} trail={trail}>
      <h1>Replay de la Rencontre</h1>
      {p.alreadySent ? (
        <p class="notice">Le replay a déjà été envoyé. Changer le lien met à jour les pages publique et personnelles ; personne ne reçoit un second e-mail.</p>
      ) : (
        <p>
          Chacune des {everyone} personnes inscrites recevra un e-mail avec le replay : un remerciement et la suite pour les {p.counts.attended} présentes, le replay et la prochaine Rencontre pour les autres. Chaque e-mail propose aussi d’être accompagné·e et un questionnaire de deux questions. Vérifiez les présences avant d’envoyer.
        </p>
      )}
      <form method="post" action={`/admin/rencontres/${w.id}/replay`} novalidate>
        <ErrorSummary errors={p.errors} order={['replayUrl']} />
        <HiddenFields fields={{ _csrf: p.csrf }} />
        <TextInput name="replayUrl" type="url" label="Lien du replay" hint="L’adresse de la vidéo, commençant par https://" value={p.value} errors={p.errors} />
        <div class="button-row">
          <Button>{p.alreadySent ? 'Changer le lien' : `Envoyer le replay à ${everyone} personnes`}</Button>
          <a href={`/admin/rencontres/${w.id}`}>Revenir sans rien envoyer</a>
        </div>
      </form>
    </AdminPage>
  );
}

/** After a Rencontre: sending the replay, and attendance set by hand. */
export function replayAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const actor = (c: Context<AdminEnv>) => ({ type: 'agent' as const, id: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) });
  const load = async (id: string) => {
    const w = await findWebinarById(s.db.kysely, id);
    if (!w) throw new NotFound('Rencontre introuvable');
    return w;
  };
  const page = async (c: Context<AdminEnv>, w: Webinar, value: string, errors: FieldErrors, status: 200 | 409 | 422 = 200) => {
    const [counts, progress] = await Promise.all([registrationCounts(s.db.kysely, w.id), replayProgress(s, w.id)]);
    // The form would offer to send "la suite pour les 0 présentes" of a Rencontre not held yet: say when it can be sent instead.
    const notYet =
      w.status !== 'published'
        ? 'Seule une Rencontre publiée, et terminée, a un replay à envoyer.'
        : s.clock.now().getTime() < new Date(w.endsAt).getTime()
          ? `Le replay pourra être envoyé une fois la Rencontre terminée, le ${formatDate(w.startsAt, s.territory.timezone)} à ${formatTime(w.endsAt, s.territory.timezone)}, et les présences vérifiées.`
          : null;
    return sendPage(c, <ReplayFormPage site={site} agent={c.get('agent')} csrf={c.get('session').csrf_token} webinar={w} value={value} errors={errors} counts={counts} alreadySent={progress.status !== 'none'} notYet={notYet} />, status);
  };

  app.get('/rencontres/:id/replay', async (c) => {
    const w = await load(c.req.param('id'));
    return page(c, w, w.replayUrl ?? '', {});
  });

  app.post('/rencontres/:id/replay', async (c) => {
    const w = await load(c.req.param('id'));
    const value = (c.get('form').replayUrl ?? '').trim();
    if (!value) return page(c, w, value, { replayUrl: 'Saisissez le lien du replay' }, 422);
    try {
      await requestReplay(s, { webinarId: w.id, replayUrl: value, actor: actor(c) });
    } catch (e) {
      if (e instanceof DomainError) return page(c, w, value, { replayUrl: e.message }, e.code === 'replay-url' ? 422 : 409);
      throw e;
    }
    return c.redirect(`/admin/rencontres/${w.id}?ok=replay`, 303);
  });

  app.post('/inscriptions/:rid/presence', async (c) => {
    const value = c.get('form').presence;
    const attended = value === 'present' ? true : value === 'absent' ? false : null;
    const reg = await s.db.kysely.selectFrom('registrations').select(['id', 'webinar_id']).where('id', '=', c.req.param('rid')).executeTakeFirst();
    if (!reg) throw new NotFound('Inscription introuvable');
    await setAttendanceByAgent(s, { registrationId: reg.id, attended, actor: actor(c) });
    const back = c.get('form').retour;
    return c.redirect(back && back.startsWith(`/admin/rencontres/${reg.webinar_id}`) ? back : `/admin/rencontres/${reg.webinar_id}?ok=presence`, 303);
  });

  return app;
}
