import type { IndexedRow, GrantConnection } from './connection-result.js';
import { buildConnection } from './connection-result.js';
import { windowToPages } from './page-plan.js';
import type { UpstreamRows } from './upstream-rows.js';
import type { WindowArgs } from './window-args.js';

// The rows [start, end) of the window; `before` bounds it (for `last` without `before`: the count).
function windowRange(args: WindowArgs, before: number | undefined): { start: number; end: number } {
  let start = args.after === undefined ? 0 : args.after + 1;
  const { take } = args;
  let end: number;
  if (take.from === 'start') {
    end = before === undefined ? start + take.count : Math.min(before, start + take.count);
  } else {
    end = before ?? 0;
    start = Math.max(start, end - take.count);
  }
  return { start, end: Math.max(start, end) };
}

/**
 * The calls {@link offsetWindow} plans before any answer: the window's pages of at most
 * `maxPageSize` rows (one, or two when no page covers it), or the last page for `last` without
 * `before`.
 */
export function offsetWindowCalls(args: WindowArgs, maxPageSize: number): number {
  if (args.take.from === 'end' && args.before === undefined) return 1;
  const { start, end } = windowRange(args, args.before);
  return windowToPages(start, Math.max(end, start + 1), maxPageSize).pages.length;
}

/**
 * A window of the unfiltered upstream list: the cursor range and `first`/`last` become an index
 * range, fetched in one call whenever one page can cover it. `last` without `before` first reads
 * the last page, which tells the count and usually holds the whole window.
 */
export async function offsetWindow(
  rows: UpstreamRows,
  args: WindowArgs,
  fingerprint: string,
): Promise<GrantConnection> {
  let before = args.before;
  if (args.take.from === 'end' && before === undefined) {
    await rows.fetchPage('last', rows.maxPageSize);
    before = rows.count ?? 0;
  }
  const { start, end } = windowRange(args, before);
  // An empty window still needs the count: read the row just past it.
  await rows.ensure(start, Math.max(end, start + 1));
  const count = rows.count ?? 0;
  const result: IndexedRow[] = [];
  for (let index = start; index < Math.min(end, count); index++) {
    const row = rows.at(index);
    if (row) result.push({ index, row });
  }
  return buildConnection(fingerprint, result, {
    hasPreviousPage: Math.min(start, count) > 0,
    hasNextPage: end < count,
    totalCount: count,
  });
}
