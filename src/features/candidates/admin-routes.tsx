import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import type { Site } from '../../areas/public/layout.tsx';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { CandidateRow } from '../../platform/db/schema.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import { DomainError, Forbidden, NotFound } from '../../platform/http/errors.ts';
import { zonedParts } from '../../platform/time.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { reassignReferent } from '../referents/assign-referent.ts';
import { localToday } from '../tasks/task.ts';
import { addAgentEntry } from './add-agent-entry.ts';
import { canActOnMany, canEditFile } from './candidate-file.ts';
import { loadCandidateFile } from './candidate-file-query.ts';
import { entrySchema, fieldErrors, identitySchema, memberSchema, projectSchema, stageSchema, viewNameSchema } from './candidate-schemas.ts';
import { candidatesCsv, candidatesXlsx } from './candidates-export.ts';
import { allCandidates, boardColumns, candidateFiltersSchema, candidateSources, findCandidates, type CandidateFilters } from './candidates-query.ts';
import { chooseCommune, communeLabel, communeSuggestions, describeCommune } from './commune-choice.ts';
import { FORBIDDEN_FILE_MESSAGE, MERGED_FILE_MESSAGE } from './file-access.ts';
import { findDuplicatePairs } from './find-duplicates.ts';
import { describeMember, removeHouseholdMember, saveHouseholdMember } from './household-members.ts';
import { mergeCandidates } from './merge-candidates.ts';
import { moveStage } from './move-stage.ts';
import { deleteView, findOwnView, saveView, savedViewsOf } from './saved-views.ts';
import { updateIdentity, updateProject } from './update-candidate-file.ts';
import { CandidateFilePageView } from './views/candidate-file-page.tsx';
import { EntryPage, IdentityPage, MemberPage, ProjectPage, ReferentPage, RemoveMemberPage, StagePage } from './views/candidate-forms.tsx';
import { BoardPage, CandidatesListPage, DeleteViewPage, DuplicatesPage, MergeConfirmPage, type MergeSide } from './views/candidates-list-pages.tsx';

