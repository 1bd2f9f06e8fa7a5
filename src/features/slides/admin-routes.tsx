import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import type { Site } from '../../areas/public/layout.tsx';
import { clientIp } from '../../platform/http/client-ip.ts';
import { NotFound } from '../../platform/http/errors.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { findWebinarById } from '../webinars/webinars-repository.ts';
import type { PlanChange } from './deck.ts';
import { buildDeck, changeSlidePlan, newCustomSlideId, resetSlidePlan, type Deck } from './slide-deck.ts';
import { NotesPage, PresenterPage, PrintPage, presenterScript, SlidesConfirmPage, SlidesEditorPage } from './views/slides-pages.tsx';

type Env = Context<AdminEnv>;

const flash: Record<string, string> = {
  modifie: 'Le diaporama de cette Rencontre est modifié.',
  ajoutee: 'La diapositive est ajoutée.',
  retiree: 'La diapositive est retirée du diaporama de cette Rencontre.',
  reinitialise: 'Le diaporama suit de nouveau le plan d’origine.',
};

/** A Rencontre's slides in the back-office: the outline to adjust, the presenter view, the notes, the print view. */
export function slidesAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const frame = (c: Env) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token, flash: flash[c.req.query('ok') ?? ''] ?? null });
  const actor = (c: Env) => ({ type: 'agent' as const, id: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) });
  const load = async (c: Env) => {
    const w = await findWebinarById(s.db.kysely, c.req.param('id') ?? '');
    if (!w) throw new NotFound('Rencontre introuvable');
    return buildDeck(s, w);
  };
  const path = (d: Deck) => `/admin/rencontres/${d.webinar.id}/diaporama`;
  const slideNumber = (c: Env, d: Deck) => {
    const raw = c.req.param('n') ?? '';
    const n = /^[1-9][0-9]{0,3}$/.test(raw) ? Number(raw) : 0;
    if (n < 1 || n > d.slides.length) throw new NotFound('Cette diapositive n’existe pas.');
    return n;
  };
  const change = async (c: Env, d: Deck, ch: PlanChange, ok = 'modifie') => {
    await changeSlidePlan(s, { webinar: d.webinar, change: ch, agent: c.get('agent'), actor: actor(c) });
    return c.redirect(`${path(d)}?ok=${ok}`, 303);
  };
  const known = (d: Deck, ref: string | undefined) => {
    if (!ref || !d.plan.items.some((i) => i.ref === ref)) throw new NotFound('Cette diapositive n’est pas dans le diaporama.');
    return ref;
  };

  app.get('/rencontres/:id/diaporama', async (c) => sendPage(c, <SlidesEditorPage {...frame(c)} deck={await load(c)} errors={{}} values={{}} />));

  app.post('/rencontres/:id/diaporama/deplacer', async (c) => {
    const d = await load(c);
    return change(c, d, { kind: 'move', ref: known(d, c.get('form').ref), by: c.get('form').sens === 'haut' ? -1 : 1 });
  });

  app.post('/rencontres/:id/diaporama/masquer', async (c) => {
    const d = await load(c);
    return change(c, d, { kind: 'toggle', ref: known(d, c.get('form').ref) });
  });

  app.post('/rencontres/:id/diaporama/rubrique', async (c) => {
    const d = await load(c);
    const key = c.get('form').key ?? '';
    if (!d.missingSections.some((p) => p.ref.key === key)) throw new NotFound('Cette rubrique n’existe pas ou est déjà dans le diaporama.');
    return change(c, d, { kind: 'add-section', key });
  });

  app.post('/rencontres/:id/diaporama/ajouter', async (c) => {
    const d = await load(c);
    const f = c.get('form');
    const values = { title: (f.title ?? '').trim(), body: (f.body ?? '').replace(/\r\n/g, '\n').trim(), notes: (f.notes ?? '').replace(/\r\n/g, '\n').trim(), after: f.after ?? '' };
    const errors: FieldErrors = {};
    if (!values.title) errors.title = 'Saisissez le titre de la diapositive.';
    else if (values.title.length > 120) errors.title = 'Le titre est trop long : 120 caractères au plus.';
    if (values.body.length > 2000) errors.body = 'Le texte est trop long pour une diapositive : 2 000 caractères au plus.';
    if (values.notes.length > 5000) errors.notes = 'Les notes sont trop longues : 5 000 caractères au plus.';
    if (values.after && !d.plan.items.some((i) => i.ref === values.after)) errors.after = 'Choisissez la place de la diapositive dans la liste.';
    if (Object.keys(errors).length) return sendPage(c, <SlidesEditorPage {...frame(c)} deck={d} errors={errors} values={values} />, 422);
    return change(c, d, { kind: 'add-custom', id: newCustomSlideId(), slide: { title: values.title, body: values.body, notes: values.notes }, after: values.after || null }, 'ajoutee');
  });

  app.get('/rencontres/:id/diaporama/retirer', async (c) => {
    const d = await load(c);
    const ref = known(d, c.req.query('ref'));
    const line = d.lines.find((l) => l.ref === ref)!;
    const message =
      line.source === 'custom'
        ? `La diapositive « ${line.title} », ajoutée pour cette Rencontre, sera effacée. Pour seulement ne pas la montrer, choisissez plutôt « Masquer ».`
        : `La rubrique « ${line.title} » ne sera plus dans le diaporama de cette Rencontre ; son contenu reste dans la base, et vous pourrez la rajouter.`;
    return sendPage(c, <SlidesConfirmPage {...frame(c)} deck={d} title={`Retirer « ${line.title} » ?`} message={message} action={`${path(d)}/retirer`} fields={{ ref }} confirm="Oui, retirer la diapositive" />);
  });

  app.post('/rencontres/:id/diaporama/retirer', async (c) => {
    const d = await load(c);
    return change(c, d, { kind: 'remove', ref: known(d, c.get('form').ref) }, 'retiree');
  });

  app.get('/rencontres/:id/diaporama/reinitialiser', async (c) => {
    const d = await load(c);
    return sendPage(
      c,
      <SlidesConfirmPage
        {...frame(c)}
        deck={d}
        title="Revenir au plan d’origine ?"
        message="Les ajustements de cette Rencontre seront perdus : l’ordre, les diapositives masquées ou retirées, et les diapositives ajoutées. Le diaporama suivra de nouveau le plan du territoire."
        action={`${path(d)}/reinitialiser`}
        fields={{}}
        confirm="Oui, revenir au plan d’origine"
      />,
    );
  });

  app.post('/rencontres/:id/diaporama/reinitialiser', async (c) => {
    const d = await load(c);
    await resetSlidePlan(s, { webinar: d.webinar, actor: actor(c) });
    return c.redirect(`${path(d)}?ok=reinitialise`, 303);
  });

  app.get('/rencontres/:id/diaporama/presenter/:n', async (c) => {
    const d = await load(c);
    return sendPage(c, <PresenterPage site={site} deck={d} current={slideNumber(c, d)} now={s.clock.now()} />);
  });

  app.get('/rencontres/:id/diaporama/notes/:n', async (c) => {
    const d = await load(c);
    return sendPage(c, <NotesPage site={site} deck={d} current={slideNumber(c, d)} now={s.clock.now()} />);
  });

  app.get('/rencontres/:id/diaporama/imprimer', async (c) => sendPage(c, <PrintPage site={site} deck={await load(c)} />));

  return app;
}

/** The presenter's small script, outside /admin (it holds nothing private), cached for a year under its hash. */
export function slidesStaticRoutes() {
  const app = new Hono();
  app.get(presenterScript.href, (c) => {
    if (c.req.header('if-none-match') === presenterScript.etag) return c.body(null, 304);
    return c.body(presenterScript.body, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=31536000, immutable', ETag: presenterScript.etag });
  });
  return app;
}
