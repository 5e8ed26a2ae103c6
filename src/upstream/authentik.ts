import type { GrantKind, GrantSegment } from './grant-kinds.js';
import type { UpstreamCall, UpstreamHttp, UpstreamResponse, UpstreamTarget } from './http.js';
import { normalizeGrant, normalizeOAuth2Provider, normalizeUser } from './normalize.js';
import type {
  UpstreamOAuth2Provider,
  UpstreamPagination,
  UpstreamGrant,
  UpstreamUser,
} from './types.js';
import { UpstreamError } from './upstream-error.js';
import type { ListBudget } from './request-budget.js';
import { RequestBudget } from './request-budget.js';

/** What narrows and orders the upstream list (everything but the page). */
export interface GrantListQuery {
  /** Comma-separated DRF ordering, already ending in the `pk` tie-breaker. */
  ordering: string;
  provider?: number;
  user?: number;
  /** False asks authentik to leave each user's `groups_obj` null (smaller answers). */
  includeGroups: boolean;
  /** False asks authentik to leave each user's `roles_obj` null. */
  includeRoles: boolean;
}

export interface GrantPageRequest extends GrantListQuery {
  page: number | 'last';
  pageSize: number;
}

export type GrantPage =
  | { kind: 'page'; rows: UpstreamGrant[]; pagination: UpstreamPagination }
  | { kind: 'invalid-page' };

/**
 * The routes the gateway calls besides the grant kinds' (see {@link GrantRoute}), as templates:
 * with those, the only shapes a path to authentik can take.
 */
export const ROUTES = {
  users: '/api/v3/core/users/',
  user: '/api/v3/core/users/{pk}/',
  oauth2Provider: '/api/v3/providers/oauth2/{pk}/',
  ready: '/-/health/ready/',
} as const;

/** A grant kind's list route and its row route, e.g. `/api/v3/oauth2/refresh_tokens/{pk}/`. */
export type GrantRoute = `/api/v3/oauth2/${GrantSegment}/` | `/api/v3/oauth2/${GrantSegment}/{pk}/`;

/** Every route template the gateway calls. */
export type Route = (typeof ROUTES)[keyof typeof ROUTES] | GrantRoute;

/**
 * The target for a route: `{pk}` becomes the decimal text of a positive safe integer (anything
 * else is refused before a call), each segment URL-encoded, and the query appended. No client
 * value can change the path.
 */
export function targetOf(route: Route, pk?: number, query?: URLSearchParams): UpstreamTarget {
  let path: string = route;
  if (route.includes('{pk}')) {
    if (pk === undefined || !Number.isSafeInteger(pk) || pk < 1) {
      throw new UpstreamError(
        'not-sent',
        `${String(pk).slice(0, 40)} is not a positive integer id`,
      );
    }
    path = route.replace('{pk}', encodeURIComponent(String(pk)));
  }
  return { route, path: query ? `${path}?${query}` : path };
}

/**
 * The one place a grant kind's target is built: its list (with its query), or one row by a pk
 * that must be a positive safe integer (see {@link targetOf}).
 */
export function grantTarget(kind: GrantKind, pk?: number, query?: URLSearchParams): UpstreamTarget {
  return pk === undefined
    ? targetOf(`/api/v3/oauth2/${kind.segment}/`, undefined, query)
    : targetOf(`/api/v3/oauth2/${kind.segment}/{pk}/`, pk, query);
}

/** authentik's documented page-size maximum; a tenant may clamp lower (learned per origin). */
export const AUTHENTIK_MAX_PAGE_SIZE = 100;

/** What the gateway may learn about one authentik. */
export interface AuthentikClientOptions {
  /**
   * How long a page size learned from a tenant that clamps page sizes is trusted before
   * authentik's documented maximum is tried again, in ms (PAGE_SIZE_REPROBE_MS).
   */
  pageSizeReprobeMs: number;
}

/**
 * The page size authentik says it served, from the pagination envelope alone (never from the
 * number of rows, which a row deleted between authentik's COUNT and SELECT makes short): on a
 * page before the last `end_index - start_index + 1`, on a later page the size its start index
 * implies. Undefined when the envelope does not tell (a first page that is also the last).
 */
function servedPageSize(pagination: UpstreamPagination): number | undefined {
  const { current, total_pages: totalPages, start_index: start, end_index: end } = pagination;
  if (current < totalPages && end >= start && start >= 1) return end - start + 1;
  if (current > 1 && start > 1) {
    const size = (start - 1) / (current - 1);
    if (Number.isInteger(size)) return size;
  }
  return undefined;
}

/**
 * Long-lived, one per authentik origin: the HTTP pool plus what the gateway has learned about
 * this server (its page-size maximum, for a while). Hands out a per-request API bound to one
 * caller.
 */