const flash: Record<string, string> = {
  identite: 'L’identité est enregistrée.',
  projet: 'Le projet est enregistré.',
  'foyer-ajout': 'La personne est ajoutée au foyer.',
  'foyer-modif': 'La personne du foyer est modifiée.',
  'foyer-retrait': 'La personne ne fait plus partie du foyer.',
  note: 'C’est ajouté à l’historique.',
  etape: 'L’étape est changée.',
  referent: 'La fiche est confiée ; la personne choisie est prévenue par e-mail.',
  fusion: 'Les deux fiches sont fusionnées : tout l’historique est ici.',
  inchange: 'Rien n’a changé.',
  // Where the task forms and buttons come back to, from the file.
  tache: 'La tâche est enregistrée.',
  faite: 'La tâche est marquée comme faite.',
  annulee: 'La tâche est annulée.',
  attribuees: 'Les fiches cochées sont confiées.',
  'vue-enregistree': 'La vue est enregistrée.',
  'vue-supprimee': 'La vue est supprimée.',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The candidate files in the back-office: the list (search, filters, saved views, a referent for the
 * rows ticked, exports), the board by stage, a file and its forms, duplicates and their merge. Every
 * agent reads every file; writing is checked on the file itself (canEditFile), in the use case too;
 * exports and merges are for admins (canActOnMany). Refusals are answered 403 and journaled.
 */
export function candidateAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const frame = (c: Context<AdminEnv>) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token, flash: flash[c.req.query('ok') ?? ''] ?? null });
  const by = (c: Context<AdminEnv>) => ({ agent: c.get('agent'), ip: clientIp(c, s.config.trustProxy) });
  const db = s.db.kysely;

  const refuse = async (c: Context<AdminEnv>, message: string): Promise<never> => {
    await recordAudit(db, s.clock.now(), { type: 'agent', id: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) }, 'security.forbidden', null, { path: c.req.path, method: c.req.method });
    throw new Forbidden(message);
  };
  const adminOnly = async (c: Context<AdminEnv>) => {
    if (!canActOnMany(c.get('agent'))) await refuse(c, 'Cette action est réservée aux administrateurs.');
  };
  /** A file the agent may change; anything else is 404, 403 (journaled) or 409 for a merged file. */
  const editable = async (c: Context<AdminEnv>): Promise<CandidateRow> => {
    const file = await db.selectFrom('candidates').selectAll().where('id', '=', c.req.param('id')!).executeTakeFirst();
    if (!file) throw new NotFound('Fiche introuvable');
    if (!canEditFile(c.get('agent'), file)) await refuse(c, FORBIDDEN_FILE_MESSAGE);
    if (file.merged_into_id) throw new DomainError('merged', MERGED_FILE_MESSAGE);
    return file;
  };
  const who = (f: CandidateRow) => ({ id: f.id, name: `${f.first_name} ${f.last_name}` });
  const backToFile = (c: Context<AdminEnv>, id: string, ok: string) => c.redirect(`/admin/candidats/${id}?ok=${ok}`, 303);
  const activeAgents = () => db.selectFrom('agents').select(['id', 'name']).where('status', '=', 'active').orderBy('name').execute();
  const ctx = (c: Context<AdminEnv>) => ({ agentId: c.get('agent').id, now: s.clock.now(), dialect: s.db.dialect });

  // ---------- the list ----------

  const listPage = async (c: Context<AdminEnv>, filters: CandidateFilters, extra: { viewErrors?: FieldErrors; viewName?: string; assignErrors?: FieldErrors; ticked?: string[]; assignAgent?: string } = {}, status: 200 | 422 = 200) => {
    const [{ rows, total }, agents, sources, views] = await Promise.all([findCandidates(db, filters, ctx(c)), activeAgents(), candidateSources(db), savedViewsOf(db, c.get('agent').id)]);
    return sendPage(c, <CandidatesListPage {...frame(c)} filters={filters} rows={rows} total={total} agents={agents} sources={sources} views={views} isAdmin={canActOnMany(c.get('agent'))} {...extra} />, status);
  };
  const filtersFrom = (query: string) => candidateFiltersSchema.parse(Object.fromEntries(new URLSearchParams(query)));

  app.get('/candidats', (c) => listPage(c, candidateFiltersSchema.parse(c.req.query())));

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/candidats/export.${format}`, async (c) => {
      await adminOnly(c);
      const filters = candidateFiltersSchema.parse(c.req.query());
      const rows = await allCandidates(db, filters, ctx(c));
      const communes = new Map((await db.selectFrom('communes').select(['code', 'name', 'postcodes']).execute()).map((r) => [r.code, communeLabel({ name: r.name, postcodes: JSON.parse(r.postcodes) as string[] })]));
      await recordAudit(db, s.clock.now(), { type: 'agent', id: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) }, 'candidates.exported', null, {
        format,
        rows: rows.length,
        filters: Object.fromEntries(Object.entries(filters).filter(([k, v]) => v !== '' && k !== 'page')),
      });
      c.header('Content-Disposition', `attachment; filename="candidats.${format}"`);
      if (format === 'csv') return c.body(candidatesCsv(s.territory, rows, communes), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
      const buf = await candidatesXlsx(s.territory, rows, communes);
      return c.body(new Uint8Array(buf), 200, { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    });
  }

  app.post('/candidats/attribuer', async (c) => {
    const params = c.get('params');
    const back = (params.get('retour') ?? '').startsWith('/admin/candidats') ? params.get('retour')! : '/admin/candidats';
    const ids = [...new Set(params.getAll('ids').filter((id) => UUID.test(id)))];
    const agentId = params.get('agent') ?? '';
    const agents = await activeAgents();
    const errors: FieldErrors = {};
    if (ids.length === 0) errors.ids = 'Cochez au moins une fiche à confier';
    if (!agents.some((a) => a.id === agentId)) errors.agent = 'Choisissez à qui confier les fiches cochées';
    // The rows ticked and the referent chosen stay so: one field forgotten does not undo the other.
    if (Object.keys(errors).length) return listPage(c, filtersFrom(back.split('?')[1] ?? ''), { assignErrors: errors, ticked: ids, assignAgent: agentId }, 422);
    const files = await db.selectFrom('candidates').select(['id', 'referent_id', 'merged_into_id']).where('id', 'in', ids).execute();
    if (files.length !== ids.length || files.some((f) => f.merged_into_id)) throw new NotFound('Une des fiches cochées est introuvable ou fusionnée');
    // All or nothing for the rights: a referent hands over only their files, or takes unassigned ones.
    if (files.some((f) => !canEditFile(c.get('agent'), f))) await refuse(c, 'Une des fiches cochées est suivie par un·e autre référent·e : seul un administrateur peut la confier.');
    for (const f of files) await reassignReferent(s, { candidateId: f.id, agentId, by: c.get('agent'), ip: clientIp(c, s.config.trustProxy) });
    return c.redirect(`${back}${back.includes('?') ? '&' : '?'}ok=attribuees`, 303);
  });

  app.post('/candidats/vues', async (c) => {
    const form = c.get('form');
    const filters = filtersFrom(form.query ?? '');
    const parsed = viewNameSchema.safeParse(form);
    if (!parsed.success) return listPage(c, filters, { viewErrors: fieldErrors(parsed.error), viewName: form.name }, 422);
    const v = await saveView(s, { agentId: c.get('agent').id, name: parsed.data.name, query: form.query ?? '', ip: clientIp(c, s.config.trustProxy) });
    return c.redirect(`/admin/candidats?${v.query ? `${v.query}&` : ''}ok=vue-enregistree`, 303);
  });

  app.get('/candidats/vues/:vid/supprimer', async (c) => {
    const view = await findOwnView(db, c.get('agent').id, c.req.param('vid'));
    return sendPage(c, <DeleteViewPage {...frame(c)} view={view} />);
  });
  app.post('/candidats/vues/:vid/supprimer', async (c) => {
    await findOwnView(db, c.get('agent').id, c.req.param('vid'));
    await deleteView(s, { agentId: c.get('agent').id, viewId: c.req.param('vid'), ip: clientIp(c, s.config.trustProxy) });
    return c.redirect('/admin/candidats?ok=vue-supprimee', 303);
  });

  // ---------- the board ----------

  app.get('/candidats/tableau', async (c) => {
    const mine = c.req.query('referent') === 'moi';
    const columns = await boardColumns(db, 8, mine ? c.get('agent').id : null);
    return sendPage(c, <BoardPage {...frame(c)} columns={columns} mine={mine} />);
  });

  // ---------- duplicates and merge ----------

  app.get('/candidats/doublons', async (c) => {
    await adminOnly(c);
    const forFile = c.req.query('fiche');
    const pairs = await findDuplicatePairs(db, { candidateId: forFile && UUID.test(forFile) ? forFile : undefined });
    return sendPage(c, <DuplicatesPage {...frame(c)} pairs={pairs} forFile={forFile ?? null} />);
  });

  const mergeSide = async (id: string): Promise<MergeSide & { webinars: Array<{ id: string; title: string }> }> => {
    const f = await db
      .selectFrom('candidates as c')
      .leftJoin('agents as a', 'a.id', 'c.referent_id')
      .select(['c.id', 'c.first_name as firstName', 'c.last_name as lastName', 'c.email', 'c.phone', 'c.town', 'c.stage', 'c.created_at as createdAt', 'c.last_activity_at as lastActivityAt', 'a.name as referentName', 'c.first_source as firstSource', 'c.merged_into_id'])
      .where('c.id', '=', id)
      .executeTakeFirst();
    if (!f) throw new NotFound('Fiche introuvable');
    if (f.merged_into_id) throw new DomainError('already-merged', 'Cette fiche a déjà été fusionnée dans une autre');
    const count = async (table: 'registrations' | 'timeline_events' | 'household_members') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('candidate_id', '=', id).executeTakeFirstOrThrow()).n);
    const webinars = await db.selectFrom('registrations').innerJoin('webinars', 'webinars.id', 'registrations.webinar_id').select(['webinars.id', 'webinars.title']).where('registrations.candidate_id', '=', id).execute();
    const { merged_into_id: _m, ...file } = f;
    return { file, registrations: await count('registrations'), events: await count('timeline_events'), members: await count('household_members'), webinars };
  };
  const mergePage = async (c: Context<AdminEnv>, aId: string, bId: string, keep: string, errors: FieldErrors, status: 200 | 422) => {
    if (!UUID.test(aId) || !UUID.test(bId) || aId === bId) throw new NotFound('Choisissez deux fiches différentes à fusionner');
    const [a, b] = await Promise.all([mergeSide(aId), mergeSide(bId)]);
    const shared = a.webinars.filter((w) => b.webinars.some((x) => x.id === w.id)).map((w) => w.title);
    return sendPage(c, <MergeConfirmPage {...frame(c)} a={a} b={b} keep={keep} errors={errors} shared={shared} />, status);
  };

  app.get('/candidats/fusion', async (c) => {
    await adminOnly(c);
    const a = c.req.query('garder') ?? '';
    return mergePage(c, a, c.req.query('absorber') ?? '', a, {}, 200);
  });

  app.post('/candidats/fusion', async (c) => {
    await adminOnly(c);
    const form = c.get('form');
    const a = form.a ?? '';
    const b = form.b ?? '';
    if (form.garder !== a && form.garder !== b) return mergePage(c, a, b, '', { garder: 'Choisissez la fiche à garder' }, 422);
    const keepId = form.garder;
    await mergeCandidates(s, { keepId, absorbId: keepId === a ? b : a, ...by(c) });
    return backToFile(c, keepId, 'fusion');
  });

  // ---------- a file ----------

  app.get('/candidats/:id', async (c) => {
    const page = Number.parseInt(c.req.query('historique') ?? '1', 10);
    const data = await loadCandidateFile(db, c.req.param('id'), Number.isFinite(page) ? page : 1);
    if (!data) throw new NotFound('Fiche introuvable');
    const agent = c.get('agent');
    return sendPage(c, <CandidateFilePageView {...frame(c)} data={data} today={localToday(s.clock.now(), s.territory.timezone)} now={s.clock.now().toISOString()} canEdit={canEditFile(agent, data.file) && !data.file.merged_into_id} isAdmin={canActOnMany(agent)} />);
  });

  app.get('/candidats/:id/identite', async (c) => {
    const f = await editable(c);
    const values = { firstName: f.first_name, lastName: f.last_name, email: f.email, phone: f.phone ?? '', postcode: f.postcode ?? '', town: f.town ?? '', country: f.country ?? '' };
    return sendPage(c, <IdentityPage {...frame(c)} candidate={who(f)} values={values} errors={{}} />);
  });
  app.post('/candidats/:id/identite', async (c) => {
    const f = await editable(c);
    const form = c.get('form');
    const parsed = identitySchema.safeParse(form);
    if (!parsed.success) return sendPage(c, <IdentityPage {...frame(c)} candidate={who(f)} values={form} errors={fieldErrors(parsed.error)} />, 422);
    try {
      const r = await updateIdentity(s, { candidateId: f.id, form: parsed.data, ...by(c) });
      return backToFile(c, f.id, r.changed.length ? 'identite' : 'inchange');
    } catch (e) {
      if (e instanceof DomainError && e.code === 'email-taken') return sendPage(c, <IdentityPage {...frame(c)} candidate={who(f)} values={form} errors={{ email: e.message }} />, 422);
      throw e;
    }
  });

  const projectPage = async (c: Context<AdminEnv>, f: CandidateRow, values: Record<string, string | undefined>, errors: FieldErrors, choices: Awaited<ReturnType<typeof chooseCommune>> | null, status: 200 | 422) => {
    const suggestions = await communeSuggestions(db);
    return sendPage(c, <ProjectPage {...frame(c)} candidate={who(f)} values={values} errors={errors} communeChoices={choices?.kind === 'choose' ? choices.choices : []} suggestions={suggestions} communesLoaded={suggestions.length > 0} />, status);
  };
  app.get('/candidats/:id/projet', async (c) => {
    const f = await editable(c);
    const values = {
      projectType: f.project_type ?? '',
      sector: f.project_sector ?? '',
      maturity: f.project_maturity ?? '',
      horizon: f.horizon ?? '',
      desiredRegion: f.desired_region ?? '',
      commune: (await describeCommune(db, f.desired_commune)) ?? '',
      housingPlan: f.housing_plan ?? '',
      drivingLicence: f.driving_licence === null ? '' : f.driving_licence ? 'oui' : 'non',
    };
    return projectPage(c, f, values, {}, null, 200);
  });
  app.post('/candidats/:id/projet', async (c) => {
    const f = await editable(c);
    const form = c.get('form');
    const parsed = projectSchema(s.territory.regions.map((r) => r.key)).safeParse(form);
    if (!parsed.success) return projectPage(c, f, form, fieldErrors(parsed.error), null, 422);
    const p = parsed.data;
    const choice = await chooseCommune(db, p.commune, p.communeCode);
    if (choice.kind === 'choose') return projectPage(c, f, form, { communeCode: choice.message }, choice, 422);
    if (choice.kind === 'unknown') return projectPage(c, f, form, { commune: choice.message }, null, 422);
    const r = await updateProject(s, {
      candidateId: f.id,
      project: {
        project_type: p.projectType,
        project_sector: p.sector,
        project_maturity: p.maturity,
        horizon: p.horizon,
        // The commune says where: its natural region follows it.
        desired_region: choice.kind === 'found' ? (choice.commune.regionKey ?? p.desiredRegion) : p.desiredRegion,
        desired_commune: choice.kind === 'found' ? choice.commune.code : choice.kind === 'free' ? choice.text : null,
        housing_plan: p.housingPlan,
        driving_licence: p.drivingLicence,
      },
      ...by(c),
    });
    return backToFile(c, f.id, r.changed.length ? 'projet' : 'inchange');
  });

  app.get('/candidats/:id/foyer/nouveau', async (c) => {
    const f = await editable(c);
    return sendPage(c, <MemberPage {...frame(c)} candidate={who(f)} values={{}} errors={{}} memberId={randomUUID()} isNew />);
  });
  app.post('/candidats/:id/foyer/nouveau', async (c) => {
    const f = await editable(c);
    const form = c.get('form');
    const memberId = UUID.test(form.membre ?? '') ? form.membre! : randomUUID();
    const parsed = memberSchema.safeParse(form);
    if (!parsed.success) return sendPage(c, <MemberPage {...frame(c)} candidate={who(f)} values={form} errors={fieldErrors(parsed.error)} memberId={memberId} isNew />, 422);
    await saveHouseholdMember(s, { candidateId: f.id, memberId, isNew: true, form: parsed.data, ...by(c) });
    return backToFile(c, f.id, 'foyer-ajout');
  });
  const loadMember = async (fileId: string, memberId: string) => {
    const m = await db.selectFrom('household_members').selectAll().where('id', '=', memberId).where('candidate_id', '=', fileId).executeTakeFirst();
    if (!m) throw new NotFound('Personne du foyer introuvable');
    return m;
  };
  app.get('/candidats/:id/foyer/:mid', async (c) => {
    const f = await editable(c);
    const m = await loadMember(f.id, c.req.param('mid'));
    const values = { kind: m.kind, firstName: m.first_name ?? '', age: m.age === null ? '' : String(m.age), occupation: m.occupation ?? '', needsJob: m.needs_job ? 'oui' : '', schoolNeed: m.school_need ?? '' };
    return sendPage(c, <MemberPage {...frame(c)} candidate={who(f)} values={values} errors={{}} memberId={m.id} isNew={false} />);
  });
  app.post('/candidats/:id/foyer/:mid', async (c) => {
    const f = await editable(c);
    const m = await loadMember(f.id, c.req.param('mid'));
    const form = c.get('form');
    const parsed = memberSchema.safeParse(form);
    if (!parsed.success) return sendPage(c, <MemberPage {...frame(c)} candidate={who(f)} values={form} errors={fieldErrors(parsed.error)} memberId={m.id} isNew={false} />, 422);
    await saveHouseholdMember(s, { candidateId: f.id, memberId: m.id, isNew: false, form: parsed.data, ...by(c) });
    return backToFile(c, f.id, 'foyer-modif');
  });
  app.get('/candidats/:id/foyer/:mid/retirer', async (c) => {
    const f = await editable(c);
    const m = await loadMember(f.id, c.req.param('mid'));
    return sendPage(c, <RemoveMemberPage {...frame(c)} candidate={who(f)} memberId={m.id} description={describeMember(m).replace(/^./, (x) => x.toUpperCase())} />);
  });
  app.post('/candidats/:id/foyer/:mid/retirer', async (c) => {
    const f = await editable(c);
    await removeHouseholdMember(s, { candidateId: f.id, memberId: c.req.param('mid'), ...by(c) });
    return backToFile(c, f.id, 'foyer-retrait');
  });

  app.get('/candidats/:id/notes/nouvelle', async (c) => {
    const f = await editable(c);
    const today = zonedParts(s.clock.now(), s.territory.timezone).date;
    return sendPage(c, <EntryPage {...frame(c)} candidate={who(f)} values={{ date: today }} errors={{}} submission={randomUUID()} />);
  });
  app.post('/candidats/:id/notes/nouvelle', async (c) => {
    const f = await editable(c);
    const form = c.get('form');
    const submission = UUID.test(form.submission ?? '') ? form.submission! : randomUUID();
    const today = zonedParts(s.clock.now(), s.territory.timezone).date;
    const parsed = entrySchema(today).safeParse(form);
    if (!parsed.success) return sendPage(c, <EntryPage {...frame(c)} candidate={who(f)} values={form} errors={fieldErrors(parsed.error)} submission={submission} />, 422);
    await addAgentEntry(s, { candidateId: f.id, submission, form: parsed.data, ...by(c) });
    return c.redirect(`/admin/candidats/${f.id}?ok=note#historique`, 303);
  });

  app.get('/candidats/:id/etape', async (c) => {
    const f = await editable(c);
    return sendPage(c, <StagePage {...frame(c)} candidate={who(f)} values={{ stage: f.stage ?? 'contact', reason: f.abandon_reason ?? '' }} errors={{}} current={f.stage ?? 'contact'} />);
  });
  app.post('/candidats/:id/etape', async (c) => {
    const f = await editable(c);
    const form = c.get('form');
    const parsed = stageSchema.safeParse(form);
    if (!parsed.success) return sendPage(c, <StagePage {...frame(c)} candidate={who(f)} values={form} errors={fieldErrors(parsed.error)} current={f.stage ?? 'contact'} />, 422);
    const r = await moveStage(s, { candidateId: f.id, stage: parsed.data.stage, reason: parsed.data.reason, ...by(c) });
    return backToFile(c, f.id, r.changed ? 'etape' : 'inchange');
  });

  app.get('/candidats/:id/referent', async (c) => {
    const f = await editable(c);
    const agents = await activeAgents();
    return sendPage(c, <ReferentPage {...frame(c)} candidate={who(f)} values={{ agent: f.referent_id ?? '' }} errors={{}} agents={agents} currentName={agents.find((a) => a.id === f.referent_id)?.name ?? null} />);
  });
  app.post('/candidats/:id/referent', async (c) => {
    const f = await editable(c);
    const agents = await activeAgents();
    const agentId = c.get('form').agent ?? '';
    if (!agents.some((a) => a.id === agentId)) {
      return sendPage(c, <ReferentPage {...frame(c)} candidate={who(f)} values={{ agent: agentId }} errors={{ agent: 'Choisissez un agent actif dans la liste' }} agents={agents} currentName={agents.find((a) => a.id === f.referent_id)?.name ?? null} />, 422);
    }
    const r = await reassignReferent(s, { candidateId: f.id, agentId, by: c.get('agent'), ip: clientIp(c, s.config.trustProxy) });
    return backToFile(c, f.id, r.changed ? 'referent' : 'inchange');
  });

  return app;
}
