import type { Child } from 'hono/jsx';
import type { Territory } from '../../features/territory/territory.ts';
import { Document } from '../../platform/views/document.tsx';
import { SiteMenu, type MenuItem } from '../../platform/views/navigation.tsx';
import { livingSlug, livingTitle } from '../../features/content/content.ts';

export interface Site {
  territory: Territory;
  stylesheet: string;
}

export type PublicSection = 'home' | 'rencontres' | 'vivre' | 'offres' | 'legal' | 'none';

/** The public site's frame: skip link, header with the territory's identity, footer with the legal pages. */
export function PublicPage(p: { site: Site; title: string; hasError?: boolean; current?: PublicSection; description?: string; noindex?: boolean; children: Child }) {
  const t = p.site.territory;
  const nav: Array<MenuItem<PublicSection>> = [
    ['home', '/', 'Accueil'],
    ['rencontres', '/rencontres', 'Les Rencontres'],
    ['vivre', `/${livingSlug(t.inName)}`, livingTitle(t.inName)],
    ['offres', '/offres', 'Les offres'],
  ];
  return (
    <Document title={`${p.title} – ${t.programmeName}`} hasError={p.hasError} stylesheet={p.site.stylesheet} description={p.description} noindex={p.noindex}>
      <a class="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <header class="site-header">
        <div class="container site-header__inner">
          <a class="logo" href="/" aria-label={`${t.programmeName}, accueil`}>
            <span class="logo__main">{t.identity.logoText}</span>
            {t.identity.logoSubtext ? <span class="logo__sub">{t.identity.logoSubtext}</span> : null}
          </a>
          <SiteMenu label="Menu principal" items={nav} current={p.current} />
        </div>
      </header>
      <main id="contenu" tabindex={-1}>
        {p.children}
      </main>
      <footer class="site-footer">
        <div class="container">
          <p>
            <strong>{t.programmeName}</strong> est un service {t.authority.of}. Contact :{' '}
            <a href={`mailto:${t.contact.email}`}>{t.contact.email}</a>
            {t.contact.phone ? `, ${t.contact.phone}` : ''}.
          </p>
          <ul>
            <li>
              <a href="/mentions-legales">Mentions légales</a>
            </li>
            <li>
              <a href="/donnees-personnelles">Données personnelles</a>
            </li>
            <li>
              <a href="/accessibilite">Accessibilité : {t.accessibility.status}</a>
            </li>
          </ul>
        </div>
      </footer>
    </Document>
  );
}
