import { limitExceeded, revokeFailureOf } from '../errors.js';
import type { RevokeFailureCode } from '../errors.js';
import { UpstreamRows } from '../pagination/upstream-rows.js';
import type { AuthentikApi } from '../upstream/authentik.js';
import type { GrantKind, GrantSegment } from '../upstream/grant-kinds.js';
import { forEachBounded } from '../pagination/bounded-concurrency.js';

/** DELETEs one revoke keeps in flight at most (authentik has no bulk delete). */
export const REVOKE_DELETES_IN_FLIGHT = 4;

/** What to revoke: the grants of a user and/or a provider, of some kinds. */
export interface RevokeRequest {
  userPk?: number;
  providerPk?: number;
  endpoints: readonly GrantKind[];
  /** List and count only. */
  dryRun: boolean;
  /** MAX_REVOKE. */
  maxRevoke: number;
}

/** One grant that could not be deleted; the rest went on. */
export interface RevokeFailure {
  endpoint: GrantKind;
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
  byKind: Map<GrantSegment, RevokeCounts>;
}

/** One grant: its endpoint and pk. */
export interface GrantRef {
  endpoint: GrantKind;
  pk: number;
}
type Match = GrantRef;

/** What authentik lists for one revoke: its first page of each kind, and the total they count. */
export interface RevokeListing {
  request: RevokeRequest;
  lists: { endpoint: GrantKind; rows: UpstreamRows }[];
  /** Grants that match, of every kind (authentik's counts). */
  total: number;
}

/**
 * Lists the first page of each requested kind (one call per kind): authentik's counts tell how
 * many grants match, so an over-large revoke is refused before any more is read or deleted.
 */
export async function listRevokeMatches(
  api: AuthentikApi,
  request: RevokeRequest,
): Promise<RevokeListing> {
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
  return { request, lists, total };
}

/** LIMIT_EXCEEDED for a revoke (or an operation's revokes together) matching more than MAX_REVOKE. */
export function revokeTooLarge(found: number, maxRevoke: number, what: string): Error {
  return limitExceeded(
    'MAX_REVOKE',
    `${what} matched ${found} grants, more than MAX_REVOKE (${maxRevoke}); nothing was deleted. ` +
      'Narrow it with userPk and providerPk, or revoke one kind at a time.',
    maxRevoke,
    found,
  );
}

// Empty counts for each kind of a revoke (for its result, the audit line and the metrics).
function emptyCounts(endpoints: readonly GrantKind[]): RevokeResult['byKind'] {
  return new Map(
    endpoints.map((e) => [e.segment, { matched: 0, deleted: 0, alreadyGone: 0, failed: 0 }]),
  );
}

/**
 * Revokes every grant of the requested kinds that authentik lists for the caller with the
 * user/provider filters (a non-superuser only ever sees their own), then DELETEs each, at most
 * {@link REVOKE_DELETES_IN_FLIGHT} at a time, never retrying one: a 404 counts as already gone,
 * a 403 or an upstream failure is reported and the rest carry on, so running it again finishes
 * the job. A match larger than `maxRevoke` is refused (LIMIT_EXCEEDED) before any DELETE.
 */
export async function revokeGrants(
  api: AuthentikApi,
  listing: RevokeListing,
): Promise<RevokeResult> {
  const { request } = listing;
  if (listing.total > request.maxRevoke) {
    throw revokeTooLarge(listing.total, request.maxRevoke, 'revokeOAuth2Grants');
  }
  const matches = await readMatches(listing);
  const byKind = emptyCounts(request.endpoints);
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
  await forEachBounded(matches, REVOKE_DELETES_IN_FLIGHT, async (match) => {
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

// Every matching row of every kind, pk ascending per kind (the first pages are already read).
async function readMatches({ lists }: RevokeListing): Promise<Match[]> {
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
