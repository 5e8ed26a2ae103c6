import { searchTooBroad } from '../errors.js';
import type { UpstreamGrant } from '../upstream/types.js';
import type { IndexedRow, GrantConnection } from './connection-result.js';
import { buildConnection } from './connection-result.js';
import { windowToPages } from './page-plan.js';
import type { ListBudget } from '../upstream/request-budget.js';
import type { UpstreamRows } from './upstream-rows.js';
import type { WindowArgs } from './window-args.js';

/** Upstream pages read concurrently by a scan. */
const SCAN_PAGES_IN_FLIGHT = 3;

export interface ScanOptions {
  matches: (token: UpstreamGrant) => boolean;
  /** Most upstream rows this scan may read (SEARCH_SCAN_LIMIT). */
  scanLimit: number;
  /** The client selected `totalCount`: every row must be read. */
  needsTotalCount: boolean;
  /** The scan's share of the operation's budget: asked for its pages once the count is known. */
  budget: ListBudget;
}

/**
 * A window of the upstream list filtered by the gateway (search, isExpired, revoked). Reads the
 * list in the requested order at the largest page size, a few pages at a time, and stops as soon
 * as the window and the rows that decide `pageInfo` are known. Cursors keep upstream indices, so
 * the next page resumes where this one stopped instead of scanning from the start.
 *
 * The first page tells authentik's count. From then on the pages a read needs are asked of the
 * operation's budget before they are read: for `totalCount` every page to the end at once, else
 * each batch, so an operation that cannot afford them stops after one page per scan.
 */
export async function scanWindow(
  rows: UpstreamRows,
  args: WindowArgs,
  fingerprint: string,
  options: ScanOptions,
): Promise<GrantConnection> {
  const scanner = new Scanner(rows, options);
  if (options.needsTotalCount) return fullScan(scanner, args, fingerprint);
  if (args.take.from === 'start') return forwardScan(scanner, args, fingerprint);
  if (args.before === undefined) {
    // `last` alone: the last page tells where the list ends (and often holds the window).
    await rows.fetchPage('last', Math.min(rows.maxPageSize, options.scanLimit));
    return backwardScan(scanner, { ...args, before: rows.count ?? 0 }, fingerprint);
  }
  return backwardScan(scanner, args, fingerprint);
}

// Reads the whole list to count the matches, keeping only the window's rows: of every other
// match only where the first and last lie (enough for pageInfo), so memory stays one window.
async function fullScan(
  scanner: Scanner,
  args: WindowArgs,
  fingerprint: string,
): Promise<GrantConnection> {
  const lower = args.after ?? -1;
  const upper = args.before ?? Infinity;
  const { count } = args.take;
  const fromStart = args.take.from === 'start';
  const window: IndexedRow[] = [];
  let total = 0;
  let firstMatch = Infinity;
  let lastMatch = -Infinity;
  await scanner.forward(0, Infinity, true, (index, row) => {
    total++;
    firstMatch = Math.min(firstMatch, index);
    lastMatch = Math.max(lastMatch, index);
    if (index <= lower || index >= upper) return false;
    if (fromStart && window.length >= count) return false;
    window.push({ index, row });
    if (window.length > count) scanner.release(window.shift()!.index);
    return true;
  });
  const firstIndex = window[0]?.index ?? (fromStart ? lower : upper);
  const lastIndex = window.at(-1)?.index ?? (fromStart ? lower : upper);
  return buildConnection(fingerprint, window, {
    hasPreviousPage: firstMatch < firstIndex || (window.length === 0 && firstMatch <= lower),
    hasNextPage: lastMatch > lastIndex || (window.length === 0 && lastMatch >= upper),
    totalCount: total,
  });
}

async function forwardScan(
  scanner: Scanner,
  args: WindowArgs,
  fingerprint: string,
): Promise<GrantConnection> {
  const from = args.after ?? 0;
  const want = args.take.count + 1 + (args.after === undefined ? 0 : 1);
  const found = await scanner.forward(from, want, false);
  const afterRowMatches = args.after !== undefined && found[0]?.index === args.after;
  const following = afterRowMatches ? found.slice(1) : found;
  const window = following
    .filter(({ index }) => args.before === undefined || index < args.before)
    .slice(0, args.take.count);
  let hasPreviousPage = afterRowMatches;
  if (args.after !== undefined && !afterRowMatches) {
    hasPreviousPage = (await scanner.backward(args.after + 1, 1)).length > 0;
  }
  return buildConnection(fingerprint, window, {
    hasPreviousPage,
    hasNextPage: following.length > window.length,
    totalCount: undefined,
  });
}

async function backwardScan(
  scanner: Scanner,
  args: WindowArgs,
  fingerprint: string,
): Promise<GrantConnection> {
  const before = args.before!;
  const lowerBound = args.after ?? -1;
  const found = await scanner.backward(before, args.take.count + 1, lowerBound);
  const window = found.slice(Math.max(0, found.length - args.take.count));
  const hasPreviousPage =
    found.length > window.length ||
    (args.after !== undefined && (await scanner.backward(lowerBound + 1, 1)).length > 0);
  const hasNextPage = (await scanner.forward(before, 1, false)).length > 0;
  return buildConnection(fingerprint, window, {
    hasPreviousPage,
    hasNextPage,
    totalCount: undefined,
  });
}

