import { Hono, type Context } from 'hono';
import type { Site } from '../../areas/public/layout.tsx';
import { clientIp } from '../../platform/http/client-ip.ts';
import { NotFound } from '../../platform/http/errors.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { hashToken, looksLikeToken } from '../registrations/registration-token.ts';
import { answerFollowUp } from './follow-ups.ts';
import { fieldErrors, followUpAnswerSchema } from './installation.ts';
import { findFollowUpByTokenHash } from './installations-repository.ts';
import { FollowUpDonePage, FollowUpFormPage } from './views/installation-pages.tsx';

/** The two-minute form of a follow-up, from the private link of its e-mail. */
export function followUpPublicRoutes(s: Services, site: Site) {
  const app = new Hono();

  const load = async (c: Context) => {
    const token = c.req.param('token') ?? '';
    if (!looksLikeToken(token)) throw new NotFound('Ce lien n’est pas valide');
    const f = await findFollowUpByTokenHash(s.db.kysely, hashToken(token));
    // A follow-up not sent (yet, or ever: skipped, or cancelled by a departure) has no link out there.
    if (!f || f.status === 'scheduled' || f.status === 'cancelled') throw new NotFound('Ce lien n’est pas ou plus valide');
    c.header('Cache-Control', 'no-store');
    return { token, f };
  };
  const thanks = (c: Context) => sendPage(c, <FollowUpDonePage site={site} title="Merci pour vos réponses" body="Votre référent les lit, et vous recontacte si vous avez demandé de l’aide." />);

  app.get('/suivi/:token', async (c) => {
    const { token, f } = await load(c);
    if (f.status === 'answered') return thanks(c);
    return sendPage(c, <FollowUpFormPage site={site} token={token} firstName={f.first_name} months={f.months} commune={f.commune_name} values={{}} errors={{}} />);
  });

  app.post('/suivi/:token', async (c) => {
    const { token, f } = await load(c);
    if (f.status === 'answered') return c.redirect(`/suivi/${token}`, 303);
    const params = new URLSearchParams(c.req.header('content-type')?.startsWith('application/x-www-form-urlencoded') ? await c.req.text() : '');
    const values = { ...Object.fromEntries(params), help: params.getAll('help') };
    const parsed = followUpAnswerSchema.safeParse(values);
    if (!parsed.success) return sendPage(c, <FollowUpFormPage site={site} token={token} firstName={f.first_name} months={f.months} commune={f.commune_name} values={values} errors={fieldErrors(parsed.error, 'wellbeing')} />, 422);
    await answerFollowUp(s, { followUpId: f.id, answer: parsed.data, actor: { type: 'candidate', id: f.candidate_id, ip: clientIp(c, s.config.trustProxy) } });
    return c.redirect(`/suivi/${token}`, 303);
  });

  return app;
}
