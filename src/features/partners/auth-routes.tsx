import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { PublicPage, type Site } from '../../areas/public/layout.tsx';
import { recordAudit } from '../../platform/audit/audit.ts';
import { clientIp, formBody } from '../../platform/http/client-ip.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button, ErrorSummary, TextInput, type FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { MIN_PASSWORD_LENGTH } from '../agents/agent.ts';
import { csrfMatches } from '../agents/sessions.ts';
import { SignInThrottle } from '../agents/sign-in.ts';
import { partnerUserForLink, setPartnerPasswordWithLink } from './manage-partners.ts';
import { endPartnerSession, loadPartnerSession, PARTNER_SESSION_ABSOLUTE_MS, partnerCookieName } from './partner-sessions.ts';
import { signInPartner } from './partner-sign-in.ts';

const signInSchema = z.object({
  email: z.string().trim().min(1, 'Saisissez votre adresse e-mail').max(254, 'L’adresse e-mail est trop longue').pipe(z.email('Saisissez une adresse e-mail valide, comme nom@exemple.fr')),
  password: z.string().min(1, 'Saisissez votre mot de passe').max(1024, 'Le mot de passe est trop long'),
});

/** Only a path of the portal, never another site nor the back-office. */
export function safePartnerReturnPath(v: string | undefined): string {
  return v && /^\/partenaires(\/[^\s]*)?$/.test(v) && !v.startsWith('//') && !v.startsWith('/partenaires/connexion') ? v : '/partenaires';
}

function SignInPage(p: { site: Site; values: Record<string, string>; errors: FieldErrors; back: string; notice?: string }) {
  return (
    <PublicPage site={p.site} title="Connexion à l’espace partenaires" hasError={Object.keys(p.errors).length > 0} noindex>
      <div class="container">
        <h1>Connexion à l’espace partenaires</h1>
        {p.notice ? (
          <div class="notice notice--success" role="status">
            <p>{p.notice}</p>
          </div>
        ) : null}
        <p>Cet espace est réservé aux organisations partenaires de {p.site.territory.programmeName}, sur invitation de l’équipe.</p>
        <form method="post" action="/partenaires/connexion" novalidate>
          <ErrorSummary errors={p.errors} order={['email', 'password']} />
          <input type="hidden" name="retour" value={p.back} />
          <TextInput name="email" type="email" label="Adresse e-mail" value={p.values.email} errors={p.errors} autocomplete="username" spellcheck={false} width="half" />
          <TextInput name="password" type="password" label="Mot de passe" value="" errors={p.errors} autocomplete="current-password" width="half" />
          <Button>Se connecter</Button>
        </form>
        <p>
          Mot de passe oublié ? Demandez un nouveau lien à l’équipe : <a href={`mailto:${p.site.territory.contact.email}`}>{p.site.territory.contact.email}</a>.
        </p>
      </div>
    </PublicPage>
  );
}

