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
  let best = { size: 0, first: 0, count: Infinity, rows: Infinity };
  // Every size: a window longer than the maximum may need fewer pages of a smaller, better-aligned size.
  for (let size = 1; size <= maxPageSize; size++) {
    const first = Math.floor(from / size);
    const count = Math.floor((to - 1) / size) - first + 1;
    const rows = count * size;
    if (count < best.count || (count === best.count && rows < best.rows)) {
      best = { size, first, count, rows };
    }
    if (count === 1) break; // the smallest size that covers the range in one page
  }
  // from < to always holds for callers and maxPageSize >= 1, so a size was chosen.
  return {
    pageSize: best.size,
    pages: Array.from({ length: best.count }, (_, i) => best.first + i + 1),
  };
}
