import { dictionary } from '@zxcvbn-ts/language-common';

export type Role = 'admin' | 'referent';
export const roleLabels: Record<Role, string> = { admin: 'Administrateur·rice', referent: 'Référent·e' };
export const agentStatusLabels = { active: 'Actif', invited: 'Invité·e', disabled: 'Désactivé·e' } as const;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

const common = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));

/**
 * The password rule (ASVS 6.2, CNIL 2022-100 with throttling): at least 12 characters, no composition
 * rule, long ones accepted, the most common passwords and the obvious ones (the person's own e-mail
 * or name, one character repeated) refused. Returns the French message to show, or null.
 */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | null {
  if (password.length === 0) return 'Saisissez un mot de passe';
  if ([...password].length < MIN_PASSWORD_LENGTH) return `Le mot de passe doit faire au moins ${MIN_PASSWORD_LENGTH} caractères`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Le mot de passe doit faire ${MAX_PASSWORD_LENGTH} caractères au plus`;
  const lower = password.toLowerCase();
  if (common.has(lower)) return 'Ce mot de passe fait partie des plus utilisés : choisissez-en un autre, par exemple une phrase de quelques mots';
  if (/^(.)\1+$/.test(password)) return 'Ce mot de passe est trop simple : choisissez-en un autre, par exemple une phrase de quelques mots';
  const local = context.email?.split('@')[0]?.toLowerCase();
  if ((local && local.length >= 4 && lower.includes(local)) || (context.email && lower.includes(context.email.toLowerCase()))) {
    return 'Le mot de passe ne doit pas contenir votre adresse e-mail';
  }
  const name = context.name?.toLowerCase().replace(/\s+/g, '');
  if (name && name.length >= 4 && lower.replace(/\s+/g, '').includes(name)) return 'Le mot de passe ne doit pas contenir votre nom';
  return null;
}
