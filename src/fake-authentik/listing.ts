/**
 * `GET /oauth2/{refresh_tokens,access_tokens,authorization_codes}/`: query parsing, filtering,
 * ordering and the pagination envelope (one view configuration for the three grant kinds).
 */
import { hash32, parsePythonInt } from './format.js';
import type { SerializeFlags } from './serialize.js';
import type { FakeStore } from './store.js';
import type { GrantKind, Json, GrantRecord, UserRecord } from './types.js';
import { FAKE_GRANT_KINDS } from './types.js';

/** A JSON answer: status and body (text, or cached UTF-8 bytes). */
export interface JsonAnswer {
  status: number;
  body: string | Buffer;
}

/** The ordering terms the refresh- and access-token viewsets accept. */
export const ORDERING_FIELDS = ['pk', 'provider', 'user', 'expires', 'revoked'] as const;
/** Authorization codes' serializer has no `revoked`, so DRF drops that term for them. */
const CODE_ORDERING_FIELDS: readonly string[] = ['pk', 'provider', 'user', 'expires'];

const orderingFieldsOf = (kind: GrantKind): readonly string[] =>
  FAKE_GRANT_KINDS[kind].model === 'TokenModel' ? ORDERING_FIELDS : CODE_ORDERING_FIELDS;
/** The viewset's default ordering (no unique tie-breaker). */
export const DEFAULT_ORDERING = ['provider', 'expires'];
const INVALID_CHOICE = 'Select a valid choice. That choice is not one of the available choices.';

/** Django's `QueryDict.get`: the last value of a repeated parameter. */
export function lastValue(query: URLSearchParams, name: string): string | undefined {
  const all = query.getAll(name);
  return all.length ? all[all.length - 1] : undefined;
}

/** DRF `OrderingFilter`: comma-separated terms, invalid ones dropped, default when none remain. */
export function parseOrdering(
  raw: string | undefined,
  kind: GrantKind = 'refresh_tokens',
): string[] {
  if (!raw) return DEFAULT_ORDERING;
  const fields = orderingFieldsOf(kind);
  const valid = raw
    .split(',')
    .map((term) => term.trim())
    .filter((term) => fields.includes(term.startsWith('-') ? term.slice(1) : term));
  return valid.length ? valid : DEFAULT_ORDERING;
}

/** `include_groups` / `include_roles`: anything but (case-insensitive) `true` turns them off. */
export function parseFlags(query: URLSearchParams): SerializeFlags {
  const on = (name: string): boolean => (lastValue(query, name) ?? 'true').toLowerCase() === 'true';
  return { includeGroups: on('include_groups'), includeRoles: on('include_roles') };
}

/** DRF page size: positive integer, clamped to the maximum; anything else gives the default. */
export function effectivePageSize(
  raw: string | undefined,
  defaultSize: number,
  maxSize: number | null,
): number {
  const n = raw === undefined ? null : parsePythonInt(raw);
  if (n === null || n <= 0) return defaultSize;
  return maxSize === null ? n : Math.min(n, maxSize);
}

function sortKey(t: GrantRecord, field: string): number {
  switch (field) {
    case 'provider':
      return t.providerPk;
    case 'user':
      return t.userPk;
    case 'expires':
      // PostgreSQL: NULL is larger than every value (last ascending, first descending).
      return t.expires ?? Number.POSITIVE_INFINITY;
    case 'revoked':
      return t.revoked ? 1 : 0;
    default:
      return t.pk;
  }
}

/**
 * Sorts rows by the ordering terms. When `pk` is not among the terms the order is not total, and
 * rows with equal keys are arranged by a hash of (pk, `tieSalt`, seed): the server passes the page
 * number, so two pages of the same query may disagree about tied rows (as a real database may).
 */
export function sortTokens(
  rows: readonly GrantRecord[],
  terms: readonly string[],
  tieSalt: number,
  seed: number,
): GrantRecord[] {
  const keys = terms.map((term) => ({
    field: term.startsWith('-') ? term.slice(1) : term,
    dir: term.startsWith('-') ? -1 : 1,
  }));
  const total = keys.some((k) => k.field === 'pk');
  const tie = new Map<number, number>();
  if (!total) for (const t of rows) tie.set(t.pk, hash32(t.pk, tieSalt, seed));
  return [...rows].sort((a, b) => {
    for (const { field, dir } of keys) {
      const ka = sortKey(a, field);
      const kb = sortKey(b, field);
      if (ka !== kb) return ka < kb ? -dir : dir;
    }
    if (total) return 0;
    return (tie.get(a.pk) ?? 0) - (tie.get(b.pk) ?? 0) || a.pk - b.pk;
  });
}

/** Validated list parameters, or the 400 answer. */
export type ListParams =
  | {
      ok: true;
      kind: GrantKind;
      user: number | null;
      provider: number | null;
      terms: string[];
      total: boolean;
    }
  | { ok: false; answer: JsonAnswer };

