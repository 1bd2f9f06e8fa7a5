import type { Child } from 'hono/jsx';
import type { AgentRow } from '../../platform/db/schema.ts';
import { Document } from '../../platform/views/document.tsx';
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
  const items: Array<[AdminSection, string, string]> = [
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
    <Document title={`${p.title} – Gestion ${t.programmeName}`} hasError={p.hasError} stylesheet={p.site.stylesheet} bodyClass="admin" noindex>
      <a class="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <header class="site-header">
        {/* One width for the frame on every page, so that the menu does not move from page to page;
            the account sits beside the name of the service, the menu has a row of its own. */}
        <div class="container container--wide site-header__inner">
          <a class="logo" href="/admin">
            <span class="logo__main">{t.programmeName}</span>
            <span class="logo__sub">Espace de gestion</span>
          </a>
          <form method="post" action="/deconnexion" class="signout">
            <input type="hidden" name="_csrf" value={p.csrf} />
            <span class="signout__who">
              {p.agent.name} ({roleLabels[p.agent.role]})
            </span>{' '}
            <button type="submit" class="link-button link-button--inverse">
              Se déconnecter
            </button>
          </form>
          <nav class="nav" aria-label="Menu de gestion">
            <ul>
              {items.map(([key, href, label]) => (
                <li>
                  <a href={href} aria-current={p.current === key ? 'page' : undefined}>
                    {label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </div>
      </header>
      <main id="contenu" tabindex={-1}>
        {/* Tables get the whole width; forms and text keep lines short enough to read. */}
        <div class={`container container--wide${p.wide ? '' : ' admin-narrow'}`}>
          {p.trail?.length ? (
            <nav aria-label="Fil d’Ariane" class="breadcrumbs">
              <ol>
                {p.trail.map(([label, href]) => (
                  <li>
                    <a href={href}>{label}</a>
                  </li>
                ))}
                <li aria-current="page">{p.title}</li>
              </ol>
            </nav>
          ) : null}
          {p.flash ? (
            <div class="notice notice--success" role="status">
              <p>{p.flash}</p>
            </div>
          ) : null}
          {p.children}
        </div>
      </main>
    </Document>
  );
}
