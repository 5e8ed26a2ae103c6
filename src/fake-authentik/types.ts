/** Public option, record and JSON types of the fake authentik server. */

/**
 * Which authentik release the fake imitates.
 * - `current`: authentik 2026.8 (token `provider` is the 14-field base `Provider`, `groups_obj` is
 *   `PartialGroup[]`, `roles`/`roles_obj` present, envelope has `"autocomplete": {}`, page size 20/100).
 * - `legacy`: authentik 2025.8.6 (token `provider` is the full `OAuth2Provider` incl. `client_secret`,
 *   `redirect_uris` is `RedirectURI[]`, `groups_obj` is `UserGroup[]` with `parent`/`parent_name`,
 *   no `roles`/`roles_obj` keys, envelope has `autocomplete`).
 * - `legacy-2024`: authentik 2024.12 (like `legacy`, but `redirect_uris` is a newline-separated
 *   string, no `autocomplete` key, page size default 100 with no maximum unless `maxPageSize` is set).
 */
export type UpstreamShape = 'current' | 'legacy' | 'legacy-2024';

/** Options of {@link startFakeAuthentik}. */
export interface FakeAuthentikOptions {
  /** Interface to listen on, default `127.0.0.1`. */
  host?: string;
  /** Port, default 0 (ephemeral). */
  port?: number;
  /** Upstream version to imitate, default `current`. */
  shape?: UpstreamShape;
  /** Tenant maximum page size, default 100 (`legacy-2024`: unlimited unless given). */
  maxPageSize?: number;
  /** Default page size, default 20 (`legacy-2024`: 100). */
  defaultPageSize?: number;
  /** Number of sample refresh tokens, default 300. */
  tokenCount?: number;
  /** Number of sample access tokens, default 150. */
  accessTokenCount?: number;
  /** Number of sample authorization codes (they live about a minute: lists are short), default 15. */
  authorizationCodeCount?: number;
  /** Artificial delay before every response, default 0. */
  latencyMs?: number;
  /** Deterministic data seed, default 1. */
  seed?: number;
  /**
   * Further API tokens of the superuser `akadmin` besides `demo-admin-token`:
   * `demo-admin-token-1` … `demo-admin-token-<n>` (many callers of one identity). Default 0.
   */
  extraAdminTokens?: number;
}

