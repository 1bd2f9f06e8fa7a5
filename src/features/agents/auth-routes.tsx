import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { PublicPage, type Site } from '../../areas/public/layout.tsx';
import { recordAudit } from '../../platform/audit/audit.ts';
import { clientIp, formBody } from '../../platform/http/client-ip.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button, ErrorSummary, TextInput, type FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { MIN_PASSWORD_LENGTH } from './agent.ts';
import { agentForLink, setPasswordWithLink } from './manage-agents.ts';
import { csrfMatches, endSession, loadSession, SESSION_ABSOLUTE_MS, sessionCookieName } from './sessions.ts';
import { signIn, SignInThrottle } from './sign-in.ts';

const signInSchema = z.object({
  email: z.string().trim().min(1, 'Saisissez votre adresse e-mail').max(254, 'L’adresse e-mail est trop longue').pipe(z.email('Saisissez une adresse e-mail valide, comme nom@exemple.fr')),
  password: z.string().min(1, 'Saisissez votre mot de passe').max(1024, 'Le mot de passe est trop long'),
});

/** Only a path of ours, never another site: an open redirect would make phishing easy. */
export function safeReturnPath(v: string | undefined): string {
  return v && /^\/admin(\/[^\s]*)?$/.test(v) && !v.startsWith('//') ? v : '/admin';
}

function SignInPage(p: { site: Site; values: Record<string, string>; errors: FieldErrors; back: string; notice?: string }) {
  return (
    <PublicPage site={p.site} title="Connexion à l’espace de gestion" hasError={Object.keys(p.errors).length > 0} noindex>
      <div class="container">
        <h1>Connexion à l’espace de gestion</h1>
        {p.notice ? (
          <div class="notice notice--success" role="status">
            <p>{p.notice}</p>
          </div>
        ) : null}
        <form method="post" action="/connexion" novalidate>
          <ErrorSummary errors={p.errors} order={['email', 'password']} />
          <input type="hidden" name="retour" value={p.back} />
          <TextInput name="email" type="email" label="Adresse e-mail" value={p.values.email} errors={p.errors} autocomplete="username" spellcheck={false} width="half" />
          <TextInput name="password" type="password" label="Mot de passe" value="" errors={p.errors} autocomplete="current-password" width="half" />
          <Button>Se connecter</Button>
        </form>
        <p>Mot de passe oublié ? Demandez un nouveau lien à un administrateur de l’équipe.</p>
      </div>
    </PublicPage>
  );
}

