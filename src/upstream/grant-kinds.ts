/**
 * The OAuth2 grant kinds authentik serves under `/api/v3/oauth2/`, in one table: everything else
 * (routes, node types, schema types and fields, the revoke enum and its cost, the entity
 * references answered by pk) is derived from it. They share one view configuration (filters
 * `user`/`provider`, default ordering `provider,expires`, owner scoping, `search` ignored), so
 * everything the gateway does with one works with the others.
 */

/**
 * The model behind a kind's rows: `TokenModel` rows carry `id_token` and `revoked`;
 * `ExpiringBaseGrantModel` rows do not (the normalizer fills the defaults, the schema leaves the
 * fields out).
 */
export type GrantModel = 'TokenModel' | 'ExpiringBaseGrantModel';

/** One row of {@link GRANT_KINDS}. */
export interface GrantKindRow {
  /** The GraphQL type (and node id prefix), e.g. `RefreshToken`. */
  readonly typename: string;
  /** The path segment under `/api/v3/oauth2/`, e.g. `refresh_tokens`. */
  readonly segment: string;
  /** What one row is called in messages, e.g. `refresh token`. */
  readonly noun: string;
  /** authentik's permission to delete one, e.g. `delete_refreshtoken`. */
  readonly permission: string;
  readonly model: GrantModel;
}

/** Every grant kind, in the order the schema defines them. */
export const GRANT_KINDS = [
  {
    typename: 'RefreshToken',
    segment: 'refresh_tokens',
    noun: 'refresh token',
    permission: 'delete_refreshtoken',
    model: 'TokenModel',
  },
  {
    typename: 'AccessToken',
    segment: 'access_tokens',
    noun: 'access token',
    permission: 'delete_accesstoken',
    model: 'TokenModel',
  },
  {
    typename: 'AuthorizationCode',
    segment: 'authorization_codes',
    noun: 'authorization code',
    permission: 'delete_authorizationcode',
    model: 'ExpiringBaseGrantModel',
  },
] as const satisfies readonly GrantKindRow[];

/** One grant kind (a row of {@link GRANT_KINDS}). */
export type GrantKind = (typeof GRANT_KINDS)[number];
/** A grant kind's GraphQL type name, e.g. `RefreshToken`. */
export type GrantTypename = GrantKind['typename'];
/** A grant kind's path segment, e.g. `refresh_tokens`. */
export type GrantSegment = GrantKind['segment'];

/** The grant kind with this path segment. */
export function grantKindOf(segment: GrantSegment): GrantKind {
  return GRANT_KINDS.find((kind) => kind.segment === segment)!;
}
