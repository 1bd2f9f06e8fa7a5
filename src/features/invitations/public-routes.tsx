import { Hono, type Context } from 'hono';
import { PublicPage, type Site } from '../../areas/public/layout.tsx';
import { clientIp } from '../../platform/http/client-ip.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { loadRegistrationByToken } from '../registrations/registration-by-token.ts';
import { optOutOfInvitations } from './invite-no-shows.ts';

/** No more invitations: a page with one button, and the one-click POST that mail clients send (RFC 8058). */
export function invitationPublicRoutes(s: Services, site: Site) {
  const app = new Hono();
  const load = (c: Context) => loadRegistrationByToken(s, c.req.param('token') ?? '');

  app.get('/mon-inscription/:token/plus-d-invitations', async (c) => {
    const { token, candidate } = await load(c);
    c.header('Cache-Control', 'no-store');
    const done = candidate.invitations_opt_out_at !== null;
    return sendPage(
      c,
      <PublicPage site={site} title="Ne plus recevoir d’invitations" noindex>
        <div class="container">
          <h1>Ne plus recevoir d’invitations</h1>
          {done ? (
            <p class="inset" role="status">
              C’est noté : vous ne recevez plus d’invitation aux Rencontres. Les messages sur vos inscriptions (confirmation, rappel, replay) continuent d’arriver.
            </p>
          ) : (
            <>
              <p>Vous ne recevrez plus d’invitation aux prochaines Rencontres. Les messages sur vos inscriptions (confirmation, rappel, replay) continueront d’arriver.</p>
              <form method="post" action={`/mon-inscription/${token}/plus-d-invitations`}>
                <Button>Ne plus recevoir d’invitations</Button>
              </form>
            </>
          )}
          <p>
            <a href={`/mon-inscription/${token}`}>Retour à mon inscription</a>
          </p>
        </div>
      </PublicPage>,
    );
  });

  app.post('/mon-inscription/:token/plus-d-invitations', async (c) => {
    const { token, candidate } = await load(c);
    await optOutOfInvitations(s, { candidateId: candidate.id, actor: { type: 'candidate', id: candidate.id, ip: clientIp(c, s.config.trustProxy) } });
    const body = c.req.header('content-type')?.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(await c.req.text()) : new URLSearchParams();
    // The one-click request of a mail client wants a plain success, not a page to follow.
    if (body.get('List-Unsubscribe') === 'One-Click') return c.text('Désinscription des invitations enregistrée.', 200);
    return c.redirect(`/mon-inscription/${token}/plus-d-invitations`, 303);
  });

  return app;
}