function SetPasswordPage(p: { site: Site; token: string; name: string; partnerName: string; errors: FieldErrors }) {
  return (
    <PublicPage site={p.site} title="Choisir mon mot de passe" hasError={Object.keys(p.errors).length > 0} noindex>
      <div class="container">
        <h1>Choisir mon mot de passe</h1>
        <p>
          Bonjour {p.name}. Votre accès à l’espace partenaires est ouvert pour {p.partnerName}. Choisissez un mot de passe d’au moins {MIN_PASSWORD_LENGTH} caractères : une phrase de quelques mots est facile
          à retenir et difficile à deviner.
        </p>
        <form method="post" action={`/partenaires/lien/${p.token}`} novalidate>
          <ErrorSummary errors={p.errors} order={['password', 'confirmation']} />
          <TextInput name="password" type="password" label="Nouveau mot de passe" hint={`Au moins ${MIN_PASSWORD_LENGTH} caractères, sans autre règle.`} value="" errors={p.errors} autocomplete="new-password" width="half" />
          <TextInput name="confirmation" type="password" label="Le même mot de passe, une seconde fois" value="" errors={p.errors} autocomplete="new-password" width="half" />
          <Button>Enregistrer mon mot de passe</Button>
        </form>
      </div>
    </PublicPage>
  );
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
    const ok = c.req.query('ok');
    const notice = ok === 'mot-de-passe' ? 'Votre mot de passe est enregistré : vous pouvez vous connecter.' : ok === 'deconnecte' ? 'Vous êtes déconnecté·e.' : undefined;
    return sendPage(c, <SignInPage site={site} values={{}} errors={{}} back={back} notice={notice} />);
  });

  app.post('/connexion', async (c) => {
    c.header('Cache-Control', 'no-store');
    const body = await formBody(c);
    const back = safePartnerReturnPath(body.retour);
    const parsed = signInSchema.safeParse(body);
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const i of parsed.error.issues) errors[String(i.path[0])] ??= i.message;
      return sendPage(c, <SignInPage site={site} values={body} errors={errors} back={back} />, 422);
    }
    const result = await signInPartner(s, throttle, { email: parsed.data.email, password: parsed.data.password, ip: clientIp(c, s.config.trustProxy), userAgent: c.req.header('user-agent') ?? null });
    if (!result.ok) {
      if (result.reason === 'throttled') {
        const minutes = Math.ceil(result.retryAfterSeconds / 60);
        c.header('Retry-After', String(result.retryAfterSeconds));
        return sendPage(c, <SignInPage site={site} values={body} errors={{ email: `Trop de tentatives : réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}` }} back={back} />, 429);
      }
      // One message for a wrong e-mail and a wrong password: nobody learns which addresses have an access.
      return sendPage(c, <SignInPage site={site} values={body} errors={{ email: 'Adresse e-mail ou mot de passe incorrect', password: 'Adresse e-mail ou mot de passe incorrect' }} back={back} />, 422);
    }
    setCookie(c, cookieName, result.token, { httpOnly: true, secure: s.config.isHttps, sameSite: 'Lax', path: '/', maxAge: Math.floor(PARTNER_SESSION_ABSOLUTE_MS / 1000) });
    return c.redirect(back, 303);
  });

  app.post('/deconnexion', async (c) => {
    const token = getCookie(c, cookieName);
    const active = await loadPartnerSession(s.db.kysely, token, s.clock.now());
    if (active) {
      const body = await formBody(c);
      if (!csrfMatches(active.session.csrf_token, body._csrf)) return c.text('Requête refusée : jeton de sécurité absent ou invalide.', 403);
      await endPartnerSession(s.db.kysely, token!);
      await recordAudit(s.db.kysely, s.clock.now(), { type: 'partner', id: active.user.id, ip: clientIp(c, s.config.trustProxy) }, 'partner-user.sign-out', { type: 'partner-user', id: active.user.id });
    }
    deleteCookie(c, cookieName, { path: '/', secure: s.config.isHttps });
    return c.redirect('/partenaires/connexion?ok=deconnecte', 303);
  });

  // Unknown, spent or expired: one answer, a 404, so that a link reveals nothing of an account.
  const expired = (c: Context) =>
    sendPage(
      c,
      <PublicPage site={site} title="Lien expiré" noindex>
        <div class="container">
          <h1>Ce lien n’est plus valable</h1>
          <p>
            Il a déjà servi ou il a expiré. Demandez un nouveau lien à l’équipe : <a href={`mailto:${site.territory.contact.email}`}>{site.territory.contact.email}</a>.
          </p>
        </div>
      </PublicPage>,
      404,
    );

  app.get('/lien/:token', async (c) => {
    c.header('Cache-Control', 'no-store');
    const link = await partnerUserForLink(s, c.req.param('token'));
    if (!link) return expired(c);
    return sendPage(c, <SetPasswordPage site={site} token={c.req.param('token')} name={link.name} partnerName={link.partnerName} errors={{}} />);
  });

  app.post('/lien/:token', async (c) => {
    c.header('Cache-Control', 'no-store');
    const token = c.req.param('token');
    const link = await partnerUserForLink(s, token);
    if (!link) return expired(c);
    const body = await formBody(c);
    const password = body.password ?? '';
    const page = (errors: FieldErrors) => sendPage(c, <SetPasswordPage site={site} token={token} name={link.name} partnerName={link.partnerName} errors={errors} />, 422);
    if (password !== (body.confirmation ?? '')) return page({ confirmation: 'Les deux mots de passe ne sont pas identiques' });
    try {
      await setPartnerPasswordWithLink(s, { token, password, ip: clientIp(c, s.config.trustProxy) });
    } catch (e) {
      if (e instanceof DomainError && e.code === 'weak-password') return page({ password: e.message });
      throw e;
    }
    return c.redirect('/partenaires/connexion?ok=mot-de-passe', 303);
  });

  return app;
}
