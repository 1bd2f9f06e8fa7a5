import type { Child } from 'hono/jsx';
import type { PartnerRow, PartnerUserRow } from '../../platform/db/schema.ts';
import { WorkspaceFrame, type MenuItem } from '../../platform/views/workspace-frame.tsx';
import type { Site } from '../public/layout.tsx';

export type PartnerSection = 'home' | 'offers' | 'referrals' | 'none';

export interface PartnerPageProps {
  site: Site;
  user: PartnerUserRow;
  partner: PartnerRow;
  csrf: string;
  title: string;
  hasError?: boolean;
  current: PartnerSection;
  /** Breadcrumb: [label, href] pairs before the page itself. */
  trail?: Array<[string, string]>;
  flash?: string | null;
  children: Child;
}

/** The partner portal's frame: the back-office's accessible shell, with the organisation's name and menu. */
export function PartnerPage(p: PartnerPageProps) {
  const t = p.site.territory;
  const items: Array<MenuItem<PartnerSection>> = [
    ['home', '/partenaires', 'Accueil'],
    ['offers', '/partenaires/offres', 'Nos offres'],
    ['referrals', '/partenaires/orientations', 'Personnes orientées'],
  ];
  return (
    <WorkspaceFrame
      documentTitle={`${p.title} – Espace partenaires ${t.programmeName}`}
      hasError={p.hasError}
      stylesheet={p.site.stylesheet}
      bodyClass="admin partner"
      programmeName={t.programmeName}
      home="/partenaires"
      spaceName={`Espace partenaires · ${p.partner.name}`}
      signOutAction="/partenaires/deconnexion"
      csrf={p.csrf}
      who={p.user.name}
      menuLabel="Menu de l’espace partenaires"
      menu={items}
      current={p.current}
      title={p.title}
      trail={p.trail}
      flash={p.flash}
    >
      {p.children}
    </WorkspaceFrame>
  );
}
