import type { AuthentikApi } from './upstream/authentik.js';
import type { UpstreamProvider } from './upstream/types.js';

/** Limits the resolvers apply, from the configuration. */
export interface ResolverLimits {
  maxPageSize: number;
  searchScanLimit: number;
}

/**
 * Everything a resolver may use, created fresh for each GraphQL request: the caller's view of
 * authentik (their credentials, their abort signal) and per-request caches. Nothing in here is
 * shared with another request.
 */
export interface GatewayContext {
  authentik: AuthentikApi;
  limits: ResolverLimits;
  requestId: string;
  /** The full OAuth2 provider (per-request DataLoader), for fields the token list leaves out. */
  loadOAuth2Provider(pk: number): Promise<UpstreamProvider | null>;
}
