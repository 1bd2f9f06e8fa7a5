import type { Child } from 'hono/jsx';
import type { AgentRow } from '../../platform/db/schema.ts';
import { WorkspaceFrame, type MenuItem } from '../../platform/views/workspace-frame.tsx';
import { roleLabels } from '../../features/agents/agent.ts';
import type { Site } from '../public/layout.tsx';

export type AdminSection = 'dashboard' | 'webinars' | 'candidates' | 'offers' | 'partners' | 'todo' | 'appointments' | 'mailbox' | 'agents' | 'audit' | 'content' | 'statistics' | 'none';

export interface AdminPageProps {
  site: Site;
  agent: AgentRow;
  csrf: string;
  title: string;
  hasError?: boolean;
  current: AdminSection;
  wide?: boolean;
  /** Breadcrumb: [label, href] pairs before the page itself. */
  trail?: Array<[string, string]>;
  flash?: string | null;
  children: Child;
}

/** The back-office frame: the same accessible shell as the public site, with the agent's navigation. */
export function AdminPage(p: AdminPageProps) {
  const t = p.site.territory;
  const items: Array<MenuItem<AdminSection>> = [
    ['dashboard', '/admin', 'Tableau de bord'],
    ['webinars', '/admin/rencontres', 'Rencontres'],
    ['candidates', '/admin/candidats', 'Candidats'],
    ['offers', '/admin/offres', 'Offres'],
    ['partners', '/admin/partenaires', 'Partenaires'],
    ['todo', '/admin/a-faire', 'À faire'],
    ['appointments', '/admin/rendez-vous', 'Rendez-vous'],
    ['mailbox', '/admin/courriels', 'Courriels'],
    ['statistics', '/admin/statistiques', 'Statistiques'],
    ['content', '/admin/contenus', 'Contenus'],
  ];
  if (p.agent.role === 'admin') {
    items.push(['agents', '/admin/agents', 'Agents']);
    items.push(['audit', '/admin/journal', 'Journal']);
  }
  return (
    <WorkspaceFrame
      documentTitle={`${p.title} – Gestion ${t.programmeName}`}
      hasError={p.hasError}
      stylesheet={p.site.stylesheet}
      bodyClass="admin"
      programmeName={t.programmeName}
      home="/admin"
      spaceName="Espace de gestion"
      signOutAction="/deconnexion"
      csrf={p.csrf}
      who={`${p.agent.name} (${roleLabels[p.agent.role]})`}
      menuLabel="Menu de gestion"
      menu={items}
      current={p.current}
      wide={p.wide}
      title={p.title}
      trail={p.trail}
      flash={p.flash}
    >
      {p.children}
    </WorkspaceFrame>
  );
}
