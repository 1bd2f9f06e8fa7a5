import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import type { Site } from '../../areas/public/layout.tsx';
import { clientIp } from '../../platform/http/client-ip.ts';
import { NotFound } from '../../platform/http/errors.ts';
import { formatShortDate, formatTime } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { Choice } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { openImport, sealImport } from './carried-import.ts';
import { applyZoomImport, previewZoomImport, ZoomImportRefused, type ImportField } from './import-zoom-reports.ts';
import { MAX_REPORT_BYTES } from './zoom-reports.ts';
import { ZoomImportDonePage, ZoomImportFormPage, ZoomImportPreviewPage, type ImportErrors, type ImportRecord } from './views/zoom-import-pages.tsx';

/**
 * Importing Zoom's reports from the back-office: upload (multipart; the guard has checked the CSRF
 * token), preview, confirm. The files travel from the preview to the confirmation in the page, signed
 * (see carried-import.ts), and the confirmation redirects to the record of what was done.
 */
export function importAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const frame = (c: Context<AdminEnv>) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token });
  const actor = (c: Context<AdminEnv>) => ({ type: 'agent' as const, id: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) });
  const zone = s.territory.timezone;

  /** Rencontres an import can be attached to, latest first. */
  async function webinarChoices(): Promise<Choice[]> {
    const rows = await s.db.kysely.selectFrom('webinars').select(['id', 'title', 'starts_at']).where('status', '!=', 'cancelled').orderBy('starts_at', 'desc').limit(200).execute();
    return rows.map((r) => ({ value: r.id, label: `${formatShortDate(r.starts_at, zone)}, ${formatTime(r.starts_at, zone)} – ${r.title}` }));
  }

  const form = async (c: Context<AdminEnv>, values: { webinar: string; zone: string }, errors: ImportErrors, status: 200 | 422 = 200) =>
    sendPage(c, <ZoomImportFormPage {...frame(c)} values={values} errors={errors} webinars={await webinarChoices()} />, status);

  const toFieldErrors = (e: ZoomImportRefused): ImportErrors => {
    const out: ImportErrors = {};
    for (const [field, list] of Object.entries(e.problems) as Array<[ImportField, string[]]>) {
      // A problem of the pair of files is shown on the first file field.
      const at = field === 'files' ? 'registrations' : field;
      out[at] = [...(out[at] ?? []), ...list.map(capitalise)];
    }
    return out;
  };

  app.get('/imports/zoom', (c) => form(c, { webinar: c.req.query('rencontre') ?? '', zone }, {}));

  app.post('/imports/zoom', async (c) => {
    const body = await c.req.parseBody();
    const values = { webinar: str(body.webinar), zone: str(body.zone) || zone };
    const errors: ImportErrors = {};
    const files: { registrations: Uint8Array | null; attendees: Uint8Array | null } = { registrations: null, attendees: null };
    for (const field of ['registrations', 'attendees'] as const) {
      const f = body[field];
      // A file input left empty is still sent, with no name and no content.
      if (!(f instanceof File) || (f.size === 0 && f.name === '')) continue;
      if (f.size > MAX_REPORT_BYTES) errors[field] = [`Le fichier « ${f.name} » fait ${megabytes(f.size)} Mo : un rapport importé doit faire ${megabytes(MAX_REPORT_BYTES)} Mo au plus.`];
      else if (f.size === 0) errors[field] = [`Le fichier « ${f.name} » est vide.`];
      else files[field] = new Uint8Array(await f.arrayBuffer());
    }
    if (!errors.registrations && !errors.attendees && !files.registrations && !files.attendees) {
      errors.registrations = ['Choisissez au moins un des deux rapports exportés de Zoom : le rapport d’inscription ou le rapport de participation.'];
    }
    if (Object.keys(errors).length) return form(c, values, errors, 422);
    const input = { registrationsCsv: files.registrations, attendeesCsv: files.attendees, webinarId: values.webinar || null, zone: values.zone };
    try {
      const preview = await previewZoomImport(s, input);
      const text = (b: Uint8Array | null) => (b ? new TextDecoder('utf-8').decode(b).replace(/^\uFEFF/, '') : null);
      const sealed = sealImport(s.tokenKey, {
        registrations: text(files.registrations),
        attendees: text(files.attendees),
        webinarId: input.webinarId,
        zone: values.zone,
        agentId: c.get('agent').id,
        issuedAt: s.clock.now().getTime(),
      });
      return sendPage(c, <ZoomImportPreviewPage {...frame(c)} preview={preview} sealed={sealed} zone={zone} />);
    } catch (e) {
      if (e instanceof ZoomImportRefused) return form(c, values, toFieldErrors(e), 422);
      throw e;
    }
  });

  app.post('/imports/zoom/confirmer', async (c) => {
    const f = c.get('form');
    const opened = openImport(s.tokenKey, { payload: f.payload, mac: f.mac }, { agentId: c.get('agent').id, now: s.clock.now() });
    if (!opened.ok) {
      const why =
        opened.reason === 'expired'
          ? 'L’aperçu date de plus de deux heures : choisissez à nouveau les fichiers pour le revoir avant d’importer.'
          : 'L’aperçu envoyé n’est pas celui que la plateforme a préparé pour vous : choisissez à nouveau les fichiers.';
      return form(c, { webinar: '', zone }, { registrations: [why] }, 422);
    }
    const d = opened.data;
    try {
      const outcome = await applyZoomImport(s, { registrationsCsv: d.registrations, attendeesCsv: d.attendees, webinarId: d.webinarId, zone: d.zone, actor: actor(c) });
      return c.redirect(`/admin/imports/zoom/rencontres/${outcome.webinarId}`, 303);
    } catch (e) {
      // The database changed since the preview (a Rencontre added that day…): say so, nothing written.
      if (e instanceof ZoomImportRefused) return form(c, { webinar: d.webinarId ?? '', zone: d.zone ?? zone }, toFieldErrors(e), 422);
      throw e;
    }
  });

  app.get('/imports/zoom/rencontres/:id', async (c) => {
    const id = c.req.param('id');
    const webinar = await s.db.kysely.selectFrom('webinars').select(['id', 'title', 'starts_at', 'ends_at']).where('id', '=', id).executeTakeFirst();
    const entry = webinar
      ? await s.db.kysely
          .selectFrom('audit_log')
          .leftJoin('agents', (j) => j.onRef('agents.id', '=', 'audit_log.actor_id'))
          .select(['audit_log.at', 'audit_log.details', 'agents.name'])
          .where('audit_log.action', '=', 'import.zoom')
          .where('audit_log.subject_type', '=', 'webinar')
          .where('audit_log.subject_id', '=', id)
          .orderBy('audit_log.at', 'desc')
          .limit(1)
          .executeTakeFirst()
      : undefined;
    if (!webinar || !entry) throw new NotFound('Aucun import de rapports Zoom n’est enregistré pour cette Rencontre.');
    const record: ImportRecord = {
      at: entry.at,
      by: entry.name ?? null,
      webinar: { id: webinar.id, title: webinar.title, startsAt: webinar.starts_at, endsAt: webinar.ends_at },
      details: JSON.parse(entry.details) as ImportRecord['details'],
    };
    return sendPage(c, <ZoomImportDonePage {...frame(c)} record={record} zone={zone} />);
  });

  return app;
}

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const capitalise = (m: string) => m.replace(/^./, (x) => x.toUpperCase());
const megabytes = (n: number) => (n / (1024 * 1024)).toLocaleString('fr-FR', { maximumFractionDigits: 1 });
