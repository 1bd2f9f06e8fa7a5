import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { setCookie } from 'hono/cookie';
import { z } from 'zod';
import { PublicPage, type Site } from '../../areas/public/layout.tsx';
import { DomainError } from '../../platform/http/errors.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { Button, ErrorSummary, TextInput, type FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { MIN_PASSWORD_LENGTH } from './agent.ts';
import type { SignInResult } from './sign-in.ts';

/**
 * The pages and answers that signing in to a space and choosing a password by a one-time link share,
 * whoever the account belongs to (an agent of the team, a user of a partner organisation): each space
 * gives its addresses, its words and its own account functions.
 */

export const signInSchema = z.object({
  email: z.string().trim().min(1, 'Saisissez votre adresse e-mail').max(254, 'L’adresse e-mail est trop longue').pipe(z.email('Saisissez une adresse e-mail valide, comme nom@exemple.fr')),
  password: z.string().min(1, 'Saisissez votre mot de passe').max(1024, 'Le mot de passe est trop long'),
});

/** The message the sign-in page shows after a password was chosen or a sign-out, from its `ok` query. */
export function signInNotice(ok: string | undefined): string | undefined {
  if (ok === 'mot-de-passe') return 'Votre mot de passe est enregistré : vous pouvez vous connecter.';
  if (ok === 'deconnecte') return 'Vous êtes déconnecté·e.';
  return undefined;
}

export interface SignInPageProps {
  site: Site;
  /** "l’espace de gestion", "l’espace partenaires". */
  spaceName: string;
  action: string;
  /** Who the space is for, above the form. */
  intro?: Child;
  /** What to do about a forgotten password, under the form. */
  forgotten: Child;
  values: Record<string, string>;
  errors: FieldErrors;
  back: string;
  notice?: string;
}

export function SignInPage(p: SignInPageProps) {
  const title = `Connexion à ${p.spaceName}`;
  return (
    <PublicPage site={p.site} title={title} hasError={Object.keys(p.errors).length > 0} noindex>
      <div class="container">
        <h1>{title}</h1>
        {p.notice ? (
          <div class="notice notice--success" role="status">
            <p>{p.notice}</p>
          </div>
        ) : null}
        {p.intro ? <p>{p.intro}</p> : null}
        <form method="post" action={p.action} novalidate>
          <ErrorSummary errors={p.errors} order={['email', 'password']} />
          <input type="hidden" name="retour" value={p.back} />
          <TextInput name="email" type="email" label="Adresse e-mail" value={p.values.email} errors={p.errors} autocomplete="username" spellcheck={false} width="half" />
          <TextInput name="password" type="password" label="Mot de passe" value="" errors={p.errors} autocomplete="current-password" width="half" />
          <Button>Se connecter</Button>
        </form>
        <p>{p.forgotten}</p>
      </div>
    </PublicPage>
  );
}

export function SetPasswordPage(p: { site: Site; action: string; /** Hello and what the account opens, before the advice on passwords. */ greeting: Child; errors: FieldErrors }) {
  return (
    <PublicPage site={p.site} title="Choisir mon mot de passe" hasError={Object.keys(p.errors).length > 0} noindex>
      <div class="container">
        <h1>Choisir mon mot de passe</h1>
        <p>
          {p.greeting} Choisissez un mot de passe d’au moins {MIN_PASSWORD_LENGTH} caractères : une phrase de quelques mots est facile à retenir et difficile à deviner.
        </p>
        <form method="post" action={p.action} novalidate>
          <ErrorSummary errors={p.errors} order={['password', 'confirmation']} />
          <TextInput name="password" type="password" label="Nouveau mot de passe" hint={`Au moins ${MIN_PASSWORD_LENGTH} caractères, sans autre règle.`} value="" errors={p.errors} autocomplete="new-password" width="half" />
          <TextInput name="confirmation" type="password" label="Le même mot de passe, une seconde fois" value="" errors={p.errors} autocomplete="new-password" width="half" />
          <Button>Enregistrer mon mot de passe</Button>
        </form>
      </div>
    </PublicPage>
  );
}

export function LinkExpiredPage(p: { site: Site; /** Whom to ask for a new link. */ help: Child }) {
  return (
    <PublicPage site={p.site} title="Lien expiré" noindex>
      <div class="container">
        <h1>Ce lien n’est plus valable</h1>
        <p>Il a déjà servi ou il a expiré. {p.help}</p>
      </div>
    </PublicPage>
  );
}

/**
 * The answer to a sign-in form: the form again with its errors at the fields (422), or with the wait
 * when too many attempts were made (429, Retry-After), or the session cookie and the way back (303).
 */
export async function answerSignIn(
  c: Context,
  s: Services,
  p: {
    body: Record<string, string>;
    back: string;
    signIn: (input: { email: string; password: string; userAgent: string | null }) => Promise<SignInResult>;
    page: (errors: FieldErrors) => Child;
    cookieName: string;
    sessionMs: number;
  },
): Promise<Response> {
  c.header('Cache-Control', 'no-store');
  const parsed = signInSchema.safeParse(p.body);
  if (!parsed.success) {
    const errors: FieldErrors = {};
    for (const i of parsed.error.issues) errors[String(i.path[0])] ??= i.message;
    return sendPage(c, p.page(errors), 422);
  }
  const result = await p.signIn({ email: parsed.data.email, password: parsed.data.password, userAgent: c.req.header('user-agent') ?? null });
  if (!result.ok) {
    if (result.reason === 'throttled') {
      const minutes = Math.ceil(result.retryAfterSeconds / 60);
      c.header('Retry-After', String(result.retryAfterSeconds));
      return sendPage(c, p.page({ email: `Trop de tentatives : réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}` }), 429);
    }
    // One message for a wrong e-mail and a wrong password: nobody learns which addresses have an account.
    return sendPage(c, p.page({ email: 'Adresse e-mail ou mot de passe incorrect', password: 'Adresse e-mail ou mot de passe incorrect' }), 422);
  }
  setCookie(c, p.cookieName, result.token, { httpOnly: true, secure: s.config.isHttps, sameSite: 'Lax', path: '/', maxAge: Math.floor(p.sessionMs / 1000) });
  return c.redirect(p.back, 303);
}

/**
 * The answer to a new password sent by a one-time link: the form again when the two differ or the
 * password is too weak (422), else the sign-in page with its notice (303).
 */
export async function answerSetPassword(c: Context, p: { body: Record<string, string>; page: (errors: FieldErrors) => Child; setPassword: (password: string) => Promise<unknown>; signInPath: string }): Promise<Response> {
  c.header('Cache-Control', 'no-store');
  const password = p.body.password ?? '';
  if (password !== (p.body.confirmation ?? '')) return sendPage(c, p.page({ confirmation: 'Les deux mots de passe ne sont pas identiques' }), 422);
  try {
    await p.setPassword(password);
  } catch (e) {
    if (e instanceof DomainError && e.code === 'weak-password') return sendPage(c, p.page({ password: e.message }), 422);
    throw e;
  }
  return c.redirect(`${p.signInPath}?ok=mot-de-passe`, 303);
}
