/** `GET /core/users/`: the `uuid` and `username` filters, ordered by username, paginated. */
import { effectivePageSize, lastValue, paginationFor, parseFlags, resolvePage } from './listing.js';
import type { JsonAnswer } from './listing.js';
import { serializeUser } from './serialize.js';
import type { FakeStore } from './store.js';

// Django's UUIDField accepts 32 hex digits, with or without the dashes, in any case.
const UUID_TEXT = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

const canonicalUuid = (text: string): string => {
  const hex = text.replaceAll('-', '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/**
 * The user list answer for a superuser (`UserViewSet`, default ordering `username`). Of its many
 * declared filters the fake honours `uuid` (400 `Enter a valid UUID.` when malformed) and
 * `username`; the others are ignored, as undeclared parameters are.
 */
export function userListAnswer(store: FakeStore, query: URLSearchParams): JsonAnswer {
  const uuid = lastValue(query, 'uuid') ?? '';
  const username = lastValue(query, 'username') ?? '';
  if (uuid !== '' && !UUID_TEXT.test(uuid.trim())) {
    return { status: 400, body: JSON.stringify({ uuid: ['Enter a valid UUID.'] }) };
  }
  const rows = store.records.users
    .filter((u) => uuid === '' || u.uuid === canonicalUuid(uuid.trim()))
    .filter((u) => username === '' || u.username === username)
    .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : a.pk - b.pk));
  const size = effectivePageSize(
    lastValue(query, 'page_size'),
    store.defaultPageSize,
    store.maxPageSize,
  );
  const n = resolvePage(lastValue(query, 'page'), Math.max(1, Math.ceil(rows.length / size)));
  if (n === null) return { status: 404, body: '{"detail":"Invalid page."}' };
  const flags = parseFlags(query);
  const results = rows
    .slice(size * (n - 1), size * n)
    .map((u) => serializeUser(u, store.shape, flags));
  const body: Record<string, unknown> = {
    pagination: paginationFor(rows.length, size, n),
    results,
  };
  if (store.shape !== 'legacy-2024') body['autocomplete'] = {};
  return { status: 200, body: JSON.stringify(body) };
}
