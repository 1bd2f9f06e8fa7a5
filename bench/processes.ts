/**
 * Child processes of the bench: the server under test pinned to core 0, the load generator pinned to
 * core 1, both started through `taskset` (which execs node, so the child's pid is node's pid).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LoadMessage, LoadRequest, ServerMessage, ServerRequest } from './protocol.ts';

export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

type RequestBody<T extends ServerRequest> = T extends unknown ? Omit<T, 'id'> : never;

export interface ServerProcess {
  pid: number;
  url: string;
  worker: 'inline' | 'off' | 'none';
  database: 'sqlite' | 'postgres' | 'none';
  request<T = unknown>(m: RequestBody<ServerRequest>): Promise<T>;
  /** Resident set size and its peak, from /proc: what the kernel charges to the process. */
  memory(): { rssBytes: number; peakRssBytes: number };
  /** CPU time (user + system) the process has used so far, in seconds, from /proc. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

function nodeArgs(script: string, extra: string[] = []): string[] {
  return [process.execPath, ...extra, '--import', 'tsx', here(script)];
}

/** Starts bench/server.ts on the server core; resolves once it listens. */
export function startServerProcess(mode: 'bare' | 'app', env?: Record<string, string>, nodeFlags: string[] = []): Promise<ServerProcess> {
  const args = ['-c', String(SERVER_CORE), ...nodeArgs('./server.ts', nodeFlags), mode, ...(env ? [JSON.stringify(env)] : [])];
  const child = spawn('taskset', args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onEarlyExit = (code: number | null) => reject(new Error(`server (${mode}) exited with code ${code} before it was ready`));
    child.once('exit', onEarlyExit);
    child.on('message', (m: ServerMessage) => {
      if (m.type === 'ready') {
        child.off('exit', onEarlyExit);
        child.once('exit', (code) => {
          for (const p of pending.values()) p.reject(new Error(`server exited (${code})`));
          pending.clear();
        });
        resolve({
          pid: child.pid!,
          url: m.url,
          worker: m.worker,
          database: m.database,
          request<T>(body: RequestBody<ServerRequest>) {
            const id = nextId++;
            return new Promise<T>((res, rej) => {
              pending.set(id, { resolve: res as (v: unknown) => void, reject: rej });
              child.send({ ...body, id } as ServerRequest);
            });
          },
          memory: () => procMemory(child.pid!),
          cpuSeconds: () => procCpuSeconds(child.pid!),
          async stop() {
            if (child.exitCode === null) {
              const id = nextId++;
              const replied = new Promise<unknown>((res, rej) => pending.set(id, { resolve: res, reject: rej }));
              child.send({ cmd: 'stop', id } as ServerRequest);
              await Promise.race([replied.catch(() => undefined), exited]);
              const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
              await exited;
              clearTimeout(timer);
            }
          },
        });
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error));
    });
  });
}

function procMemory(pid: number): { rssBytes: number; peakRssBytes: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function procCpuSeconds(pid: number): number {
  // Fields after the command name (which may hold spaces, hence the last ")"): utime is the 12th, stime the 13th.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Runs one job in a fresh load-generator process on the load core. */
export function runLoad<T>(job: LoadRequest): Promise<T> {
  const child: ChildProcess = spawn('taskset', ['-c', String(LOAD_CORE), ...nodeArgs('./load.ts')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    child.once('message', (m: LoadMessage) => {
      settled = true;
      if (m.ok) resolve(m.value as T);
      else reject(new Error(m.error));
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`load generator exited with code ${code} without a result`));
    });
    child.send(job);
  });
}

/** The cores this process may run on, from the kernel (taskset's view). */
export function allowedCpus(): number[] {
  const line = /^Cpus_allowed_list:\s+(.+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
  const cpus: number[] = [];
  for (const part of line.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    for (let c = a; c <= (b ?? a); c++) cpus.push(c);
  }
  return cpus;
}
