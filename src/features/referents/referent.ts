/** Domain vocabulary of referents: how a household came to its referent, and which files count as open. */

export type AssignmentMethod = 'rotation' | 'region' | 'project' | 'theme' | 'same-referent' | 'manual';

export const assignmentMethodLabels: Record<AssignmentMethod, string> = {
  rotation: 'à tour de rôle',
  region: 'selon la région envisagée',
  project: 'selon le projet',
  theme: 'selon le thème de la Rencontre',
  'same-referent': 'déjà suivi·e par ce référent',
  manual: 'choisi par un agent',
};

/**
 * The stages in which a file is still being accompanied: what "open files" counts for the rotation.
 * An installed household is only followed up now and then; abandoned and dormant files are closed.
 */
export const OPEN_STAGES = ['contact', 'qualified', 'accompanied', 'visit', 'decision'] as const;

/**
 * Stages from which being given a referent moves the file to "accompanied": the early ones, and the
 * exits (someone who comes back after giving up is being accompanied again). Later stages stay.
 */
export const STAGES_BEFORE_ACCOMPANIED = ['contact', 'qualified', 'abandoned', 'dormant'] as const;

export interface AgentLoad {
  agentId: string;
  name: string;
  openFiles: number;
  /** The last time a household was given to this agent; null if never. */
  lastAssignedAt: string | null;
}

/**
 * The rotation's rule, kept fair: the agent with the fewest open files; between equals, the one who
 * was given a household longest ago (never comes first); then by name, so that the choice is the
 * same whoever computes it.
 */
export function pickByRotation(loads: readonly AgentLoad[]): string | null {
  const sorted = [...loads].sort(
    (a, b) =>
      a.openFiles - b.openFiles ||
      (a.lastAssignedAt ?? '').localeCompare(b.lastAssignedAt ?? '') ||
      a.name.localeCompare(b.name, 'fr') ||
      a.agentId.localeCompare(b.agentId),
  );
  return sorted[0]?.agentId ?? null;
}

/**
 * Who may act on a household's file (change its referent, record its installation): an admin, its
 * referent, or any agent while it has none.
 */
export function canActOnFile(agent: { id: string; role: string }, referentId: string | null): boolean {
  return agent.role === 'admin' || referentId === null || referentId === agent.id;
}
