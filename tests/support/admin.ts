import { systemActor } from '../../src/platform/audit/audit.ts';
import { createAgent } from '../../src/features/agents/manage-agents.ts';
import type { AgentRow } from '../../src/platform/db/schema.ts';
import type { TestContext } from './harness.ts';

export const AGENT_PASSWORD = 'un mot de passe assez long';

let counter = 0;

export async function makeAgent(t: TestContext, role: 'admin' | 'referent', over: { email?: string; name?: string } = {}): Promise<AgentRow> {
  counter++;
  return createAgent(t.s, { email: over.email ?? `${role}${counter}@lozere.example`, name: over.name ?? `Agent ${role} ${counter}`, role, password: AGENT_PASSWORD, actor: systemActor });
}

/** A session opened through a space's real sign-in form: its cookie, its CSRF token, and requests made with both. */
export interface Session {
  cookie: string;
  csrf: string;
  get(path: string): Promise<Response>;
  post(path: string, fields?: Record<string, string | string[]>): Promise<Response>;
}

export interface SignedIn extends Session {
  agent: AgentRow;
}

export function encodeForm(fields: Record<string, string | string[]>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
}

/** Signs in through a space's form (`signInPath`), then reads the session's CSRF token on the space's `home`. */
export async function signInThrough(t: TestContext, p: { signInPath: string; home: string; email: string; password: string; retour?: string }): Promise<Session> {
  const res = await t.app.request(p.signInPath, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: encodeForm({ email: p.email, password: p.password, ...(p.retour ? { retour: p.retour } : {}) }) });
  if (res.status !== 303) throw new Error(`sign-in at ${p.signInPath} failed: ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const html = await (await t.app.request(p.home, { headers: { Cookie: cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!csrf) throw new Error(`no CSRF token on ${p.home}`);
  return {
    cookie,
    csrf,
    get: async (path) => t.app.request(path, { headers: { Cookie: cookie } }),
    post: async (path, fields = {}) => t.app.request(path, { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: encodeForm({ _csrf: csrf, ...fields }) }),
  };
}

/** Signs an agent in through the real form and keeps the session cookie and the CSRF token of the session. */
export async function signIn(t: TestContext, agent: AgentRow, password = AGENT_PASSWORD): Promise<SignedIn> {
  return { agent, ...(await signInThrough(t, { signInPath: '/connexion', home: '/admin', email: agent.email, password, retour: '/admin' })) };
}
