import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import type { Site } from '../../areas/public/layout.tsx';
import { clientIp } from '../../platform/http/client-ip.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { searchCommunes } from '../territory/communes.ts';
import { pageKey, type PageRef } from './content.ts';
import { contentPages, staleFigures, type ContentPage } from './content-base.ts';
import { addContentImage, ImageRefused, prepareWebImage } from './content-images.ts';
import { findVersion, imageIdsOf, latestVersion, latestVersions, listVersions } from './content-repository.ts';
import { documentToValues, parseContentForm, type FieldErrors, type FormValues } from './content-schemas.ts';
import { restoreContentVersion, saveContentPage } from './save-content.ts';
import { CommunesSearchPage, ContentEditPage, ContentHistoryPage, ContentListPage, ContentVersionPage, adminPagePath } from './views/content-admin-pages.tsx';

const flash: Record<string, string> = {
  enregistree: 'La nouvelle version est enregistrée : le site et les diaporamas l’affichent déjà.',
  image: 'L’image est ajoutée à la page.',
  restauree: 'La version est restaurée : c’est la nouvelle version actuelle.',
};

type Env = Context<AdminEnv>;

function refFrom(kind: string, key: string): PageRef | null {
  if (kind === 'sections') return { kind: 'section', key };
  if (kind === 'regions') return { kind: 'region', key };
  return null;
}

/** Loads one page of the content base from the address, or 404 for a page the territory does not have. */
async function loadPage(s: Services, kind: string, key: string): Promise<ContentPage> {
  const ref = refFrom(kind, key);
  if (!ref) throw new NotFound('Cette page de contenu n’existe pas.');
  const k = pageKey(ref);
  const latest = await latestVersion(s.db.kysely, k);
  const page = contentPages(s.territory, new Map(latest ? [[k, latest]] : [])).find((p) => p.key === k);
  if (!page) throw new NotFound('Cette page de contenu n’existe pas.');
  return page;
}

function shared(s: Services, site: Site) {
  const frame = (c: Env) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token, flash: flash[c.req.query('ok') ?? ''] ?? null });
  const actor = (c: Env) => ({ type: 'agent' as const, id: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) });
  const renderEdit = (c: Env, page: ContentPage, opts: { values?: FormValues; errors?: FieldErrors; uploadErrors?: FieldErrors; uploadValues?: FormValues } = {}, status: 200 | 409 | 422 = 200) =>
    sendPage(
      c,
      <ContentEditPage
        {...frame(c)}
        page={page}
        values={opts.values ?? documentToValues(page.document, page.version?.number ?? 0)}
        errors={opts.errors ?? {}}
        uploadErrors={opts.uploadErrors ?? {}}
        uploadValues={opts.uploadValues ?? {}}
        now={s.clock.now()}
      />,
      status,
    );
  return { frame, actor, renderEdit };
}

