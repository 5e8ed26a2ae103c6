/** Shared helpers for the core connection tests: one query, walks, REST oracles and call logs. */
import type { GraphQLFormattedError } from 'graphql';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import type { ServedGrant, ServedToken } from '../../src/fake-authentik/types.js';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import type { TestGateway } from './gateway.js';
import { measured } from './gateway.js';
import { expectedList } from '../fake-authentik/expected.js';

/** The list endpoint every connection query pages through. */
export const LIST_PATH = '/api/v3/oauth2/refresh_tokens/';

/** authentik's default ordering, with the `pk` tie-breaker the gateway adds to every list. */
export const DEFAULT_ORDERING = 'provider,expires,pk';

/** The refresh-token filter, as GraphQL variables. */
export interface RefreshTokenFilterVars {
  providerPk?: number | null;
  userPk?: number | null;
  isExpired?: boolean | null;
  revoked?: boolean | null;
}

/** Connection arguments as GraphQL variables (any grant kind's, with its filter). */
export interface ConnectionVars<Filter = RefreshTokenFilterVars> {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  search?: string | null;
  orderBy?: { field: string; direction?: 'ASC' | 'DESC' }[] | null;
  filter?: Filter | null;
}

/** What a connection query answers (the fields the helpers select). */
export interface Page {
  totalCount?: number;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  edges: { cursor: string; node: { pk: number } }[];
}

/** `refreshTokens` with every argument as a variable; `selection` is the connection's selection. */
export function connectionQuery(
  selection = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { pk } }',
): string {
  return `query Tokens($first: Int, $after: String, $last: Int, $before: String, $search: String,
      $orderBy: [RefreshTokenOrder!], $filter: RefreshTokenFilter) {
    refreshTokens(first: $first, after: $after, last: $last, before: $before, search: $search,
        orderBy: $orderBy, filter: $filter) { ${selection} }
  }`;
}

const PAGE_SELECTION =
  'pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { pk } }';
const PAGE_WITH_COUNT = `totalCount ${PAGE_SELECTION}`;

/** Runs one connection query and returns the page, failing loudly on any GraphQL error. */
export async function fetchPage(
  gw: TestGateway,
  vars: ConnectionVars,
  options: { withCount?: boolean; token?: string } = {},
): Promise<Page> {
  const result = await gw.gql<{ refreshTokens: Page }>(
    connectionQuery(options.withCount ? PAGE_WITH_COUNT : PAGE_SELECTION),
    vars as Record<string, unknown>,
    { token: options.token ?? ADMIN_TOKEN },
  );
  if (result.errors?.length || !result.data) {
    throw new Error(`query failed: ${JSON.stringify(result.errors)} for ${JSON.stringify(vars)}`);
  }
  return result.data.refreshTokens;
}

/** Runs one connection query expected to fail and returns its errors. */
export async function fetchErrors(
  gw: TestGateway,
  vars: ConnectionVars,
  options: { withCount?: boolean; token?: string | null } = {},
): Promise<readonly GraphQLFormattedError[]> {
  const result = await gw.gql(
    connectionQuery(options.withCount ? PAGE_WITH_COUNT : PAGE_SELECTION),
    vars as Record<string, unknown>,
    { token: options.token === undefined ? ADMIN_TOKEN : options.token },
  );
  if (!result.errors?.length) throw new Error(`expected errors for ${JSON.stringify(vars)}`);
  return result.errors;
}

/** The pks of a page, in order. */
export function pksOf(page: Page): number[] {
  return page.edges.map((edge) => edge.node.pk);
}

/** Runs `action` with an empty request log; its result and the list calls it made (their queries). */
export async function countListCalls<T>(
  gw: TestGateway,
  action: () => Promise<T>,
): Promise<{ result: T; calls: URLSearchParams[] }> {
  const { result, calls } = await measured(gw, action);
  return { result, calls: calls.filter((c) => c.path === LIST_PATH).map((c) => c.query) };
}

/**
 * Walks the whole connection in pages of `size`: forward (`first`/`after`) or backward
 * (`last`/`before`). Returns every pk and every page seen, both in list order.
 */
async function walk(
  direction: 'forward' | 'backward',
  gw: TestGateway,
  vars: ConnectionVars,
  size: number,
  token?: string,
): Promise<{ pks: number[]; pages: Page[] }> {
  const forward = direction === 'forward';
  const pages: Page[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 400; guard++) {
    const window = forward ? { first: size, after: cursor } : { last: size, before: cursor };
    const page = await fetchPage(gw, { ...vars, ...window }, { token });
    if (forward) pages.push(page);
    else pages.unshift(page);
    const { hasNextPage, hasPreviousPage, startCursor, endCursor } = page.pageInfo;
    if (!(forward ? hasNextPage : hasPreviousPage)) return { pks: pages.flatMap(pksOf), pages };
    cursor = forward ? endCursor : startCursor;
  }
  throw new Error(`${direction} walk did not end`);
}

/** Walks the whole connection forward with `first: size`, returning pks and every page seen. */
export const walkForward = (gw: TestGateway, vars: ConnectionVars, size: number, token?: string) =>
  walk('forward', gw, vars, size, token);

/** Walks the whole connection backward with `last: size`, returning pks (in list order). */
export const walkBackward = (gw: TestGateway, vars: ConnectionVars, size: number, token?: string) =>
  walk('backward', gw, vars, size, token);

/** The cursor of the row at 0-based `index` of the connection, reached through the public API. */
export async function cursorAt(
  gw: TestGateway,
  vars: ConnectionVars,
  index: number,
): Promise<string> {
  let after: string | null = null;
  let remaining = index + 1;
  for (;;) {
    const first = Math.min(100, remaining);
    const page = await fetchPage(gw, { ...vars, first, after });
    remaining -= page.edges.length;
    if (page.edges.length < first) throw new Error(`no row at index ${index}`);
    if (remaining === 0) return page.pageInfo.endCursor!;
    after = page.pageInfo.endCursor;
  }
}

/** What authentik's REST API lists for the caller, under an ordering that ends in pk. */
export function restList(
  fake: FakeAuthentik,
  q: { ordering: string; provider?: number; user?: number; bearer?: string },
): ServedToken[] {
  return expectedList(fake, { bearer: ADMIN_TOKEN, ...q });
}

/**
 * An independent oracle for the search semantics of the issue: every term, case-insensitively,
 * is a substring of the user's username, name or email, the provider's name, its application's
 * name or slug, or a scope entry.
 */
export function grantMatchesSearch(token: ServedGrant, terms: readonly string[]): boolean {
  const texts = [
    token.user.username,
    token.user.name,
    token.user.email,
    token.provider.name,
    token.provider.assigned_application_name,
    token.provider.assigned_application_slug,
    ...token.scope,
  ]
    .filter((text): text is string => typeof text === 'string')
    .map((text) => text.toLowerCase());
  return terms.every((term) => texts.some((text) => text.includes(term.toLowerCase())));
}

/** Smallest number of pages of one size ≤ max covering rows [from, to) (brute force). */
export function fewestPages(from: number, to: number, max: number): number {
  let best = Infinity;
  for (let size = 1; size <= max; size++) {
    best = Math.min(best, Math.floor((to - 1) / size) - Math.floor(from / size) + 1);
  }
  return best;
}
