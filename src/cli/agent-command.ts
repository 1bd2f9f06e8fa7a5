import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { roleLabels, type Role } from '../features/agents/agent.ts';
import { createAgent } from '../features/agents/manage-agents.ts';
import { systemActor } from '../platform/audit/audit.ts';
import { DomainError } from '../platform/http/errors.ts';
import { createRuntime } from '../runtime.ts';
import { EXIT, type CliOutput } from './output.ts';

export interface AgentCreateArgs {
  email?: string;
  name?: string;
  role?: string;
  passwordFromStdin: boolean;
}

const argsSchema = z.object({
  email: z.email({ message: '--email : une adresse e-mail valide est attendue' }),
  name: z.string({ message: '--name : le nom de l’agent est attendu' }).trim().min(1, '--name : le nom de l’agent est attendu'),
  role: z.enum(['admin', 'referent'], { message: '--role : admin ou referent' }),
});

/**
 * `nouvelle-vie agent create`: the first admin of a new install (the back-office invites the others).
 * A password typed on the command line would stay in the shell history and the process list, so it
 * comes from standard input, or one is generated and shown once.
 */
export async function agentCreateCommand(config: Config, args: AgentCreateArgs, io: CliOutput, readStdin: () => Promise<string>): Promise<number> {
  const parsed = argsSchema.safeParse(args);
  if (!parsed.success) {
    io.err(`${parsed.error.issues.map((i) => i.message).join('\n')}\n\nUsage : nouvelle-vie agent create --email <adresse> --name "<Prénom Nom>" --role admin|referent [--password-stdin]`);
    return EXIT.usage;
  }
  const { email, name } = parsed.data;
  const role = parsed.data.role as Role;
  const typed = args.passwordFromStdin ? (await readStdin()).replace(/\r?\n$/, '') : null;
  const password = typed ?? randomBytes(15).toString('base64url');
  const runtime = await createRuntime(config);
  try {
    await createAgent(runtime.services, { email, name, role, password, actor: systemActor });
  } catch (e) {
    if (e instanceof DomainError) {
      io.err(`Agent non créé : ${e.message}.`);
      return EXIT.failure;
    }
    throw e;
  } finally {
    await runtime.close();
  }
  io.out(`Agent créé : ${name} <${email}>, ${roleLabels[role].toLowerCase()}.`);
  io.out(`Connexion : ${config.publicUrl}/connexion`);
  if (!typed) io.out(`Mot de passe (affiché une seule fois) : ${password}`);
  return EXIT.ok;
}
