import type { Child } from 'hono/jsx';
import type { PartnerRow, PartnerUserRow } from '../../platform/db/schema.ts';
import { Document } from '../../platform/views/document.tsx';
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
  const items: Array<[PartnerSection, string, string]> = [
    ['home', '/partenaires', 'Accueil'],
    ['offers', '/partenaires/offres', 'Nos offres'],
    ['referrals', '/partenaires/orientations', 'Personnes orientées'],
  ];
  return (
    <Document title={`${p.title} – Espace partenaires ${t.programmeName}`} hasError={p.hasError} stylesheet={p.site.stylesheet} bodyClass="admin partner" noindex>
      <a class="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <header class="site-header">
        <div class="container container--wide site-header__inner">
          <a class="logo" href="/partenaires">
            <span class="logo__main">{t.programmeName}</span>
            <span class="logo__sub">Espace partenaires · {p.partner.name}</span>
          </a>
          <form method="post" action="/partenaires/deconnexion" class="signout">
            <input type="hidden" name="_csrf" value={p.csrf} />
            <span class="signout__who">{p.user.name}</span>{' '}
            <button type="submit" class="link-button link-button--inverse">
              Se déconnecter
            </button>
          </form>
          <nav class="nav" aria-label="Menu de l’espace partenaires">
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
        <div class="container container--wide admin-narrow">
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
