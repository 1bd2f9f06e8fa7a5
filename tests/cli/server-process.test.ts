import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connect, type Db } from '../../src/platform/db/database.ts';
import { formFields } from '../support/fixtures.ts';
import { Child, childEnv, eventually, ROOT, tempDir } from './processes.ts';

// A real `npm start` process: its start seeds the demo and hashes four passwords, on a shared machine.
vi.setConfig({ testTimeout: 120_000 });

describe('npm start, as a newcomer runs it', () => {
  let tmp: ReturnType<typeof tempDir>;
  let app: Child;
  const opened: Db[] = [];

  beforeEach(() => {
    tmp = tempDir('start');
    app = Child.spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: childEnv({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: tmp.dir, LOG_LEVEL: 'info' }), cwd: ROOT });
  });
  afterEach(async () => {
    app.kill();
    await app.exited;
    for (const db of opened.splice(0)) await db.close();
    tmp.dispose();
  });

  const healthy = (url: string) =>
    eventually(
      async () => {
        const res = await fetch(`${url}/healthz`).catch(() => null);
        return res?.status === 200 ? true : undefined;
      },
      '/healthz to answer 200',
    );

  it('seeds the Lozère demo into an empty data folder and prints the address and how to sign in', async () => {
    const url = (await app.waitFor(/est en ligne : (http:\/\/\S+)/))[1]!;
    await app.waitFor(/Espace de gestion[^\n]*\n(?:[^\n]*\n){5}/);
    expect(app.stdout).toContain(`Lozère Nouvelle Vie est en ligne : ${url}`);
    expect(app.stdout).toContain('(données de démonstration ajoutées)');
    expect(app.stdout).toContain(`Espace de gestion : ${url}/admin`);
    const password = /Mot de passe des agents de démonstration : (\S+)/.exec(app.stdout)?.[1];
    expect(password).toBeDefined();
    expect(app.stdout).toMatch(/admin\s+claire\.bonnet@/);
    await healthy(url);

    const home = await (await fetch(url)).text();
    expect(home).toContain('Lozère Nouvelle Vie');
    expect(home).toContain('Prochaine Rencontre');
    // The credentials shown open the back-office.
    const signIn = await fetch(`${url}/connexion`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: url },
      body: new URLSearchParams({ email: /admin\s+(\S+@\S+)/.exec(app.stdout)![1]!, password: password!, retour: '/admin' }).toString(),
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/admin');

    const db = connect({ kind: 'sqlite', file: path.join(tmp.dir, 'nouvelle-vie.sqlite') });
    opened.push(db);
    const n = async (table: 'webinars' | 'registrations' | 'agents') => Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(await n('webinars')).toBeGreaterThanOrEqual(12);
    expect(await n('registrations')).toBeGreaterThan(236);
    expect(await n('agents')).toBe(4);
  });

  it('on SIGTERM stops accepting, finishes the request in flight, closes the database and exits 0', async () => {
    const url = (await app.waitFor(/est en ligne : (http:\/\/\S+)/))[1]!;
    await healthy(url);
    const list = await (await fetch(`${url}/rencontres`)).text();
    const slug = /href="\/rencontres\/(rencontre-[^"#/]+)"/.exec(list)![1]!;
    const page = await (await fetch(`${url}/rencontres/${slug}`)).text();
    const submission = /name="submission" value="([^"]+)"/.exec(page)![1]!;
    const body = new URLSearchParams({ submission, ...formFields({ email: 'en.vol@example.org' }) }).toString();

    // The request is in flight once the server has read its headers and asked for the body (100 Continue).
    const { origin, hostname, port } = new URL(url);
    let continued!: () => void;
    const asked = new Promise<void>((r) => (continued = r));
    const req = http.request({
      host: hostname,
      port,
      method: 'POST',
      path: `/rencontres/${slug}/inscription`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body), Origin: origin, Expect: '100-continue', Connection: 'close' },
    });
    const answered = new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
    });
    req.on('continue', () => continued());
    req.flushHeaders();
    await asked;
    req.write(body.slice(0, 40));

    app.process.kill('SIGTERM');
    await app.waitFor(/"msg":"shutting down"/);
    // No new connection is taken any more…
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    // …but the one in flight is served to its end.
    req.end(body.slice(40));
    const res = await answered;
    res.resume();
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/inscription/recu/${submission}`);
    expect(await app.exited).toEqual({ code: 0, signal: null });
    // SQLite folds its write-ahead log back and deletes it when the last connection closes: a process
    // that exited without closing the database would leave it behind.
    const file = path.join(tmp.dir, 'nouvelle-vie.sqlite');
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);

    const db = connect({ kind: 'sqlite', file: path.join(tmp.dir, 'nouvelle-vie.sqlite') });
    opened.push(db);
    const reg = await db.kysely
      .selectFrom('registrations')
      .innerJoin('candidates', 'candidates.id', 'registrations.candidate_id')
      .select(['registrations.status'])
      .where('candidates.email', '=', 'en.vol@example.org')
      .executeTakeFirst();
    expect(reg?.status).toBe('confirmed');
  });
});
