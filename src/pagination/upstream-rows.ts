import type { AuthentikApi, GrantListQuery } from '../upstream/authentik.js';
import type { GrantKind } from '../upstream/grant-kinds.js';
import type { ListBudget } from '../upstream/request-budget.js';
import type { UpstreamGrant } from '../upstream/types.js';
import { UpstreamError } from '../upstream/upstream-error.js';
import { windowToPages } from './page-plan.js';
import { forEachBounded } from './bounded-concurrency.js';

/** Pages fetched at once while filling a range. */
const PAGES_IN_FLIGHT = 4;
/** Re-plans allowed when pages come back clamped or past the end; more means authentik is inconsistent. */
const MAX_ROUNDS = 6;

/**
 * The upstream list of one grant endpoint for one query (ordering and filters fixed), as far as this request has read
 * it: rows by absolute 0-based index, and the row count once any page told it. Never trusts the
 * requested page size: rows are placed by the `start_index` authentik reports, and a clamped
 * page teaches the client the tenant's real maximum.
 */
export class UpstreamRows {
  private readonly rows = new Map<number, UpstreamGrant>();
  private knownCount: number | undefined;
  /** Upstream rows received so far (the scan limit counts these). */
  rowsRead = 0;

  constructor(
    private readonly api: AuthentikApi,
    private readonly endpoint: GrantKind,
    private readonly query: GrantListQuery,
    /** The list's share of the operation's budget (its calls use what it was promised). */
    private readonly budget?: ListBudget,
  ) {}

  /** Rows in the upstream list, once a page has been read. */
  get count(): number | undefined {
    return this.knownCount;
  }

  /** Largest page size the server serves, as far as the client knows. */
  get maxPageSize(): number {
    return this.api.maxPageSize;
  }

  /** The row at an absolute index, if loaded. */
  at(index: number): UpstreamGrant | undefined {
    return this.rows.get(index);
  }

  /** Drops a row the caller is done with (a scan keeps only its matches, not the whole list). */
  forget(index: number): void {
    this.rows.delete(index);
  }

  /**
   * Loads every row of [from, to) that exists, in as few calls as the page plan allows. When the
   * first pages fall short (a tenant serving smaller pages than known), the calls of the new plan
   * are asked of the list's budget before they are made.
   */
  async ensure(from: number, to: number): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const end = this.knownCount === undefined ? to : Math.min(to, this.knownCount);
      let first = from;
      while (first < end && this.rows.has(first)) first++;
      let last = end;
      while (last > first && this.rows.has(last - 1)) last--;
      if (first >= last) return;
      const plan = windowToPages(first, last, this.maxPageSize);
      if (round > 0) await this.budget?.need(plan.pages.length);
      let pastTheEnd = false;
      await forEachBounded(plan.pages, PAGES_IN_FLIGHT, async (page) => {
        if (!(await this.fetchPage(page, plan.pageSize))) pastTheEnd = true;
      });
      if (pastTheEnd && this.knownCount === undefined) await this.fetchPage('last', plan.pageSize);
    }
    throw new UpstreamError(
      'bad-response',
      'authentik kept answering pages inconsistent with each other',
    );
  }

  /** Fetches one page and records its rows; false when authentik says the page is past the end. */
  async fetchPage(page: number | 'last', pageSize: number): Promise<boolean> {
    const request = { ...this.query, page, pageSize };
    const answer = await this.api.listGrants(this.endpoint, request, this.budget);
    if (answer.kind === 'invalid-page') return false;
    const { rows, pagination } = answer;
    this.knownCount = pagination.count;
    this.rowsRead += rows.length;
    if (rows.length === 0) return true;
    const start = pagination.start_index - 1;
    rows.forEach((row, offset) => this.rows.set(start + offset, row));
    return true;
  }
}
