import type { IndexedRow, TokenConnection } from './connection-result.js';
import { buildConnection } from './connection-result.js';
import type { UpstreamRows } from './upstream-rows.js';
import type { WindowArgs } from './window-args.js';

/**
 * A window of the unfiltered upstream list: the cursor range and `first`/`last` become an index
 * range, fetched in one call whenever one page can cover it. `last` without `before` first reads
 * the last page, which tells the count and usually holds the whole window.
 */
export async function offsetWindow(
  rows: UpstreamRows,
  args: WindowArgs,
  fingerprint: string,
): Promise<TokenConnection> {
  let start = args.after === undefined ? 0 : args.after + 1;
  let end = args.before;
  const { take } = args;
  if (take.from === 'start') {
    end = end === undefined ? start + take.count : Math.min(end, start + take.count);
  } else {
    if (end === undefined) {
      await rows.fetchPage('last', rows.maxPageSize);
      end = rows.count ?? 0;
    }
    start = Math.max(start, end - take.count);
  }
  end = Math.max(start, end);
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
