/** Pure helpers for tests: what the server would answer, computed without HTTP. */
import { orderedTokens, parseFlags, parseListParams } from './listing.js';
import { route } from './routes.js';
import { FakeStore, type FakeData } from './store.js';
import type { GrantKind, ServedGrant, ServedToken } from './types.js';

/** Parameters of {@link expectedList}; values are passed as the query parameters of the same name. */
export interface ExpectedListQuery {
  /** API bearer token of the caller. */
  bearer: string;
  /** `ordering` parameter (default `provider,expires`). */
  ordering?: string;
  /** `provider` filter. */
  provider?: number | string;
  /** `user` filter. */
  user?: number | string;
  /** `include_groups=false` when false. */
  includeGroups?: boolean;
  /** `include_roles=false` when false. */
  includeRoles?: boolean;
  /**
   * Only matters for orderings without `pk`: ties are broken per page, so this picks the order the
   * server uses when serving page `page` (default 1).
   */
  page?: number;
}

function storeOf(fake: { data: FakeData }): FakeStore {
  if (!(fake.data instanceof FakeStore)) throw new Error('not a fake authentik instance');
  return fake.data;
}

/**
 * Every token the caller would see across all pages, as served, in the server's order (for an
 * ordering with `pk` this is exactly the concatenation of all pages). Throws on an invalid or
 * expired bearer and on filters the server would reject with 400.
 */
export function expectedList(fake: { data: FakeData }, q: ExpectedListQuery): ServedToken[] {
  return expectedGrants(fake, q, 'refresh_tokens') as ServedToken[];
}

/** {@link expectedList} for any grant kind (authorization codes lack id_token and revoked). */
export function expectedGrants(
  fake: { data: FakeData },
  q: ExpectedListQuery,
  kind: GrantKind,
): ServedGrant[] {
  const store = storeOf(fake);
  const caller = store.userForBearer(q.bearer);
  if (!caller) throw new Error('expectedList: unknown or expired bearer');
  const query = new URLSearchParams();
  if (q.ordering !== undefined) query.set('ordering', q.ordering);
  if (q.provider !== undefined) query.set('provider', String(q.provider));
  if (q.user !== undefined) query.set('user', String(q.user));
  if (q.includeGroups === false) query.set('include_groups', 'false');
  if (q.includeRoles === false) query.set('include_roles', 'false');
  const params = parseListParams(store, query, kind);
  if (!params.ok)
    throw new Error(
      `expectedList: the server would answer ${params.answer.status} ${params.answer.body.toString()}`,
    );
  const flags = parseFlags(query);
  return orderedTokens(store, caller, params, q.page ?? 1).map((t) =>
    store.serveGrant(t, flags, kind),
  );
}

/**
 * The status and parsed body the server would answer to `GET pathAndQuery` (e.g.
 * `/api/v3/oauth2/refresh_tokens/?page=2`) with `Authorization: Bearer <bearer>`, ignoring faults
 * and latency. `body` is parsed JSON, or the raw text when it is not JSON (HTML pages, empty).
 */
export function expectedResponse(
  fake: { data: FakeData },
  pathAndQuery: string,
  bearer?: string,
): { status: number; body: unknown } {
  const url = new URL(pathAndQuery, 'http://fake.invalid');
  const answer = route(storeOf(fake), {
    method: 'GET',
    path: url.pathname,
    query: url.searchParams,
    authorization: bearer === undefined ? undefined : `Bearer ${bearer}`,
    ready: true,
  });
  try {
    return { status: answer.status, body: JSON.parse(answer.body.toString()) as unknown };
  } catch {
    return { status: answer.status, body: answer.body.toString() };
  }
}
