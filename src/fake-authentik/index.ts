/**
 * A faithful, deterministic fake of authentik's OAuth2 grant REST API (refresh tokens, access
 * tokens, authorization codes) over `node:http`.
 * Independent of the rest of `src/`. Demo bearer tokens (every seed): `demo-admin-token`
 * (superuser `akadmin`; with `extraAdminTokens: n` also `demo-admin-token-1` … `-n`),
 * `demo-token-<username>` (ordinary users), `demo-expired-token` (403).
 */
export { startFakeAuthentik, type FakeAuthentik } from './server.js';
export type { FakeData, MutableOptions } from './store.js';
export { GRANT_KINDS } from './types.js';
export {
  ADMIN_TOKEN,
  EXPIRED_TOKEN,
  REFERENCE_NOW,
  extraAdminTokenFor,
  userTokenFor,
} from './data.js';
export { paginationFor } from './listing.js';
export type {
  FakeAuthentikOptions,
  FaultSpec,
  GrantKind,
  GroupRecord,
  Json,
  JsonObject,
  ProviderRecord,
  RecordedRequest,
  RoleRecord,
  ServedGrant,
  ServedToken,
  GrantRecord,
  UpstreamShape,
  UserRecord,
} from './types.js';
