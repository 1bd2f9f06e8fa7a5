import type { Child } from 'hono/jsx';
import { Document } from './document.tsx';
import { Breadcrumbs, SiteMenu, type MenuItem } from './navigation.tsx';

export type { MenuItem };

export interface WorkspaceFrameProps<K extends string> {
  /** The whole <title>, "page – space programme". */
  documentTitle: string;
  hasError?: boolean;
  stylesheet: string;
  bodyClass: string;
  programmeName: string;
  /** The space's home, where the logo leads. */
  home: string;
  /** What the logo says under the programme's name: which space this is. */
  spaceName: Child;
  signOutAction: string;
  csrf: string;
  /** Who is signed in, beside the sign-out button. */
  who: Child;
  menuLabel: string;
  menu: Array<MenuItem<K>>;
  current: K | 'none';
  /** Tables get the whole width; forms and text keep lines short enough to read. */
  wide?: boolean;
  title: string;
  /** Breadcrumb: [label, href] pairs before the page itself. */
  trail?: Array<[string, string]>;
  flash?: string | null;
  children: Child;
}

/**
 * The frame of a signed-in space (the agents' back-office, the partners' portal): the public site's
 * accessible shell with a skip link, the space's name, who is signed in and how to leave, its menu
 * with the current page marked, a breadcrumb and the message of the last action.
 */
export function WorkspaceFrame<K extends string>(p: WorkspaceFrameProps<K>) {
  return (
    <Document title={p.documentTitle} hasError={p.hasError} stylesheet={p.stylesheet} bodyClass={p.bodyClass} noindex>
      <a class="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <header class="site-header">
        {/* One width for the frame on every page, so that the menu does not move from page to page;
            the account sits beside the name of the service, the menu has a row of its own. */}
        <div class="container container--wide site-header__inner">
          <a class="logo" href={p.home}>
            <span class="logo__main">{p.programmeName}</span>
            <span class="logo__sub">{p.spaceName}</span>
          </a>
          <form method="post" action={p.signOutAction} class="signout">
            <input type="hidden" name="_csrf" value={p.csrf} />
            <span class="signout__who">{p.who}</span>{' '}
            <button type="submit" class="link-button link-button--inverse">
              Se déconnecter
            </button>
          </form>
          <SiteMenu label={p.menuLabel} items={p.menu} current={p.current === 'none' ? undefined : p.current} />
        </div>
      </header>
      <main id="contenu" tabindex={-1}>
        <div class={`container container--wide${p.wide ? '' : ' admin-narrow'}`}>
          {p.trail?.length ? <Breadcrumbs trail={p.trail} current={p.title} /> : null}
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
