import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Site } from '../../areas/public/layout.tsx';
import { clientIp } from '../../platform/http/client-ip.ts';
import { NotFound, TooManyRequests } from '../../platform/http/errors.ts';
import { RateLimiter } from '../../platform/http/rate-limit.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { normalizeEmail } from '../registrations/registration.ts';
import { hashToken, looksLikeToken } from '../registrations/registration-token.ts';
import { sourceSchema } from '../registrations/registration-schemas.ts';
import { firstMissingStep, KEEP_DAYS, readAnswers, STEP_KEYS, stepErrors, stepSchemas, type Answers, type StepKey } from './contact-form.ts';
import { CONTACT_FORM_COOKIE, newContactFormToken } from './contact-form-token.ts';
import { createContactForm, findContactForm, saveStep, type ContactFormRecord } from './contact-forms-repository.ts';
import { submitContactForm } from './submit-contact-form.ts';
import { CheckPage, ConfirmationPage, StartPage, StepPage } from './views/contact-form-pages.tsx';

export interface ContactFormLimits {
  perIp: RateLimiter;
  perEmail: RateLimiter;
}

/** As the registration form (ADR 0005): loose per address (mobile carriers), strict per e-mail. */
export function defaultContactFormLimits(s: Services): ContactFormLimits {
  return { perIp: new RateLimiter(200, 60_000, s.clock), perEmail: new RateLimiter(10, 3_600_000, s.clock) };
}

