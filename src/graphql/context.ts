import type { ObservedRequest, UpstreamStats } from '../observability/observed-request.js';
import type { WriteEvent } from '../observability/audit.js';
import type { ListsInFlight } from './lists-in-flight.js';
import type { AuthentikApi } from '../upstream/authentik.js';

/** Limits the resolvers apply, from the configuration. */
export interface ResolverLimits {
  maxPageSize: number;
  searchScanLimit: number;
  /** MAX_REVOKE: most grants the revokeOAuth2Grants of one operation may match together. */
  maxRevoke: number;
  /** MAX_SEARCH_LENGTH: most characters in a `search` argument. */
  maxSearchLength: number;
  /** MAX_SEARCH_TERMS: most words and quoted phrases in a `search` argument. */
  maxSearchTerms: number;
}

/**
 * Everything a resolver may use, created fresh for each GraphQL request: the caller's view of
 * authentik (their credentials, their abort signal), the lists still awaited, and the Pothos
 * loader cache. Nothing in here is shared with another request.
 */
export interface GatewayContext extends ObservedRequest {
  authentik: AuthentikApi;
  limits: ResolverLimits;
  requestId: string;
  /** List answers still awaited: lookups wait for them (their rows are primed into the loaders). */
  lists: ListsInFlight;
  /** Calls this operation made to authentik, and their time (for the request log). */
  upstreamStats: UpstreamStats;
  /** Cancels this request's upstream calls still in flight once its answer is complete. */
  finishUpstream(): void;
  /**
   * Reports a write mutation's end (the audit log line and /metrics, when configured): every
   * mutation that deletes in authentik calls it once, whatever its outcome.
   */
  reportWrite(event: WriteEvent): void;
}