export class AuthentikClient {
  /** A page-size maximum below authentik's documented one, and when it was learned. */
  private learned: { size: number; at: number } | undefined;

  constructor(
    readonly http: UpstreamHttp,
    private readonly options: AuthentikClientOptions,
  ) {}

  /**
   * Largest page size this server is known to serve: the learned maximum until
   * `pageSizeReprobeMs` after it was learned, then authentik's documented maximum again (a tenant
   * setting may change, and a bad observation must not last).
   */
  get maxPageSize(): number {
    if (this.learned && performance.now() - this.learned.at >= this.options.pageSizeReprobeMs) {
      this.learned = undefined;
    }
    return this.learned?.size ?? AUTHENTIK_MAX_PAGE_SIZE;
  }

  /**
   * Learns from a page served for `requestedSize` whether the tenant clamps page sizes lower than
   * we thought, on authentik's own word only (its pagination envelope): a page that merely came
   * back short, with a row missing, is the request's business (UpstreamRows reads the rest) and
   * changes no other caller's plan.
   */
  learnFromPage(requestedSize: number, pagination: UpstreamPagination): void {
    const served = servedPageSize(pagination);
    if (served !== undefined && served < requestedSize && served < this.maxPageSize) {
      this.learned = { size: served, at: performance.now() };
    }
  }

  /**
   * An API bound to one GraphQL request's credentials, abort signal and call budget (MAX_COST;
   * default none).
   */
  forRequest(call: UpstreamCall, budget?: RequestBudget): AuthentikApi {
    return new AuthentikApi(this, call, budget);
  }

  /** True when authentik's readiness probe answers 2xx. */
  async isReady(signal?: AbortSignal): Promise<boolean> {
    try {
      const { status } = await this.http.request('GET', targetOf(ROUTES.ready), { signal });
      return status >= 200 && status < 300;
    } catch {
      return false;
    }
  }
}

/** What a DELETE of one row came to: deleted, or already gone (authentik's 404). */
export type DeleteOutcome = 'deleted' | 'gone';

/**
 * authentik's OAuth2 grant API as one caller sees it. Identical GETs of this caller in flight at
 * the same time (within this request or across requests) share one upstream call (http.ts).
 */
export class AuthentikApi {
  /** Largest page size this server is known to serve (learned per origin). */
  get maxPageSize(): number {
    return this.client.maxPageSize;
  }

  constructor(
    readonly client: AuthentikClient,
    private readonly call: UpstreamCall,
    /** This operation's calls to authentik (MAX_COST): every call but a revoke's DELETEs counts. */
    readonly budget: RequestBudget = new RequestBudget(Infinity),
  ) {}

  /**
   * One page of a grant list; `invalid-page` for authentik's 404 past the end. The call counts
   * against `list`'s promised calls when it has some.
   */
  async listGrants(
    kind: GrantKind,
    request: GrantPageRequest,
    list?: ListBudget,
  ): Promise<GrantPage> {
    const query = new URLSearchParams();
    query.set('ordering', request.ordering);
    if (request.provider !== undefined) query.set('provider', String(request.provider));
    if (request.user !== undefined) query.set('user', String(request.user));
    if (!request.includeGroups) query.set('include_groups', 'false');
    if (!request.includeRoles) query.set('include_roles', 'false');
    query.set('page', String(request.page));
    query.set('page_size', String(request.pageSize));
    const response = await this.send('GET', grantTarget(kind, undefined, query), { list });
    if (response.status === 404 && detailOf(response.json) === 'Invalid page.') {
      return { kind: 'invalid-page' };
    }
    const page = parseGrantList(expectOk(response));
    this.client.learnFromPage(request.pageSize, page.pagination);
    return { kind: 'page', ...page };
  }

  /** `GET /oauth2/<segment>/{pk}/`; null when authentik says 404. */
  async getGrant(kind: GrantKind, pk: number): Promise<UpstreamGrant | null> {
    const body = await this.retrieve(grantTarget(kind, pk));
    if (body === null) return null;
    if (!isGrant(body)) throw badResponse(`a ${kind.noun}`);
    return normalizeGrant(body);
  }

  /** `GET /core/users/{pk}/`; null when authentik says 404. */
  async getUser(pk: number): Promise<UpstreamUser | null> {
    const body = await this.retrieve(targetOf(ROUTES.user, pk));
    if (body === null) return null;
    if (!isObjectWithPk(body)) throw badResponse('a user');
    return normalizeUser(body);
  }

  /** `GET /core/users/?uuid=`: the user with this UUID; null when authentik has none. */
  async findUserByUuid(uuid: string): Promise<UpstreamUser | null> {
    const query = new URLSearchParams({ uuid });
    const body = expectOk(await this.send('GET', targetOf(ROUTES.users, undefined, query)));
    const results = (body as { results?: unknown } | null)?.results;
    if (!Array.isArray(results) || !results.every(isObjectWithPk)) throw badResponse('a user list');
    const [first] = results;
    return first ? normalizeUser(first) : null;
  }