/** The first contact form (/premier-contact): a start page, one page a step, the check page, the confirmation. */
export function contactFormPublicRoutes(s: Services, site: Site, limits: ContactFormLimits = defaultContactFormLimits(s)) {
  const app = new Hono();
  const isStep = (x: string): x is StepKey => (STEP_KEYS as readonly string[]).includes(x);
  const communes = () => s.db.kysely.selectFrom('communes').select(['code', 'name']).orderBy('name_search').execute();
  const schemas = async () => stepSchemas(s.territory, new Set((await communes()).map((c) => c.code)));
  const limitIp = (c: Context) => {
    const wait = limits.perIp.hit(`ip:${clientIp(c, s.config.trustProxy)}`);
    if (wait) throw new TooManyRequests(wait);
  };
  const keepCookie = (c: Context, token: string) =>
    setCookie(c, CONTACT_FORM_COOKIE, token, { path: '/premier-contact', httpOnly: true, secure: s.config.isHttps, sameSite: 'Lax', maxAge: KEEP_DAYS * 86_400 });
  const base = (token: string) => `/premier-contact/${token}`;

  /** The form of a token from the address; a form already sent goes to its confirmation. */
  const load = async (c: Context): Promise<{ token: string; form: ContactFormRecord }> => {
    const token = c.req.param('token') ?? '';
    if (!looksLikeToken(token)) throw new NotFound('Ce lien n’est pas valide');
    const form = await findContactForm(s.db.kysely, hashToken(token));
    if (!form) throw new NotFound('Ce formulaire n’existe pas ou a été effacé : recommencez depuis la page « Premier contact ».');
    c.header('Cache-Control', 'no-store');
    return { token, form };
  };

  app.get('/premier-contact', async (c) => {
    const cookie = getCookie(c, CONTACT_FORM_COOKIE);
    let resumeUrl: string | null = null;
    if (cookie && looksLikeToken(cookie)) {
      const form = await findContactForm(s.db.kysely, hashToken(cookie));
      if (form && !form.submittedAt) resumeUrl = base(cookie);
    }
    c.header('Cache-Control', 'no-store');
    // A campaign link (?utm_source=…) is kept through the start button, as the file's first source.
    const source = sourceSchema.parse({ utmSource: c.req.query('utm_source') }).utmSource;
    return sendPage(c, <StartPage site={site} resumeUrl={resumeUrl} action={source ? `/premier-contact?utm_source=${encodeURIComponent(source)}` : '/premier-contact'} />);
  });

  app.post('/premier-contact', async (c) => {
    limitIp(c);
    const source = sourceSchema.parse({ utmSource: c.req.query('utm_source') }).utmSource;
    const { token, hash } = newContactFormToken();
    await createContactForm(s.db.kysely, s.clock.now(), hash, source);
    keepCookie(c, token);
    return c.redirect(`${base(token)}/vous`, 303);
  });

  app.get('/premier-contact/:token', async (c) => {
    const { token, form } = await load(c);
    if (form.submittedAt) return c.redirect(`${base(token)}/confirmation`, 303);
    keepCookie(c, token);
    return c.redirect(`${base(token)}/${firstMissingStep(form.answers) ?? 'verifier'}`, 303);
  });

  app.get('/premier-contact/:token/verifier', async (c) => {
    const { token, form } = await load(c);
    if (form.submittedAt) return c.redirect(`${base(token)}/confirmation`, 303);
    const read = readAnswers(form.answers, await schemas());
    if (!read.ok) return c.redirect(`${base(token)}/${read.step}`, 303);
    const communeName = read.values.lieu.commune ? ((await s.db.kysely.selectFrom('communes').select('name').where('code', '=', read.values.lieu.commune).executeTakeFirst())?.name ?? null) : null;
    return sendPage(c, <CheckPage site={site} token={token} values={read.values} communeName={communeName} />);
  });

  app.post('/premier-contact/:token/verifier', async (c) => {
    limitIp(c);
    const { token, form } = await load(c);
    if (form.submittedAt) return c.redirect(`${base(token)}/confirmation`, 303);
    const read = readAnswers(form.answers, await schemas());
    if (!read.ok) return c.redirect(`${base(token)}/${read.step}`, 303);
    const wait = limits.perEmail.hit(`email:${normalizeEmail(read.values.vous.email)}`);
    if (wait) throw new TooManyRequests(wait);
    await submitContactForm(s, { formId: form.id, values: read.values, source: form.answers.source ?? null, ip: clientIp(c, s.config.trustProxy) });
    return c.redirect(`${base(token)}/confirmation`, 303);
  });

  app.get('/premier-contact/:token/confirmation', async (c) => {
    const { token, form } = await load(c);
    if (!form.submittedAt) return c.redirect(base(token), 303);
    deleteCookie(c, CONTACT_FORM_COOKIE, { path: '/premier-contact', secure: s.config.isHttps });
    return sendPage(c, <ConfirmationPage site={site} />);
  });

  app.get('/premier-contact/:token/:step', async (c) => {
    const step = c.req.param('step');
    if (!isStep(step)) throw new NotFound();
    const { token, form } = await load(c);
    if (form.submittedAt) return c.redirect(`${base(token)}/confirmation`, 303);
    // One page after another: a step further than the first unanswered one sends back to that one.
    const missing = firstMissingStep(form.answers);
    if (missing && STEP_KEYS.indexOf(step) > STEP_KEYS.indexOf(missing)) return c.redirect(`${base(token)}/${missing}`, 303);
    keepCookie(c, token);
    return sendPage(c, <StepPage site={site} token={token} step={step} values={form.answers[step] ?? {}} errors={{}} fromCheck={c.req.query('retour') === 'verifier'} communes={step === 'lieu' ? await communes() : []} />);
  });

  app.post('/premier-contact/:token/:step', async (c) => {
    limitIp(c);
    const step = c.req.param('step');
    if (!isStep(step)) throw new NotFound();
    const { token, form } = await load(c);
    if (form.submittedAt) return c.redirect(`${base(token)}/confirmation`, 303);
    const params = new URLSearchParams(c.req.header('content-type')?.startsWith('application/x-www-form-urlencoded') ? await c.req.text() : '');
    const fromCheck = params.get('retour') === 'verifier';
    // A filled honeypot is a robot: answered as a person would be, nothing is kept.
    if (params.get('website')) return c.redirect(`${base(token)}/${STEP_KEYS[STEP_KEYS.indexOf(step) + 1] ?? 'verifier'}`, 303);
    const raw: Record<string, string | string[]> = {};
    for (const k of new Set(params.keys())) if (k !== 'retour' && k !== 'website') raw[k] = k === 'needs' ? params.getAll(k) : (params.get(k) ?? '');
    if (step === 'aide' && !raw.needs) raw.needs = [];
    const parsed = (await schemas())[step].safeParse(raw);
    if (!parsed.success) {
      return sendPage(c, <StepPage site={site} token={token} step={step} values={raw} errors={stepErrors(parsed.error, step)} fromCheck={fromCheck} communes={step === 'lieu' ? await communes() : []} />, 422);
    }
    if (step === 'vous') {
      const wait = limits.perEmail.peek(`email:${normalizeEmail(String(raw.email))}`);
      if (wait) throw new TooManyRequests(wait);
    }
    const answers: Answers = { ...form.answers, [step]: raw };
    await saveStep(s.db.kysely, s.clock.now(), form.id, answers, step);
    keepCookie(c, token);
    const next = fromCheck ? 'verifier' : (STEP_KEYS[STEP_KEYS.indexOf(step) + 1] ?? 'verifier');
    return c.redirect(`${base(token)}/${next}`, 303);
  });

  return app;
}
