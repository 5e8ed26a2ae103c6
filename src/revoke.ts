import { limitExceeded, revokeFailureOf } from './errors.js';
import type { RevokeFailureCode } from './errors.js';
import { UpstreamRows } from './pagination/upstream-rows.js';
import type { AuthentikApi, GrantEndpoint } from './upstream/authentik.js';

/** DELETEs one revoke keeps in flight at most (authentik has no bulk delete). */
export const REVOKE_DELETES_IN_FLIGHT = 4;

/** MAX_REVOKE's default: a larger match is refused before anything is deleted. */
export const DEFAULT_MAX_REVOKE = 1000;

/** What to revoke: the grants of a user and/or a provider, of some kinds. */
export interface RevokeRequest {
  userPk?: number;
  providerPk?: number;
  endpoints: readonly GrantEndpoint[];
  /** List and count only. */
  dryRun: boolean;
  /** MAX_REVOKE. */
  maxRevoke: number;
}

/** One grant that could not be deleted; the rest went on. */
export interface RevokeFailure {
  endpoint: GrantEndpoint;
  pk: number;
  code: RevokeFailureCode;
  message: string;
}

/** Counts of one grant kind (for the log line and the metrics). */
export interface RevokeCounts {
  matched: number;
  deleted: number;
  alreadyGone: number;
  failed: number;
}

/** The outcome of one revoke. */
export interface RevokeResult {
  dryRun: boolean;
  matchedCount: number;
  deletedCount: number;
  alreadyGoneCount: number;
  failures: RevokeFailure[];
  /** Grants deleted now or found already gone. */
  removed: GrantRef[];
  /** The same counts by endpoint segment, in the order of `request.endpoints`. */
  byKind: Map<GrantEndpoint['segment'], RevokeCounts>;
}

/** One grant: its endpoint and pk. */
export interface GrantRef {
  endpoint: GrantEndpoint;
  pk: number;
}
type Match = GrantRef;

/**
 * Revokes every grant of the requested kinds that authentik lists for the caller with the
 * user/provider filters (a non-superuser only ever sees their own), then DELETEs each, at most
 * {@link REVOKE_DELETES_IN_FLIGHT} at a time, never retrying one: a 404 counts as already gone,
 * a 403 or an upstream failure is reported and the rest carry on, so running it again finishes
 * the job. A match larger than `maxRevoke` is refused (LIMIT_EXCEEDED) before any DELETE.
 */
export async function revokeGrants(
  api: AuthentikApi,
  request: RevokeRequest,
): Promise<RevokeResult> {
  const matches = await listMatches(api, request);
  const byKind = new Map(
    request.endpoints.map((e) => [
      e.segment,
      { matched: 0, deleted: 0, alreadyGone: 0, failed: 0 },
    ]),
  );
  for (const match of matches) byKind.get(match.endpoint.segment)!.matched++;
  const result: RevokeResult = {
    dryRun: request.dryRun,
    matchedCount: matches.length,
    deletedCount: 0,
    alreadyGoneCount: 0,
    failures: [],
    removed: [],
    byKind,
  };
  if (request.dryRun) return result;
  await withBoundedConcurrency(matches, REVOKE_DELETES_IN_FLIGHT, async (match) => {
    const counts = byKind.get(match.endpoint.segment)!;
    try {
      // Bounded by MAX_REVOKE (checked above), not by the operation's MAX_COST budget.
      const outcome = await api.deleteGrant(match.endpoint, match.pk, { outsideBudget: true });
      result.removed.push(match);
      if (outcome === 'deleted') {
        result.deletedCount++;
        counts.deleted++;
      } else {
        result.alreadyGoneCount++;
        counts.alreadyGone++;
      }
    } catch (error) {
      const failure = revokeFailureOf(error);
      if (!failure) throw error;
      counts.failed++;
      result.failures.push({ ...match, ...failure });
    }
  });
  return result;
}

// Every matching row of every kind, pk ascending per kind. The first page of each kind tells the
// counts, so an over-large match is refused after at most one call per kind.
async function listMatches(api: AuthentikApi, request: RevokeRequest): Promise<Match[]> {
  const lists = request.endpoints.map((endpoint) => ({
    endpoint,
    rows: new UpstreamRows(api, endpoint, {
      ordering: 'pk',
      user: request.userPk,
      provider: request.providerPk,
      includeGroups: false,
      includeRoles: false,
    }),
  }));
  await Promise.all(lists.map(({ rows }) => rows.fetchPage(1, rows.maxPageSize)));
  const total = lists.reduce((sum, { rows }) => sum + (rows.count ?? 0), 0);
  if (total > request.maxRevoke) {
    throw limitExceeded(
      'MAX_REVOKE',
      `revokeOAuth2Grants matched ${total} grants, more than MAX_REVOKE (${request.maxRevoke}); ` +
        'nothing was deleted. Narrow it with userPk and providerPk, or revoke one kind at a time.',
      request.maxRevoke,
      total,
    );
  }
  await Promise.all(lists.map(({ rows }) => rows.ensure(0, rows.count ?? 0)));
  const matches: Match[] = [];
  for (const { endpoint, rows } of lists) {
    for (let index = 0; index < (rows.count ?? 0); index++) {
      const row = rows.at(index);
      if (row) matches.push({ endpoint, pk: row.pk });
    }
  }
  return matches;
}

// Runs `work` over items with at most `width` pending at once (each worker takes the next item).
async function withBoundedConcurrency<T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