  /** `GET /providers/oauth2/{pk}/`; null when authentik says 404. */
  async getOAuth2Provider(pk: number): Promise<UpstreamOAuth2Provider | null> {
    const body = await this.retrieve(targetOf(ROUTES.oauth2Provider, pk));
    if (body === null) return null;
    if (!isObjectWithPk(body)) throw badResponse('an OAuth2 provider');
    return normalizeOAuth2Provider(body);
  }

  /**
   * `DELETE /oauth2/<segment>/{pk}/` (never retried): `gone` when authentik says 404. A revoke's
   * DELETEs pass `outsideBudget`: they are bounded by MAX_REVOKE, not by MAX_COST.
   */
  async deleteGrant(
    kind: GrantKind,
    pk: number,
    options: { outsideBudget?: boolean } = {},
  ): Promise<DeleteOutcome> {
    const response = await this.send('DELETE', grantTarget(kind, pk), options);
    if (response.status === 404) return 'gone';
    expectOk(response);
    return 'deleted';
  }

  private async retrieve(target: UpstreamTarget): Promise<unknown> {
    const response = await this.send('GET', target);
    if (response.status === 404) return null;
    return expectOk(response);
  }

  // Nothing is sent without credentials (authentik would refuse it) or past the operation's budget.
  // `outsideBudget`: a call bounded by another limit (a revoke's DELETEs, by MAX_REVOKE); `list`:
  // the list whose promised calls this one uses.
  private async send(
    method: 'GET' | 'DELETE',
    target: UpstreamTarget,
    { outsideBudget = false, list }: { outsideBudget?: boolean; list?: ListBudget } = {},
  ): Promise<UpstreamResponse> {
    if (!this.call.authorization) {
      throw new UpstreamError('no-credentials', 'the request has no Authorization header');
    }
    if (!outsideBudget) this.budget.spend(list);
    return this.client.http.request(method, target, this.call);
  }
}

function detailOf(json: unknown): string | undefined {
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const detail = (json as Record<string, unknown>).detail;
    if (typeof detail === 'string') return detail;
  }
  return undefined;
}

// 400 bodies are a field map or a bare list of messages (CONTRACT.md, "Error bodies").
function fieldMessagesOf(json: unknown): Record<string, string[]> | undefined {
  if (Array.isArray(json)) return { non_field_errors: json.map(String) };
  if (!json || typeof json !== 'object') return undefined;
  const fields: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(json)) {
    fields[key] = Array.isArray(value) ? value.map(String) : [String(value)];
  }
  return fields;
}

function expectOk(response: UpstreamResponse): unknown {
  const { status, json } = response;
  if (status >= 200 && status < 300) return json;
  if (status >= 500) throw new UpstreamError('server', `authentik answered ${status}`, { status });
  if (status === 400) {
    throw new UpstreamError('status', 'authentik rejected the request (400)', {
      status,
      fields: fieldMessagesOf(json),
    });
  }
  throw new UpstreamError('status', `authentik answered ${status}`, {
    status,
    detail: detailOf(json),
  });
}

function badResponse(what: string): UpstreamError {
  return new UpstreamError('bad-response', `authentik's answer is not ${what}`);
}

function isObjectWithPk(value: unknown): value is { pk: number } {
  return (
    typeof value === 'object' && value !== null && Number.isInteger((value as { pk?: unknown }).pk)
  );
}

function isGrant(value: unknown): value is { pk: number; provider: object; user: object } {
  if (!isObjectWithPk(value)) return false;
  const token = value as unknown as Record<string, unknown>;
  return isObjectWithPk(token.provider) && isObjectWithPk(token.user);
}

const PAGINATION_KEYS = [
  'next',
  'previous',
  'count',
  'current',
  'total_pages',
  'start_index',
  'end_index',
] as const;

function parseGrantList(body: unknown): { rows: UpstreamGrant[]; pagination: UpstreamPagination } {
  if (!body || typeof body !== 'object') throw badResponse('a token list');
  const { pagination, results } = body as { pagination?: unknown; results?: unknown };
  if (!pagination || typeof pagination !== 'object' || !Array.isArray(results)) {
    throw badResponse('a token list');
  }
  for (const key of PAGINATION_KEYS) {
    if (!Number.isInteger((pagination as Record<string, unknown>)[key]))
      throw badResponse('a token list');
  }
  if (!results.every(isGrant)) throw badResponse('a token list');
  for (const row of results) normalizeGrant(row);
  return { rows: results as UpstreamGrant[], pagination: pagination as UpstreamPagination };
}
