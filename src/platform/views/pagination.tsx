/**
 * "Page précédente · Page 2 sur 5 · Page suivante", in a labelled navigation landmark; nothing when
 * there is one page. Every paginated list of the platform uses it.
 */
export function Pagination(p: { page: number; pages: number; href: (page: number) => string; label: string }) {
  if (p.pages <= 1) return null;
  return (
    <nav aria-label={p.label}>
      <ul class="pagination">
        {p.page > 1 ? (
          <li>
            <a href={p.href(p.page - 1)} rel="prev">
              Page précédente
            </a>
          </li>
        ) : null}
        <li aria-current="page">
          Page {p.page} sur {p.pages}
        </li>
        {p.page < p.pages ? (
          <li>
            <a href={p.href(p.page + 1)} rel="next">
              Page suivante
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}
