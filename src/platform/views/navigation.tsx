/** One entry of a menu: its key (to mark the current page), address and label. */
export type MenuItem<K extends string> = [key: K, href: string, label: string];

/** A site's or a space's main menu, the current page marked for assistive technologies. */
export function SiteMenu<K extends string>(p: { label: string; items: Array<MenuItem<K>>; current: K | undefined }) {
  return (
    <nav class="nav" aria-label={p.label}>
      <ul>
        {p.items.map(([key, href, label]) => (
          <li>
            <a href={href} aria-current={p.current === key ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Where the page stands: [label, href] pairs leading to it, then the page itself, not a link. */
export function Breadcrumbs(p: { trail: Array<[string, string]>; current: string }) {
  return (
    <nav aria-label="Fil d’Ariane" class="breadcrumbs">
      <ol>
        {p.trail.map(([label, href]) => (
          <li>
            <a href={href}>{label}</a>
          </li>
        ))}
        <li aria-current="page">{p.current}</li>
      </ol>
    </nav>
  );
}
