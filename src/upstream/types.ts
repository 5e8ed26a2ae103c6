/**
 * JSON shapes authentik serves, across the versions the gateway supports (2024.12 to 2026.8).
 * Fields that some versions lack are optional; nothing here is trusted without a check where
 * a wrong shape would break a whole page.
 */

/**
 * `RedirectURI` (2024.12+); older servers send `redirect_uris` as one newline-separated string,
 * which normalize.ts splits into entries with no matching mode.
 */
export interface UpstreamRedirectUri {
  url: string;
  matching_mode: string | null;
  /** `authorization` where authentik does not say (servers before the field existed). */
  redirect_uri_type: string;
}

/**
 * Base `Provider` (embedded from 2025.12.5 / 2026.5) or the full `OAuth2Provider` (older, and
 * `/providers/oauth2/{id}/`). After normalize.ts every base field is present; the OAuth2 fields
 * are absent from a base provider and all present (null where authentik has none) on a full one
 * (see {@link UpstreamOAuth2Provider}).
 */
export interface UpstreamProvider extends Partial<UpstreamOAuth2Fields> {
  pk: number;
  name: string;
  authentication_flow: string | null;
  authorization_flow: string | null;
  invalidation_flow: string | null;
  property_mappings: string[];
  component: string;
  assigned_application_slug: string | null;
  assigned_application_name: string | null;
  assigned_backchannel_application_slug: string | null;
  assigned_backchannel_application_name: string | null;
  verbose_name: string;
  verbose_name_plural: string;
  meta_model_name: string;
}

/**
 * The OAuth2-only fields of a provider, as normalize.ts leaves them on a full OAuth2Provider.
 * `client_secret`, which older servers still send, is left untyped: the gateway never serves it.
 */
export interface UpstreamOAuth2Fields {
  client_type: string | null;
  grant_types: string[] | null;
  client_id: string | null;
  access_code_validity: string | null;
  access_token_validity: string | null;
  refresh_token_validity: string | null;
  refresh_token_threshold: string | null;
  include_claims_in_id_token: boolean | null;
  signing_key: string | null;
  encryption_key: string | null;
  redirect_uris: UpstreamRedirectUri[] | null;
  logout_uri: string | null;
  logout_method: string | null;
  backchannel_logout_uri: string | null;
  sub_mode: string | null;
  issuer_mode: string | null;
  jwt_federation_sources: string[] | null;
  jwt_federation_providers: number[] | null;
}

/** A full `OAuth2Provider`: every OAuth2 field present (null where authentik has none). */
export type UpstreamOAuth2Provider = UpstreamProvider & UpstreamOAuth2Fields;

/** `PartialGroup` (2025.10+) or `UserGroup` (older, with `parent` and `parent_name`). */
export interface UpstreamGroup {
  pk: string;
  num_pk: number | null;
  name: string;
  is_superuser: boolean | null;
  /** authentik up to 2025.8 only; null otherwise. */
  parent: string | null;
  parent_name: string | null;
  attributes: Record<string, unknown> | null;
}

export interface UpstreamRole {
  pk: string;
  name: string;
}

/** `User`, with the defaults the schema promises filled in by normalize.ts. */
export interface UpstreamUser {
  pk: number;
  /** Absent only on a federation key-only reference (`{ pk }`), which the schema looks up. */
  uuid?: string;
  username: string;
  name: string;
  is_active: boolean | null;
  last_login: string | null;
  /** Every version sends it; not defaulted (the schema field is non-null). */
  date_joined?: string;
  is_superuser: boolean;
  groups: string[];
  /** Null when `include_groups=false`. */
  groups_obj: UpstreamGroup[] | null;
  /** authentik 2025.12+; null before. */
  roles: string[] | null;
  /** authentik 2025.12+; null before, or when `include_roles=false`. */
  roles_obj: UpstreamRole[] | null;
  email: string | null;
  avatar: string;
  attributes: Record<string, unknown> | null;
  uid: string;
  path: string | null;
  type: string | null;
  password_change_date: string | null;
  last_updated: string | null;
}

/**
 * `TokenModel`: one refresh or access token; authorization codes (`ExpiringBaseGrantModel`) get
 * the same shape, with the defaults for `id_token` and `revoked`, which they do not expose.
 */
export interface UpstreamGrant {
  pk: number;
  provider: UpstreamProvider;
  user: UpstreamUser;
  is_expired: boolean;
  expires: string | null;
  scope: string[];
  id_token: string;
  revoked: boolean;
}

/** The `pagination` block of a list answer. `next`/`previous` are 0 when there is none. */
export interface UpstreamPagination {
  next: number;
  previous: number;
  count: number;
  current: number;
  total_pages: number;
  start_index: number;
  end_index: number;
}

export interface UpstreamGrantList {
  pagination: UpstreamPagination;
  results: UpstreamGrant[];
}
