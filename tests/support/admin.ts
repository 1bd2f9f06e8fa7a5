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

export interface SignedIn {
  agent: AgentRow;
  cookie: string;
  csrf: string;
  get(path: string): Promise<Response>;
  post(path: string, fields?: Record<string, string | string[]>): Promise<Response>;
}

function encode(fields: Record<string, string | string[]>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
}

/** Signs in through the real form and keeps the session cookie and the CSRF token of the session. */
export async function signIn(t: TestContext, agent: AgentRow, password = AGENT_PASSWORD): Promise<SignedIn> {
  const res = await t.app.request('/connexion', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: encode({ email: agent.email, password, retour: '/admin' }) });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const page = await t.app.request('/admin', { headers: { Cookie: cookie } });
  const html = await page.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!csrf) throw new Error('no CSRF token on /admin');
  const get = async (path: string) => t.app.request(path, { headers: { Cookie: cookie } });
  const post = async (path: string, fields: Record<string, string | string[]> = {}) =>
    t.app.request(path, { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: encode({ _csrf: csrf, ...fields }) });
  return { agent, cookie, csrf, get, post };
}