/** The content base in the back-office: the pages, their edit forms, their history, and the communes. */
export function contentAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const { frame, actor, renderEdit } = shared(s, site);

  app.get('/contenus', async (c) => {
    const pages = contentPages(s.territory, await latestVersions(s.db.kysely));
    const count = await s.db.kysely
      .selectFrom('communes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return sendPage(c, <ContentListPage {...frame(c)} pages={pages} stale={staleFigures(pages, s.clock.now())} communes={Number(count.n)} />);
  });

  // One set of routes per kind of page; the address names it (sections/acces, regions/aubrac).
  for (const kind of ['sections', 'regions'] as const) {
    app.get(`/contenus/${kind}/:key`, async (c) => renderEdit(c, await loadPage(s, kind, c.req.param('key'))));

    app.post(`/contenus/${kind}/:key`, async (c) => {
      const page = await loadPage(s, kind, c.req.param('key'));
      const values = c.get('form');
      const parsed = parseContentForm(values, await imageIdsOf(s.db.kysely, page.key));
      if ('errors' in parsed) return renderEdit(c, page, { values, errors: parsed.errors }, 422);
      try {
        await saveContentPage(s, { pageKey: page.key, base: parsed.base, document: parsed.document, comment: parsed.comment, agent: c.get('agent'), actor: actor(c) });
      } catch (e) {
        if (e instanceof DomainError && e.code === 'content-conflict') {
          // Their text is kept in the form; the version they now build on is the latest one.
          const fresh = await loadPage(s, kind, c.req.param('key'));
          return renderEdit(c, fresh, { values: { ...values, base: String(fresh.version?.number ?? 0) }, errors: { title: e.message } }, 409);
        }
        throw e;
      }
      return c.redirect(`${adminPagePath(page)}?ok=enregistree`, 303);
    });

    app.get(`/contenus/${kind}/:key/versions`, async (c) => {
      const page = await loadPage(s, kind, c.req.param('key'));
      return sendPage(c, <ContentHistoryPage {...frame(c)} page={page} versions={await listVersions(s.db.kysely, page.key)} />);
    });

    app.get(`/contenus/${kind}/:key/versions/:n`, async (c) => {
      const page = await loadPage(s, kind, c.req.param('key'));
      const n = c.req.param('n');
      const version = /^[1-9][0-9]{0,8}$/.test(n) ? await findVersion(s.db.kysely, page.key, Number(n)) : undefined;
      if (!version || !page.version) throw new NotFound('Cette version n’existe pas.');
      return sendPage(c, <ContentVersionPage {...frame(c)} page={page} version={version} current={page.version} />);
    });

    app.post(`/contenus/${kind}/:key/versions/:n/restaurer`, async (c) => {
      const page = await loadPage(s, kind, c.req.param('key'));
      const base = Number.parseInt(c.get('form').base ?? '', 10);
      const n = c.req.param('n');
      if (!/^[1-9][0-9]{0,8}$/.test(n)) throw new NotFound('Cette version n’existe pas.');
      await restoreContentVersion(s, { pageKey: page.key, number: Number(n), base: Number.isInteger(base) ? base : -1, agent: c.get('agent'), actor: actor(c) });
      return c.redirect(`${adminPagePath(page)}?ok=restauree`, 303);
    });

    /**
     * An image for a page, as multipart: the application lets such a body reach 8 MB only behind a
     * session (app.tsx); the guard has already checked the CSRF token read from it.
     */
    app.post(`/contenus/${kind}/:key/images`, async (c) => {
      const page = await loadPage(s, kind, c.req.param('key'));
      const body = await c.req.parseBody();
      const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
      const uploadValues = { alt: text('alt'), caption: text('caption'), credit: text('credit') };
      const errors: FieldErrors = {};
      const file = body.file;
      let bytes: Uint8Array | null = null;
      if (!(file instanceof File) || file.size === 0) errors.file = 'Choisissez une photo à envoyer.';
      else bytes = new Uint8Array(await file.arrayBuffer());
      if (!uploadValues.alt) errors.alt = 'Décrivez l’image pour les personnes qui ne la voient pas : le texte alternatif est obligatoire.';
      else if (uploadValues.alt.length > 250) errors.alt = 'Le texte alternatif est trop long : 250 caractères au plus.';
      let image: Awaited<ReturnType<typeof prepareWebImage>> | null = null;
      if (bytes) {
        try {
          image = await prepareWebImage(bytes);
        } catch (e) {
          if (!(e instanceof ImageRefused)) throw e;
          errors.file = e.message;
        }
      }
      if (Object.keys(errors).length || !image) return renderEdit(c, page, { uploadErrors: errors, uploadValues }, 422);
      const base = Number.parseInt(text('base'), 10);
      try {
        await addContentImage(s, { pageKey: page.key, base: Number.isInteger(base) ? base : -1, image, ...uploadValues, currentDocument: page.document, agent: c.get('agent'), actor: actor(c) });
      } catch (e) {
        if (e instanceof DomainError && e.code === 'content-conflict') return renderEdit(c, page, { uploadErrors: { file: e.message }, uploadValues }, 409);
        throw e;
      }
      return c.redirect(`${adminPagePath(page)}?ok=image#ajouter-une-image`, 303);
    });
  }

  app.get('/communes', async (c) => {
    const query = (c.req.query('q') ?? '').slice(0, 80);
    const [results, total] = await Promise.all([
      query.trim() ? searchCommunes(s.db.kysely, query, { limit: 50 }) : Promise.resolve(null),
      s.db.kysely
        .selectFrom('communes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return sendPage(c, <CommunesSearchPage {...frame(c)} query={query} results={results} total={Number(total.n)} />);
  });

  return app;
}
