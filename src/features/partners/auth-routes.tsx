import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import type { Site } from '../../areas/public/layout.tsx';
import { recordAudit } from '../../platform/audit/audit.ts';
import { clientIp, formBody } from '../../platform/http/client-ip.ts';
import { CSRF_REFUSED } from '../../platform/http/session-guard.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { answerSetPassword, answerSignIn, LinkExpiredPage, SetPasswordPage, SignInPage, signInNotice } from '../agents/account-pages.tsx';
import { csrfMatches } from '../agents/sessions.ts';
import { SignInThrottle } from '../agents/sign-in.ts';
import { partnerUserForLink, setPartnerPasswordWithLink } from './manage-partners.ts';
import { endPartnerSession, loadPartnerSession, PARTNER_SESSION_ABSOLUTE_MS, partnerCookieName } from './partner-sessions.ts';
import { signInPartner } from './partner-sign-in.ts';

/** Only a path of the portal, never another site nor the back-office. */
export function safePartnerReturnPath(v: string | undefined): string {
  return v && /^\/partenaires(\/[^\s]*)?$/.test(v) && !v.startsWith('//') && !v.startsWith('/partenaires/connexion') ? v : '/partenaires';
}

/** Whom to ask for a new link: the team, at its address. */
function AskTheTeam({ site }: { site: Site }) {
  return (
    <>
      Demandez un nouveau lien à l’équipe : <a href={`mailto:${site.territory.contact.email}`}>{site.territory.contact.email}</a>.
    </>
  );
}

function PartnerSignInPage(p: { site: Site; values: Record<string, string>; errors: FieldErrors; back: string; notice?: string }) {
  return (
    <SignInPage
      {...p}
      spaceName="l’espace partenaires"
      action="/partenaires/connexion"
      intro={`Cet espace est réservé aux organisations partenaires de ${p.site.territory.programmeName}, sur invitation de l’équipe.`}
      forgotten={
        <>
          Mot de passe oublié ? <AskTheTeam site={p.site} />
        </>
      }
    />
  );
}

function PartnerSetPasswordPage(p: { site: Site; token: string; name: string; partnerName: string; errors: FieldErrors }) {
  return <SetPasswordPage site={p.site} action={`/partenaires/lien/${p.token}`} greeting={`Bonjour ${p.name}. Votre accès à l’espace partenaires est ouvert pour ${p.partnerName}.`} errors={p.errors} />;
}

/** The partner portal's sign-in, sign-out and one-time links: the only routes of /partenaires without the guard. */
export function partnerAuthRoutes(s: Services, site: Site, throttle = new SignInThrottle(s)) {
  const app = new Hono();
  const cookieName = partnerCookieName(s.config.isHttps);

  app.get('/connexion', async (c) => {
    c.header('Cache-Control', 'no-store');
    const back = safePartnerReturnPath(c.req.query('retour'));
    const active = await loadPartnerSession(s.db.kysely, getCookie(c, cookieName), s.clock.now());
    if (active) return c.redirect(back, 303);
    return sendPage(c, <PartnerSignInPage site={site} values={{}} errors={{}} back={back} notice={signInNotice(c.req.query('ok'))} />);
  });

  app.post('/connexion', async (c) => {
    const body = await formBody(c);
    const back = safePartnerReturnPath(body.retour);
    const ip = clientIp(c, s.config.trustProxy);
    return answerSignIn(c, s, {
      body,
      back,
      signIn: (input) => signInPartner(s, throttle, { ...input, ip }),
      page: (errors) => <PartnerSignInPage site={site} values={body} errors={errors} back={back} />,
      cookieName,
      sessionMs: PARTNER_SESSION_ABSOLUTE_MS,
    });
  });

  app.post('/deconnexion', async (c) => {
    const token = getCookie(c, cookieName);
    const active = await loadPartnerSession(s.db.kysely, token, s.clock.now());
    if (active) {
      const body = await formBody(c);
      if (!csrfMatches(active.session.csrf_token, body._csrf)) return c.text(CSRF_REFUSED, 403);
      await endPartnerSession(s.db.kysely, token!);
      await recordAudit(s.db.kysely, s.clock.now(), { type: 'partner', id: active.user.id, ip: clientIp(c, s.config.trustProxy) }, 'partner-user.sign-out', { type: 'partner-user', id: active.user.id });
    }
    deleteCookie(c, cookieName, { path: '/', secure: s.config.isHttps });
    return c.redirect('/partenaires/connexion?ok=deconnecte', 303);
  });

  // Unknown, spent or expired: one answer, a 404, so that a link reveals nothing of an account.
  const expired = (c: Context) => sendPage(c, <LinkExpiredPage site={site} help={<AskTheTeam site={site} />} />, 404);

  app.get('/lien/:token', async (c) => {
    c.header('Cache-Control', 'no-store');
    const link = await partnerUserForLink(s, c.req.param('token'));
    if (!link) return expired(c);
    return sendPage(c, <PartnerSetPasswordPage site={site} token={c.req.param('token')} name={link.name} partnerName={link.partnerName} errors={{}} />);
  });

  app.post('/lien/:token', async (c) => {
    c.header('Cache-Control', 'no-store');
    const token = c.req.param('token');
    const link = await partnerUserForLink(s, token);
    if (!link) return expired(c);
    return answerSetPassword(c, {
      body: await formBody(c),
      page: (errors) => <PartnerSetPasswordPage site={site} token={token} name={link.name} partnerName={link.partnerName} errors={errors} />,
      setPassword: (password) => setPartnerPasswordWithLink(s, { token, password, ip: clientIp(c, s.config.trustProxy) }),
      signInPath: '/partenaires/connexion',
    });
  });

  return app;
}