/** Validates `user`, `provider` and `search` (the order DRF's filter backends run in). */
export function parseListParams(
  store: FakeStore,
  query: URLSearchParams,
  kind: GrantKind = 'refresh_tokens',
): ListParams {
  const errors: Record<string, Json> = {};
  const choice = (name: 'user' | 'provider'): number | null => {
    const raw = lastValue(query, name);
    if (raw === undefined || raw === '') return null;
    const id = parsePythonInt(raw);
    const exists =
      id !== null && (name === 'user' ? store.user(id) : store.provider(id)) !== undefined;
    if (!exists) errors[name] = [INVALID_CHOICE];
    return id;
  };
  const user = choice('user');
  const provider = choice('provider');
  if (Object.keys(errors).length)
    return { ok: false, answer: { status: 400, body: JSON.stringify(errors) } };
  if ((lastValue(query, 'search') ?? '').includes('\0')) {
    return {
      ok: false,
      answer: { status: 400, body: JSON.stringify(['Null characters are not allowed.']) },
    };
  }
  const terms = parseOrdering(lastValue(query, 'ordering'), kind);
  const total = terms.some((t) => t === 'pk' || t === '-pk');
  return { ok: true, kind, user, provider, terms, total };
}

/** The rows `caller` sees with the filters applied, pk ascending (cached). */
export function filteredTokens(
  store: FakeStore,
  caller: UserRecord,
  user: number | null,
  provider: number | null,
  kind: GrantKind = 'refresh_tokens',
): GrantRecord[] {
  return store.cachedList(`f|${kind}|${caller.pk}|${user}|${provider}`, () =>
    store
      .visibleTo(caller, kind)
      .filter(
        (t) =>
          (user === null || t.userPk === user) && (provider === null || t.providerPk === provider),
      ),
  );
}

/** The rows `caller` sees, filtered and sorted as the server sorts them for page `page`. */
export function orderedTokens(
  store: FakeStore,
  caller: UserRecord,
  params: Extract<ListParams, { ok: true }>,
  page: number,
): GrantRecord[] {
  const salt = params.total ? 0 : page;
  const key = `s|${params.kind}|${caller.pk}|${params.user}|${params.provider}|${params.terms.join(',')}|${salt}`;
  return store.cachedList(key, () =>
    sortTokens(
      filteredTokens(store, caller, params.user, params.provider, params.kind),
      params.terms,
      salt,
      store.seed,
    ),
  );
}

/** The pagination block for `count` rows, page size `size`, page `n`. */
export function paginationFor(count: number, size: number, n: number): Record<string, number> {
  const totalPages = Math.max(1, Math.ceil(count / size));
  return {
    next: n < totalPages ? n + 1 : 0,
    previous: n > 1 ? n - 1 : 0,
    count,
    current: n,
    total_pages: totalPages,
    start_index: count === 0 ? 0 : size * (n - 1) + 1,
    end_index: n === totalPages ? count : n * size,
  };
}

/** Resolves `page` (missing/empty → 1, `last`), or `null` for `Invalid page.`. */
export function resolvePage(raw: string | undefined, totalPages: number): number | null {
  if (raw === undefined || raw === '') return 1;
  if (raw === 'last') return totalPages;
  const n = parsePythonInt(raw);
  if (n === null || n < 1 || n > totalPages) return null;
  return n;
}

/** The whole list answer for an authenticated caller. */
export function listAnswer(
  store: FakeStore,
  caller: UserRecord,
  query: URLSearchParams,
  kind: GrantKind = 'refresh_tokens',
): JsonAnswer {
  const params = parseListParams(store, query, kind);
  if (!params.ok) return params.answer;
  const count = filteredTokens(store, caller, params.user, params.provider, kind).length;
  const size = effectivePageSize(
    lastValue(query, 'page_size'),
    store.defaultPageSize,
    store.maxPageSize,
  );
  const n = resolvePage(lastValue(query, 'page'), Math.max(1, Math.ceil(count / size)));
  if (n === null) return { status: 404, body: '{"detail":"Invalid page."}' };
  const flags = parseFlags(query);
  const key = [
    kind,
    store.shape,
    caller.pk,
    params.user,
    params.provider,
    params.terms.join(','),
    n,
    size,
    flags.includeGroups,
    flags.includeRoles,
  ].join('|');
  const body = store.cachedBody(key, () => {
    const rows = orderedTokens(store, caller, params, n).slice(size * (n - 1), size * n);
    const results = rows.map((t) => store.tokenJson(t, flags, kind)).join(',');
    const tail = store.shape === 'legacy-2024' ? '' : ',"autocomplete":{}';
    return `{"pagination":${JSON.stringify(paginationFor(count, size, n))},"results":[${results}]${tail}}`;
  });
  return { status: 200, body };
}