/** Reads the upstream list in large pages, counting rows against the scan limit. */
class Scanner {
  private examined = 0;

  constructor(
    private readonly rows: UpstreamRows,
    private readonly options: ScanOptions,
  ) {}

  /**
   * Matching rows at index >= from, ascending, until `want` are found or the list ends. With
   * `keep`, each match is handed to it instead of being collected, and one it declines is dropped.
   */
  async forward(
    from: number,
    want: number,
    toTheEnd: boolean,
    keep?: (index: number, row: UpstreamGrant) => boolean,
  ): Promise<IndexedRow[]> {
    const found: IndexedRow[] = [];
    let position = from;
    for (;;) {
      const count = this.rows.count;
      if (count !== undefined && position >= count) return found;
      if (count !== undefined && toTheEnd) this.refuseIfPastLimit(count - position, count - from);
      const size = this.rows.maxPageSize;
      // The first page alone tells the count (and often holds the whole answer); then a few at once.
      const pages = count === undefined ? 1 : SCAN_PAGES_IN_FLIGHT;
      let batchEnd = (Math.floor(position / size) + pages) * size;
      if (count !== undefined) batchEnd = Math.min(batchEnd, count);
      batchEnd = Math.min(
        batchEnd,
        position + this.allowance(count === undefined ? undefined : count - from),
      );
      let end: number;
      if (count === undefined) {
        await this.firstPage(Math.floor(position / size) + 1);
        // What the page held from `position` on (a tenant may serve fewer rows than asked).
        end = position;
        while (end < batchEnd && this.rows.at(end)) end++;
      } else {
        await this.reserve(position, toTheEnd ? count : batchEnd);
        await this.rows.ensure(position, batchEnd);
        end = Math.min(batchEnd, this.rows.count ?? batchEnd);
      }
      for (; position < end; position++) {
        const row = this.rows.at(position);
        this.examined++;
        if (row && this.options.matches(row)) {
          if (keep) {
            if (!keep(position, row)) this.rows.forget(position);
            continue;
          }
          found.push({ index: position, row });
          if (found.length >= want) return found;
        } else {
          this.rows.forget(position);
        }
      }
    }
  }

  /** Up to `want` matching rows with lowerBound < index < before, nearest to `before`, ascending. */
  async backward(before: number, want: number, lowerBound = -1): Promise<IndexedRow[]> {
    const found: IndexedRow[] = [];
    let position = Math.min(before, this.rows.count ?? before);
    // One page first (it often holds the window), then a few at once, as forward() does.
    let pages = 1;
    while (position > lowerBound + 1 && found.length < want) {
      const size = this.rows.maxPageSize;
      let batchStart = Math.max(lowerBound + 1, (Math.ceil(position / size) - pages) * size, 0);
      pages = SCAN_PAGES_IN_FLIGHT;
      batchStart = Math.max(batchStart, position - this.allowance(position - lowerBound - 1));
      if (this.rows.count === undefined) {
        await this.firstPage(Math.floor(batchStart / size) + 1);
        position = Math.min(position, this.rows.count ?? position);
        // What the page held below `position` (a tenant may serve fewer rows than asked).
        let held = position;
        while (held > batchStart && this.rows.at(held - 1)) held--;
        batchStart = held;
      } else {
        await this.reserve(batchStart, position);
        await this.rows.ensure(batchStart, position);
        position = Math.min(position, this.rows.count ?? position);
      }
      while (position > batchStart && found.length < want) {
        position--;
        const row = this.rows.at(position);
        this.examined++;
        if (row && this.options.matches(row)) found.unshift({ index: position, row });
        else this.rows.forget(position);
      }
      position = Math.min(position, batchStart);
    }
    return found;
  }

  // The first read is one page, whatever it holds (a tenant may serve fewer rows than asked):
  // the count it tells decides the rest, which is asked of the budget before it is read.
  private async firstPage(page: number): Promise<void> {
    const size = this.rows.maxPageSize;
    if (!(await this.rows.fetchPage(page, size))) await this.rows.fetchPage('last', size);
  }

  // Asks the operation's budget for the calls that reading rows [from, to) takes, in this scan's
  // batches of pages (rows already here cost none); waits until they are granted.
  private async reserve(from: number, to: number): Promise<void> {
    const size = this.rows.maxPageSize;
    let calls = 0;
    for (let start = from; start < to;) {
      const end = Math.min(to, (Math.floor(start / size) + SCAN_PAGES_IN_FLIGHT) * size);
      let first = start;
      let last = end;
      while (first < last && this.rows.at(first)) first++;
      while (last > first && this.rows.at(last - 1)) last--;
      if (first < last) calls += windowToPages(first, last, size).pages.length;
      start = end;
    }
    await this.options.budget.need(calls);
  }

  /** Drops a row the scan kept but no longer needs. */
  release(index: number): void {
    this.rows.forget(index);
  }

  // Rows this scan may still read; refuses when it may read none but must read more.
  private allowance(rowsToRead: number | undefined): number {
    const left = this.options.scanLimit - this.examined;
    if (left <= 0) throw searchTooBroad(rowsToRead ?? this.examined + 1, this.options.scanLimit);
    return left;
  }

  private refuseIfPastLimit(moreRows: number, rowsToRead: number): void {
    if (this.examined + moreRows > this.options.scanLimit) {
      throw searchTooBroad(rowsToRead, this.options.scanLimit);
    }
  }
}