function SetPasswordPage(p: { site: Site; token: string; name: string; purpose: 'invite' | 'reset'; errors: FieldErrors }) {
  return (
    <PublicPage site={p.site} title="Choisir mon mot de passe" hasError={Object.keys(p.errors).length > 0} noindex>
      <div class="container">
        <h1>Choisir mon mot de passe</h1>
        <p>
          Bonjour {p.name}. {p.purpose === 'invite' ? 'Bienvenue dans l’espace de gestion.' : ''} Choisissez un mot de passe d’au moins {MIN_PASSWORD_LENGTH} caractères. Une phrase de quelques mots est facile à retenir et difficile à deviner.
        </p>
        <form method="post" action={`/connexion/lien/${p.token}`} novalidate>
          <ErrorSummary errors={p.errors} order={['password', 'confirmation']} />
          <TextInput name="password" type="password" label="Nouveau mot de passe" hint={`Au moins ${MIN_PASSWORD_LENGTH} caractères, sans autre règle.`} value="" errors={p.errors} autocomplete="new-password" width="half" />
          <TextInput name="confirmation" type="password" label="Le même mot de passe, une seconde fois" value="" errors={p.errors} autocomplete="new-password" width="half" />
          <Button>Enregistrer mon mot de passe</Button>
        </form>
      </div>
    </PublicPage>
  );
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
    const notice = c.req.query('ok') === 'mot-de-passe' ? 'Votre mot de passe est enregistré : vous pouvez vous connecter.' : c.req.query('ok') === 'deconnecte' ? 'Vous êtes déconnecté·e.' : undefined;
    return sendPage(c, <SignInPage site={site} values={{}} errors={{}} back={back} notice={notice} />);
  });

  app.post('/connexion', async (c) => {
    const body = await formBody(c);
    const back = safeReturnPath(body.retour);
    const parsed = signInSchema.safeParse(body);
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const i of parsed.error.issues) errors[String(i.path[0])] ??= i.message;
      return sendPage(c, <SignInPage site={site} values={body} errors={errors} back={back} />, 422);
    }
    const ip = clientIp(c, s.config.trustProxy);
    const result = await signIn(s, throttle, { email: parsed.data.email, password: parsed.data.password, ip, userAgent: c.req.header('user-agent') ?? null });
    if (!result.ok) {
      if (result.reason === 'throttled') {
        const minutes = Math.ceil(result.retryAfterSeconds / 60);
        c.header('Retry-After', String(result.retryAfterSeconds));
        return sendPage(c, <SignInPage site={site} values={body} errors={{ email: `Trop de tentatives : réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}` }} back={back} />, 429);
      }
      // One message for a wrong e-mail and a wrong password: nobody learns which addresses are agents.
      return sendPage(c, <SignInPage site={site} values={body} errors={{ email: 'Adresse e-mail ou mot de passe incorrect', password: 'Adresse e-mail ou mot de passe incorrect' }} back={back} />, 422);
    }
    setCookie(c, cookieName, result.token, { httpOnly: true, secure: s.config.isHttps, sameSite: 'Lax', path: '/', maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000) });
    return c.redirect(back, 303);
  });

  app.post('/deconnexion', async (c) => {
    const token = getCookie(c, cookieName);
    const active = await loadSession(s.db.kysely, token, s.clock.now());
    if (active) {
      const body = await formBody(c);
      if (!csrfMatches(active.session.csrf_token, body._csrf)) return c.text('Requête refusée : jeton de sécurité absent ou invalide.', 403);
      await endSession(s.db.kysely, token!);
      await recordAudit(s.db.kysely, s.clock.now(), { type: 'agent', id: active.agent.id, ip: clientIp(c, s.config.trustProxy) }, 'agent.sign-out', { type: 'agent', id: active.agent.id });
    }
    deleteCookie(c, cookieName, { path: '/', secure: s.config.isHttps });
    return c.redirect('/connexion?ok=deconnecte', 303);
  });

  app.get('/connexion/lien/:token', async (c) => {
    c.header('Cache-Control', 'no-store');
    const link = await agentForLink(s, c.req.param('token'));
    if (!link) {
      return sendPage(
        c,
        <PublicPage site={site} title="Lien expiré" noindex>
          <div class="container">
            <h1>Ce lien n’est plus valable</h1>
            <p>Il a déjà servi ou il a expiré. Demandez un nouveau lien à un administrateur de l’équipe.</p>
          </div>
        </PublicPage>,
        410,
      );
    }
    return sendPage(c, <SetPasswordPage site={site} token={c.req.param('token')} name={link.name} purpose={link.purpose} errors={{}} />);
  });

  app.post('/connexion/lien/:token', async (c) => {
    const token = c.req.param('token');
    const link = await agentForLink(s, token);
    if (!link) return c.redirect(`/connexion/lien/${token}`, 303);
    const body = await formBody(c);
    const password = body.password ?? '';
    if (password !== (body.confirmation ?? '')) {
      return sendPage(c, <SetPasswordPage site={site} token={token} name={link.name} purpose={link.purpose} errors={{ confirmation: 'Les deux mots de passe ne sont pas identiques' }} />, 422);
    }
    try {
      await setPasswordWithLink(s, { token, password, ip: clientIp(c, s.config.trustProxy) });
    } catch (e) {
      if (e instanceof DomainError && e.code === 'weak-password') {
        return sendPage(c, <SetPasswordPage site={site} token={token} name={link.name} purpose={link.purpose} errors={{ password: e.message }} />, 422);
      }
      throw e;
    }
    return c.redirect('/connexion?ok=mot-de-passe', 303);
  });

  return app;
}
