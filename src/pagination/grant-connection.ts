import { requirePositiveId } from '../client-values.js';
import type { AuthentikApi, GrantListQuery } from '../upstream/authentik.js';
import type { GrantKind } from '../upstream/grant-kinds.js';
import type { UpstreamGrant } from '../upstream/types.js';
import type { GrantConnection } from './connection-result.js';
import { queryFingerprint } from './cursor.js';
import { offsetWindow, offsetWindowCalls } from './offset-window.js';
import { scanWindow } from './scan-window.js';
import { matchesSearch, searchTermsOf } from './search-terms.js';
import type { SearchLimits } from './search-terms.js';
import { UpstreamRows } from './upstream-rows.js';
import type { ConnectionArgs } from './window-args.js';
import { readWindowArgs } from './window-args.js';

/** One `orderBy` entry: an upstream ordering term and its direction. */
export interface GrantOrder {
  field: 'pk' | 'provider' | 'user' | 'expires' | 'revoked';
  direction: 'asc' | 'desc';
}

export interface GrantFilter {
  providerPk?: number | null;
  userPk?: number | null;
  isExpired?: boolean | null;
  revoked?: boolean | null;
}

export interface GrantConnectionArgs extends ConnectionArgs {
  search?: string | null;
  orderBy?: readonly GrantOrder[] | null;
  filter?: GrantFilter | null;
}

export interface GrantConnectionOptions {
  /** MAX_PAGE_SIZE: the largest `first`/`last`. */
  maxPageSize: number;
  /** SEARCH_SCAN_LIMIT. */
  scanLimit: number;
  /** MAX_SEARCH_LENGTH and MAX_SEARCH_TERMS. */
  searchLimits: SearchLimits;
  /** The client selected `totalCount`. */
  needsTotalCount: boolean;
  /** Some selected field needs `groupsObj` / `rolesObj`. */
  includeGroups: boolean;
  includeRoles: boolean;
}

/**
 * Whether a connection with these arguments is answered by scanning the list (a search, or a
 * filter the gateway applies itself: isExpired, revoked) rather than by reading one window.
 */
export function forcesScan(args: {
  search?: unknown;
  filter?: { isExpired?: unknown; revoked?: unknown } | null;
}): boolean {
  if (typeof args.search === 'string' && args.search.trim() !== '') return true;
  const filter = args.filter;
  return (
    typeof filter === 'object' &&
    filter !== null &&
    (filter.isExpired != null || filter.revoked != null)
  );
}

/** authentik's own default ordering, which has no unique tie-breaker of its own. */
const DEFAULT_ORDERING: readonly GrantOrder[] = [
  { field: 'provider', direction: 'asc' },
  { field: 'expires', direction: 'asc' },
];

/**
 * The DRF `ordering` parameter for an `orderBy` argument: terms in order, repeated fields dropped,
 * and `pk` appended as the final tie-breaker so that pages never overlap or skip rows.
 */
export function toUpstreamOrdering(orderBy: readonly GrantOrder[] | null | undefined): string {
  const terms: string[] = [];
  const seen = new Set<string>();
  for (const { field, direction } of orderBy?.length ? orderBy : DEFAULT_ORDERING) {
    if (seen.has(field)) continue;
    seen.add(field);
    terms.push(direction === 'desc' ? `-${field}` : field);
  }
  if (!seen.has('pk')) terms.push('pk');
  return terms.join(',');
}

/**
 * Resolves a grant connection (`refreshTokens(...)`, `accessTokens(...)`, ...): a Relay window
 * over one of authentik's page-numbered grant lists. Its calls are one list of the operation's
 * budget (upstream/request-budget.ts): the first once the operation can afford it, the rest of
 * a scan once authentik's count has told how many and the operation can afford them all.
 */
export async function fetchGrantConnection(
  api: AuthentikApi,
  endpoint: GrantKind,
  args: GrantConnectionArgs,
  options: GrantConnectionOptions,
): Promise<GrantConnection> {
  // Its limits first: nothing else reads a search string longer than MAX_SEARCH_LENGTH.
  const terms = searchTermsOf(args.search ?? '', options.searchLimits);
  const filter = args.filter ?? {};
  const query: GrantListQuery = {
    ordering: toUpstreamOrdering(args.orderBy),
    includeGroups: options.includeGroups,
    includeRoles: options.includeRoles,
  };
  for (const key of ['providerPk', 'userPk'] as const) {
    const value = filter[key];
    if (value != null) requirePositiveId(value, `filter.${key}`);
  }
  if (filter.providerPk != null) query.provider = filter.providerPk;
  if (filter.userPk != null) query.user = filter.userPk;
  const isExpired = filter.isExpired ?? undefined;
  const revoked = filter.revoked ?? undefined;
  const fingerprint = queryFingerprint([
    query.ordering,
    query.provider,
    query.user,
    terms,
    isExpired,
    revoked,
    // A cursor of one grant kind is no position in another's list.
    endpoint.segment,
  ]);
  const window = readWindowArgs(args, options.maxPageSize, fingerprint);
  const scans = forcesScan(args);
  // A scan's first call is one page; a window's, the pages its plan needs.
  const budget = await api.budget.openList(scans ? 1 : offsetWindowCalls(window, api.maxPageSize));
  try {
    const rows = new UpstreamRows(api, endpoint, query, budget);
    if (!scans) {
      return await offsetWindow(rows, window, fingerprint);
    }
    const matches = (token: UpstreamGrant) =>
      (isExpired === undefined || token.is_expired === isExpired) &&
      (revoked === undefined || token.revoked === revoked) &&
      matchesSearch(token, terms);
    return await scanWindow(rows, window, fingerprint, {
      matches,
      scanLimit: options.scanLimit,
      needsTotalCount: options.needsTotalCount,
      budget,
    });
  } finally {
    budget.close();
  }
}