/** One request as received by the fake (recorded at arrival). */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/api/v3/oauth2/refresh_tokens/`. */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/** A failure to inject into matching requests. */
export interface FaultSpec {
  /**
   * - `html500` / `html404`: an HTML error page with that status.
   * - `status`: answer `status` (default 500) with `body` (default `{"detail": <reason>}`).
   * - `reset`: reset the TCP connection without answering.
   * - `hang`: never answer (the socket stays open until the client gives up or `close()`).
   * - `stallBody`: send the real status line, headers and half of the real body, then stall.
   * - `malformedJson`: 200 `application/json` with a truncated (unparseable) body.
   * - `slowHeaders`: wait `delayMs` (default 1000) and then answer normally.
   * - `shortPage`: the normal list answer with its last row left out and its `pagination`
   *   unchanged, as authentik answers when a row is deleted between its COUNT and its SELECT.
   */
  mode:
    | 'html500'
    | 'html404'
    | 'status'
    | 'reset'
    | 'hang'
    | 'stallBody'
    | 'malformedJson'
    | 'slowHeaders'
    | 'shortPage';
  status?: number;
  body?: string;
  delayMs?: number;
  /** How many matching requests get the fault, default Infinity (until `clearFaults()`). */
  times?: number;
  /** Only requests whose path starts with this (default `/api/v3`). */
  pathPrefix?: string;
}

/** How the fake serves one OAuth2 grant endpoint (a row of {@link FAKE_GRANT_KINDS}). */
interface FakeGrantKindRow {
  /**
   * `TokenModel` rows carry `id_token` and `revoked` (served, filtered, ordered by);
   * `ExpiringBaseGrantModel` rows (authorization codes) have neither.
   */
  readonly model: 'TokenModel' | 'ExpiringBaseGrantModel';
  /** The model a 404 names: `No <model> matches the given query.` */
  readonly notFoundModel: string;
  /** Whether the viewset has a `<pk>/used_by/` action. */
  readonly usedBy: boolean;
  /** The `Dataset` field (and `records` field) that holds its rows. */
  readonly records: string;
}

/**
 * The OAuth2 grant endpoints, by their path segment under `/api/v3/oauth2/`. Each is its own
 * table (pks overlap between kinds), with the same view configuration.
 */
export const FAKE_GRANT_KINDS = {
  refresh_tokens: {
    model: 'TokenModel',
    notFoundModel: 'TokenModel',
    usedBy: true,
    records: 'tokens',
  },
  access_tokens: {
    model: 'TokenModel',
    notFoundModel: 'AccessToken',
    usedBy: true,
    records: 'accessTokens',
  },
  authorization_codes: {
    model: 'ExpiringBaseGrantModel',
    notFoundModel: 'AuthorizationCode',
    usedBy: false,
    records: 'authorizationCodes',
  },
} as const satisfies Record<string, FakeGrantKindRow>;

/** A grant endpoint's path segment, e.g. `refresh_tokens`. */
export type GrantKind = keyof typeof FAKE_GRANT_KINDS;
/** The `Dataset` and `records` field of a grant kind's rows, e.g. `accessTokens`. */
export type GrantRecordsField = (typeof FAKE_GRANT_KINDS)[GrantKind]['records'];

/** Every grant kind, in a fixed order. */
export const GRANT_KINDS = Object.keys(FAKE_GRANT_KINDS) as readonly GrantKind[];

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
/** A JSON object. */
export interface JsonObject {
  [key: string]: Json;
}

/**
 * A `TokenModel` as served (refresh and access tokens). `provider` and `user` depend on the shape
 * and query flags. An authorization code (`ExpiringBaseGrantModel`) has no `id_token` and no `revoked`.
 */
export interface ServedToken {
  pk: number;
  provider: JsonObject;
  user: JsonObject;
  is_expired: boolean;
  expires: string | null;
  scope: string[];
  id_token: string;
  revoked: boolean;
}

/** Any grant as served: an authorization code lacks `id_token` and `revoked`. */
export type ServedGrant = Omit<ServedToken, 'id_token' | 'revoked'> &
  Partial<Pick<ServedToken, 'id_token' | 'revoked'>>;

/** A group in the neutral internal form. */
export interface GroupRecord {
  pk: string;
  numPk: number;
  name: string;
  isSuperuser: boolean;
  parent: GroupRecord | null;
  attributes: JsonObject;
}

/** A role in the neutral internal form. */
export interface RoleRecord {
  pk: string;
  name: string;
}

/** A user in the neutral internal form. Dates are epoch microseconds. */
export interface UserRecord {
  pk: number;
  username: string;
  name: string;
  email: string;
  isActive: boolean;
  isSuperuser: boolean;
  type: string;
  lastLogin: number | null;
  dateJoined: number;
  passwordChangeDate: number;
  lastUpdated: number;
  groups: GroupRecord[];
  roles: RoleRecord[];
  attributes: JsonObject;
  uuid: string;
  uid: string;
  avatar: string;
  path: string;
  /** The user's API bearer token (`null`: none). */
  apiToken: string | null;
}

/** One allowed redirect URI. */
export interface RedirectUriRecord {
  matchingMode: 'strict' | 'regex';
  url: string;
}

/** An OAuth2 provider in the neutral internal form. */
export interface ProviderRecord {
  pk: number;
  name: string;
  authenticationFlow: string | null;
  authorizationFlow: string;
  invalidationFlow: string;
  propertyMappings: string[];
  applicationSlug: string | null;
  applicationName: string | null;
  clientType: 'confidential' | 'public';
  grantTypes: string[];
  clientId: string;
  clientSecret: string;
  accessCodeValidity: string;
  accessTokenValidity: string;
  refreshTokenValidity: string;
  refreshTokenThreshold: string;
  includeClaimsInIdToken: boolean;
  signingKey: string | null;
  encryptionKey: string | null;
  redirectUris: RedirectUriRecord[];
  logoutUri: string;
  logoutMethod: 'backchannel' | 'frontchannel';
  subMode: string;
  issuerMode: 'global' | 'per_provider';
  jwtFederationSources: string[];
  jwtFederationProviders: number[];
}

/**
 * A grant (refresh token, access token or authorization code) in the neutral internal form.
 * `expires` is epoch microseconds or null; codes ignore `idToken` and `revoked`.
 */
export interface GrantRecord {
  pk: number;
  providerPk: number;
  userPk: number;
  expires: number | null;
  scope: string[];
  /** Already the served string: Python-style `json.dumps(indent=4)`, `"{}"` when empty. */
  idToken: string;
  revoked: boolean;
}
