/** Pages of one size that together cover a range of upstream rows. */
export interface PagePlan {
  pageSize: number;
  /** 1-based page numbers, ascending. */
  pages: number[];
}

/**
 * Chooses the page size (at most `maxPageSize`) whose pages cover rows [from, to) with the fewest
 * upstream calls, then the fewest rows transferred. One call whenever one page can cover the range.
 */
export function windowToPages(from: number, to: number, maxPageSize: number): PagePlan {
  let best: PagePlan | undefined;
  let bestRows = Infinity;
  // Every size: a window longer than the maximum may need fewer pages of a smaller, better-aligned size.
  for (let size = 1; size <= maxPageSize; size++) {
    const first = Math.floor(from / size);
    const last = Math.floor((to - 1) / size);
    const count = last - first + 1;
    const rows = count * size;
    if (!best || count < best.pages.length || (count === best.pages.length && rows < bestRows)) {
      best = { pageSize: size, pages: Array.from({ length: count }, (_, i) => first + i + 1) };
      bestRows = rows;
    }
    if (count === 1) break; // the smallest size that covers the range in one page
  }
  // from < to always holds for callers and maxPageSize >= 1, so best is set.
  return best!;
}
