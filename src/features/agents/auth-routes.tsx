import { Hono } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import type { Site } from '../../areas/public/layout.tsx';
import { recordAudit } from '../../platform/audit/audit.ts';
import { clientIp, formBody } from '../../platform/http/client-ip.ts';
import { CSRF_REFUSED } from '../../platform/http/session-guard.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { answerSetPassword, answerSignIn, LinkExpiredPage, SetPasswordPage, SignInPage, signInNotice } from './account-pages.tsx';
import { agentForLink, setPasswordWithLink } from './manage-agents.ts';
import { csrfMatches, endSession, loadSession, SESSION_ABSOLUTE_MS, sessionCookieName } from './sessions.ts';
import { signIn, SignInThrottle } from './sign-in.ts';

/** Only a path of ours, never another site: an open redirect would make phishing easy. */
export function safeReturnPath(v: string | undefined): string {
  return v && /^\/admin(\/[^\s]*)?$/.test(v) && !v.startsWith('//') ? v : '/admin';
}

const askAnAdmin = 'Demandez un nouveau lien à un administrateur de l’équipe.';

function AgentSignInPage(p: { site: Site; values: Record<string, string>; errors: FieldErrors; back: string; notice?: string }) {
  return <SignInPage {...p} spaceName="l’espace de gestion" action="/connexion" forgotten={`Mot de passe oublié ? ${askAnAdmin}`} />;
}

function AgentSetPasswordPage(p: { site: Site; token: string; name: string; purpose: 'invite' | 'reset'; errors: FieldErrors }) {
  return <SetPasswordPage site={p.site} action={`/connexion/lien/${p.token}`} greeting={`Bonjour ${p.name}.${p.purpose === 'invite' ? ' Bienvenue dans l’espace de gestion.' : ''}`} errors={p.errors} />;
}

/** Sign-in, sign-out and one-time links: outside /admin, so that the guard on /admin has no exception. */
export function authRoutes(s: Services, site: Site, throttle = new SignInThrottle(s)) {
  const app = new Hono();
  const cookieName = sessionCookieName(s.config.isHttps);

  app.get('/connexion', async (c) => {
    const active = await loadSession(s.db.kysely, getCookie(c, cookieName), s.clock.now());
    const back = safeReturnPath(c.req.query('retour'));
    if (active) return c.redirect(back, 303);
    c.header('Cache-Control', 'no-store');
    return sendPage(c, <AgentSignInPage site={site} values={{}} errors={{}} back={back} notice={signInNotice(c.req.query('ok'))} />);
  });

  app.post('/connexion', async (c) => {
    const body = await formBody(c);
    const back = safeReturnPath(body.retour);
    const ip = clientIp(c, s.config.trustProxy);
    return answerSignIn(c, s, {
      body,
      back,
      signIn: (input) => signIn(s, throttle, { ...input, ip }),
      page: (errors) => <AgentSignInPage site={site} values={body} errors={errors} back={back} />,
      cookieName,
      sessionMs: SESSION_ABSOLUTE_MS,
    });
  });

  app.post('/deconnexion', async (c) => {
    const token = getCookie(c, cookieName);
    const active = await loadSession(s.db.kysely, token, s.clock.now());
    if (active) {
      const body = await formBody(c);
      if (!csrfMatches(active.session.csrf_token, body._csrf)) return c.text(CSRF_REFUSED, 403);
      await endSession(s.db.kysely, token!);
      await recordAudit(s.db.kysely, s.clock.now(), { type: 'agent', id: active.agent.id, ip: clientIp(c, s.config.trustProxy) }, 'agent.sign-out', { type: 'agent', id: active.agent.id });
    }
    deleteCookie(c, cookieName, { path: '/', secure: s.config.isHttps });
    return c.redirect('/connexion?ok=deconnecte', 303);
  });

  app.get('/connexion/lien/:token', async (c) => {
    c.header('Cache-Control', 'no-store');
    const link = await agentForLink(s, c.req.param('token'));
    if (!link) return sendPage(c, <LinkExpiredPage site={site} help={askAnAdmin} />, 410);
    return sendPage(c, <AgentSetPasswordPage site={site} token={c.req.param('token')} name={link.name} purpose={link.purpose} errors={{}} />);
  });

  app.post('/connexion/lien/:token', async (c) => {
    const token = c.req.param('token');
    const link = await agentForLink(s, token);
    if (!link) return c.redirect(`/connexion/lien/${token}`, 303);
    return answerSetPassword(c, {
      body: await formBody(c),
      page: (errors) => <AgentSetPasswordPage site={site} token={token} name={link.name} purpose={link.purpose} errors={errors} />,
      setPassword: (password) => setPasswordWithLink(s, { token, password, ip: clientIp(c, s.config.trustProxy) }),
      signInPath: '/connexion',
    });
  });

  return app;
}
