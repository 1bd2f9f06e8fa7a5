import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CREDENTIALS_FILE } from '../../src/features/agents/seed-demo-agents.ts';
import { verifyPassword } from '../../src/features/agents/passwords.ts';
import { loadDemoData } from '../../src/features/demo/seed-demo.ts';
import { connect, type Db } from '../../src/platform/db/database.ts';
import { enqueueEmail } from '../../src/platform/email/outbox.ts';
import { createWebinar } from '../support/fixtures.ts';
import { dialects } from '../support/harness.ts';
import { BIN, Child, childEnv, emptyPostgresDatabase, eventually, ROOT, run, runCli, tempDir } from './processes.ts';

// Each test starts several Node processes; on a loaded two-core machine that can take a while.
vi.setConfig({ testTimeout: 120_000 });

const demo = loadDemoData('lozere')!;
const demoWebinars = demo.history.length + demo.upcoming.count;
const demoRegistrations =
  demo.history.reduce((n, e) => n + e.registrations, 0) + demo.upcoming.registrationsOnFirst + demo.upcoming.registrationsOnOthers * Math.max(0, demo.upcoming.count - 1);

describe.each(dialects())('the nouvelle-vie command on %s', (dialect) => {
  let tmp: ReturnType<typeof tempDir>;
  let databaseUrl: string;
  let dropDatabase: () => Promise<void>;
  let env: Record<string, string>;
  const opened: Db[] = [];

  beforeEach(async () => {
    tmp = tempDir('cli');
    if (dialect === 'sqlite') {
      databaseUrl = `sqlite:${path.join(tmp.dir, 'nv.sqlite')}`;
      dropDatabase = async () => undefined;
    } else {
      const pgDb = await emptyPostgresDatabase();
      databaseUrl = pgDb.url;
      dropDatabase = pgDb.drop;
    }
    env = childEnv({ DATABASE_URL: databaseUrl, DATA_DIR: tmp.dir });
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    await dropDatabase();
    tmp.dispose();
  });

  /** The database the command wrote to, opened by the test to look at it. */
  const openDb = () => {
    const db = connect(dialect === 'sqlite' ? { kind: 'sqlite', file: databaseUrl.slice('sqlite:'.length) } : { kind: 'postgres', url: databaseUrl, poolSize: 2 });
    opened.push(db);
    return db;
  };
  const count = async (db: Db, table: 'webinars' | 'registrations' | 'candidates') => Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const webinarIds = async (db: Db) => (await db.kysely.selectFrom('webinars').select('id').orderBy('id').execute()).map((r) => r.id);

  it('migrate applies every migration to an empty database and says which, then finds nothing to do', async () => {
    const first = await runCli(['migrate'], { env, cwd: tmp.dir });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Migrations appliquées');
    const db = openDb();
    const recorded = (await db.kysely.selectFrom('kysely_migration' as never).select('name' as never).execute()) as Array<{ name: string }>;
    expect(recorded.map((r) => r.name)).toContain('0001-initial');
    for (const { name } of recorded) expect(first.stdout).toContain(`- ${name}`);
    expect(await count(db, 'webinars')).toBe(0);

    const again = await runCli(['migrate'], { env, cwd: tmp.dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('aucune migration à appliquer');
    expect(again.stdout).not.toContain('- 0001-initial');
  });

  it('seed --demo loads the demo into an empty database, and a second time refuses in French and changes nothing', async () => {
    const seeded = await runCli(['seed', '--demo'], { env, cwd: tmp.dir });
    expect(seeded.stderr).toBe('');
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toContain('Démonstration de Lozère Nouvelle Vie chargée');
    const db = openDb();
    expect(await count(db, 'webinars')).toBe(demoWebinars);
    expect(await count(db, 'registrations')).toBe(demoRegistrations);
    expect(seeded.stdout).toContain(`${demoWebinars} Rencontres`);
    const before = await webinarIds(db);

    const refused = await runCli(['seed', '--demo'], { env, cwd: tmp.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('La base contient déjà des Rencontres');
    expect(refused.stderr).toContain('rien n’a été modifié');
    expect(refused.stderr).toContain('--force');
    expect(await webinarIds(db)).toEqual(before);
    expect(await count(db, 'registrations')).toBe(demoRegistrations);
  });

  it('seed --demo --force replaces all the data with the demo, and is refused in production', async () => {
    expect((await runCli(['seed', '--demo'], { env, cwd: tmp.dir })).code).toBe(0);
    const db = openDb();
    const own = await createWebinar(db, { title: 'Une Rencontre saisie à la main', date: '2027-02-19' });
    const before = await webinarIds(db);

    const inProduction = await runCli(['seed', '--demo', '--force'], { env: { ...env, NODE_ENV: 'production' }, cwd: tmp.dir });
    expect(inProduction.code).toBe(1);
    expect(inProduction.stderr).toContain('NODE_ENV=production');
    expect(await webinarIds(db)).toEqual(before);

    const forced = await runCli(['seed', '--demo', '--force'], { env, cwd: tmp.dir });
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`Données effacées : ${demoWebinars + 1} Rencontres`);
    const after = await webinarIds(db);
    expect(after).toHaveLength(demoWebinars);
    expect(after).not.toContain(own.id);
    expect(after.filter((id) => before.includes(id))).toEqual([]);
    expect(await count(db, 'registrations')).toBe(demoRegistrations);
  });

  it('seed --demo also creates the demo team, one admin and three referents, with a generated password it shows and keeps private', async () => {
    const seeded = await runCli(['seed', '--demo'], { env, cwd: tmp.dir });
    expect(seeded.code).toBe(0);
    const db = openDb();
    const agents = await db.kysely.selectFrom('agents').selectAll().orderBy('email').execute();
    expect(agents.map((a) => a.role).sort()).toEqual(['admin', 'referent', 'referent', 'referent']);
    expect(agents.every((a) => a.status === 'active')).toBe(true);
    const password = /Mot de passe des agents de démonstration : (\S+)/.exec(seeded.stdout)?.[1];
    expect(password).toBeDefined();
    for (const a of agents) {
      expect(seeded.stdout).toContain(a.email);
      expect(await verifyPassword(a.password_hash!, password!)).toBe(true);
    }
    const file = path.join(tmp.dir, DEMO_CREDENTIALS_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toContain(password);
  });

  it('agent create makes an active agent, with the password from standard input or one generated and shown once', async () => {
    expect((await runCli(['migrate'], { env, cwd: tmp.dir })).code).toBe(0);
    const generated = await runCli(['agent', 'create', '--email', 'Marie.Dupont@lozere.example', '--name', 'Marie Dupont', '--role', 'admin'], { env, cwd: tmp.dir });
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    expect(generated.stdout).toContain('Agent créé : Marie Dupont <Marie.Dupont@lozere.example>, administrateur·rice.');
    const shown = /Mot de passe \(affiché une seule fois\) : (\S+)/.exec(generated.stdout)?.[1];
    const db = openDb();
    const marie = await db.kysely.selectFrom('agents').selectAll().where('email_normalized', '=', 'marie.dupont@lozere.example').executeTakeFirstOrThrow();
    expect(marie).toMatchObject({ role: 'admin', status: 'active' });
    expect(await verifyPassword(marie.password_hash!, shown!)).toBe(true);

    const typed = 'une phrase de passe assez longue';
    const fromStdin = await runCli(['agent', 'create', '--email', 'paul@lozere.example', '--name', 'Paul Roux', '--role', 'referent', '--password-stdin'], { env, cwd: tmp.dir, stdin: `${typed}\n` });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).not.toContain('Mot de passe');
    const paul = await db.kysely.selectFrom('agents').selectAll().where('email', '=', 'paul@lozere.example').executeTakeFirstOrThrow();
    expect(await verifyPassword(paul.password_hash!, typed)).toBe(true);

    const twice = await runCli(['agent', 'create', '--email', 'PAUL@lozere.example', '--name', 'Paul Roux', '--role', 'admin'], { env, cwd: tmp.dir });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('Agent non créé : Un agent a déjà cette adresse e-mail');
    const weak = await runCli(['agent', 'create', '--email', 'lea@lozere.example', '--name', 'Léa', '--role', 'admin', '--password-stdin'], { env, cwd: tmp.dir, stdin: 'court\n' });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('au moins 12 caractères');
    const wrong = await runCli(['agent', 'create', '--email', 'pas-une-adresse', '--role', 'chef'], { env, cwd: tmp.dir });
    expect(wrong.code).toBe(2);
    for (const m of ['--email : une adresse e-mail valide est attendue', '--name : le nom de l’agent est attendu', '--role : admin ou referent']) expect(wrong.stderr).toContain(m);
    expect(await db.kysely.selectFrom('agents').select('email').execute()).toHaveLength(2);
  });

  it('worker sends what the outbox holds through SMTP, then stops cleanly on SIGTERM', async () => {
    const received: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        let raw = '';
        stream.on('data', (d: Buffer) => (raw += d.toString('utf8')));
        stream.on('end', () => {
          received.push(raw);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    try {
      expect((await runCli(['migrate'], { env, cwd: tmp.dir })).code).toBe(0);
      const db = openDb();
      await enqueueEmail(db.kysely, new Date(), {
        dedupeKey: 'cli-worker-test',
        kind: 'test',
        to: 'camille.durand@example.org',
        subject: 'Votre inscription à la Rencontre',
        html: '<p>Bonjour Camille</p>',
        text: 'Bonjour Camille',
      });
      const worker = Child.spawn(process.execPath, [BIN, 'worker'], { env: { ...env, SMTP_URL: `smtp://127.0.0.1:${port}?ignoreTLS=true` }, cwd: tmp.dir });
      try {
        await worker.waitFor(/Worker démarré/);
        const row = await eventually(async () => {
          const r = await db.kysely.selectFrom('outbox_messages').selectAll().where('dedupe_key', '=', 'cli-worker-test').executeTakeFirstOrThrow();
          return r.status === 'sent' ? r : undefined;
        }, 'the outbox row to be marked sent');
        expect(row).toMatchObject({ attempts: 1, transport: 'smtp', last_error: null });
        expect(received).toHaveLength(1);
        const mail = await simpleParser(received[0]!);
        expect(mail.subject).toBe('Votre inscription à la Rencontre');
        expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
        expect(mail.text?.trim()).toBe('Bonjour Camille');

        worker.process.kill('SIGTERM');
        expect(await worker.exited).toEqual({ code: 0, signal: null });
        expect(worker.stdout).toContain('Worker arrêté.');
        expect(received).toHaveLength(1);
      } finally {
        worker.kill();
      }
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});

describe('the nouvelle-vie command, whatever the database', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('cli');
  });
  afterEach(() => tmp.dispose());

  it('help lists the commands; no command at all shows the same help', async () => {
    const help = await runCli(['help'], { env: childEnv({}), cwd: tmp.dir });
    expect(help.code).toBe(0);
    for (const c of ['migrate', 'seed --demo', '--force', 'worker', 'agent create', '--password-stdin', 'help']) expect(help.stdout).toContain(c);
    const bare = await runCli([], { env: childEnv({}), cwd: tmp.dir });
    expect(bare.code).toBe(0);
    expect(bare.stdout).toBe(help.stdout);
  });

  it('answers a mistyped command or option with exit code 2, a French message and the help, and touches no database', async () => {
    const env = childEnv({ DATABASE_URL: `sqlite:${path.join(tmp.dir, 'never.sqlite')}` });
    const unknown = await runCli(['migrer'], { env, cwd: tmp.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Commande inconnue : migrer');
    expect(unknown.stderr).toContain('Usage : nouvelle-vie');
    const option = await runCli(['migrate', '--vite'], { env, cwd: tmp.dir });
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('Option inconnue : --vite');
    const seedWithout = await runCli(['seed'], { env, cwd: tmp.dir });
    expect(seedWithout.code).toBe(2);
    expect(seedWithout.stderr).toContain('nouvelle-vie seed --demo');
    const forceElsewhere = await runCli(['migrate', '--force'], { env, cwd: tmp.dir });
    expect(forceElsewhere.code).toBe(2);
    expect(fs.existsSync(path.join(tmp.dir, 'never.sqlite'))).toBe(false);
  });

  it('refuses an invalid configuration with exit code 2 and says which variable is wrong', async () => {
    const bad = await runCli(['migrate'], { env: childEnv({ DATABASE_URL: 'mysql://localhost/nv' }), cwd: tmp.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Configuration invalide');
    expect(bad.stderr).toContain('DATABASE_URL doit commencer par postgres://, sqlite: ou file:');
    const territory = await runCli(['seed', '--demo'], { env: childEnv({ DATABASE_URL: `sqlite:${path.join(tmp.dir, 'x.sqlite')}`, TERRITORY: 'atlantide' }), cwd: tmp.dir });
    expect(territory.code).toBe(2);
    expect(territory.stderr).toContain('Territoire introuvable');
    expect(territory.stderr).toContain('atlantide');
  });

  it('`npx nouvelle-vie migrate` runs the local command from anywhere inside the repository', async () => {
    const file = path.join(tmp.dir, 'npx.sqlite');
    // npm_config_offline: npx must find the command in this repository, never ask a registry for it.
    const r = await run('npx', ['nouvelle-vie', 'migrate'], { env: childEnv({ DATABASE_URL: `sqlite:${file}`, npm_config_offline: 'true' }), cwd: path.join(ROOT, 'src') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('- 0001-initial');
  });
});
