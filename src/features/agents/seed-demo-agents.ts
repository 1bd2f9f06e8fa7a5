import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { systemActor } from '../../platform/audit/audit.ts';
import type { Services } from '../../services.ts';
import { territoryDirectory } from '../territory/territory.ts';
import { createAgent } from './manage-agents.ts';

const demoAgentsSchema = z.object({
  agents: z.array(z.object({ name: z.string().min(1), email: z.email(), role: z.enum(['admin', 'referent']) })).default([]),
});

export const DEMO_CREDENTIALS_FILE = 'demo-agents.txt';

/**
 * The demo team of the territory (demo.json, "agents"), all with one generated password written to
 * DATA_DIR/demo-agents.txt (readable by the owner only) so that the start can say how to sign in.
 * Never a fixed password: a demo left on a public server must not open to a published one.
 */
export async function seedDemoAgents(s: Services, territoryNameOrPath: string, dataDir: string): Promise<{ created: number; file: string | null }> {
  const file = path.join(territoryDirectory(territoryNameOrPath), 'demo.json');
  if (!fs.existsSync(file)) return { created: 0, file: null };
  const { agents } = demoAgentsSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (agents.length === 0) return { created: 0, file: null };
  const existing = await s.db.kysely.selectFrom('agents').select('id').limit(1).executeTakeFirst();
  if (existing) return { created: 0, file: null };
  const password = `demo-${randomBytes(12).toString('base64url')}`;
  for (const a of agents) await createAgent(s, { ...a, password, actor: systemActor });
  fs.mkdirSync(dataDir, { recursive: true });
  const out = path.join(dataDir, DEMO_CREDENTIALS_FILE);
  const lines = [`Mot de passe des agents de démonstration : ${password}`, ...agents.map((a) => `${a.role === 'admin' ? 'admin   ' : 'référent'} ${a.email}`)];
  fs.writeFileSync(out, lines.join('\n') + '\n', { mode: 0o600 });
  return { created: agents.length, file: out };
}

/** The sign-in lines to print at start, if the demo credentials file is there. */
export function demoSignInHint(dataDir: string): string[] {
  const file = path.join(dataDir, DEMO_CREDENTIALS_FILE);
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').trim().split('\n');
}
