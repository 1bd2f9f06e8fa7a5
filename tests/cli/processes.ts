import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pgAdminUrl, pgUrlFor } from '../support/env.ts';

/** The repository root: commands are spawned from elsewhere to prove they do not depend on the working directory. */
export const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
export const BIN = path.join(ROOT, 'bin', 'nouvelle-vie.js');

/**
 * A fresh folder in the system's temporary directory, removed by `dispose`. Not under .test-tmp: a
 * test run started meanwhile (another engineer's, another terminal's) empties that folder at its start.
 */
export function tempDir(prefix: string): { dir: string; dispose(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `nv-${prefix}-`));
  return { dir, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A child's environment with nothing from the test process that the app reads, so each test says what it sets. */
export function childEnv(vars: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', LOG_LEVEL: 'warn' };
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
  return env;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and keeps what it printed. */
export function run(command: string, args: string[], opts: { env: Record<string, string>; cwd: string; stdin?: string }): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: opts.env, cwd: opts.cwd });
    child.stdin.end(opts.stdin ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** `node bin/nouvelle-vie.js …` as an operator types it. */
export function runCli(args: string[], opts: { env: Record<string, string>; cwd: string; stdin?: string }): Promise<Finished> {
  return run(process.execPath, [BIN, ...args], opts);
}

/** A long-running child whose output can be awaited line by line. */
export class Child {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];

  constructor(readonly process: ChildProcessWithoutNullStreams) {
    process.stdout.on('data', (d) => {
      this.stdout += d;
      this.#check();
    });
    process.stderr.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => process.on('close', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => {
      for (const w of this.#waiters.splice(0)) w.resolve(Object.assign([''], { index: -1 }) as RegExpMatchArray);
    });
  }

  static spawn(command: string, args: string[], opts: { env: Record<string, string>; cwd: string }) {
    return new Child(spawn(command, args, { env: opts.env, cwd: opts.cwd }));
  }

  /** Resolves with the first match of `re` in stdout, now or when it comes; fails if the child exits first. */
  async waitFor(re: RegExp): Promise<RegExpMatchArray> {
    const m = await new Promise<RegExpMatchArray>((resolve) => {
      this.#waiters.push({ re, resolve });
      this.#check();
    });
    if (m.index === -1) throw new Error(`process exited before printing ${re}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
    return m;
  }

  #check() {
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i]!;
      const m = this.stdout.match(w.re);
      if (m) {
        this.#waiters.splice(i, 1);
        w.resolve(m);
      }
    }
  }

  kill() {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }
}

/**
 * An empty PostgreSQL database (not made from the migrated template), dropped by `drop`. Its name is
 * outside the nv_test_ prefix that a starting test run drops, so that two runs at once do not collide.
 */
export async function emptyPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `nv_cli_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`).finally(() => admin.end());
  return {
    url: pgUrlFor(name),
    async drop() {
      const a = new pg.Client({ connectionString: pgAdminUrl });
      await a.connect();
      await a.query(`drop database if exists "${name}" with (force)`).finally(() => a.end());
    },
  };
}

/** Polls `probe` until it returns a value other than undefined (a wait, not a measure: the bound only stops a stuck test). */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, giveUpAfterMs = 20_000): Promise<T> {
  const until = Date.now() + giveUpAfterMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
