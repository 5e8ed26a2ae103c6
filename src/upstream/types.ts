/**
 * JSON shapes authentik serves, across the versions the gateway supports (2024.12 to 2026.8).
 * Fields that some versions lack are optional; nothing here is trusted without a check where
 * a wrong shape would break a whole page.
 */

/** `RedirectURI` (2024.12+); older servers send `redirect_uris` as one newline-separated string. */
export interface UpstreamRedirectUri {
  matching_mode?: string;
  url: string;
  redirect_uri_type?: string;
}

/** Base `Provider` (embedded from 2025.12.5 / 2026.5) or the full `OAuth2Provider` (older, and `/providers/oauth2/{id}/`). */
export interface UpstreamProvider {
  pk: number;
  name: string;
  authentication_flow?: string | null;
  authorization_flow?: string | null;
  invalidation_flow?: string | null;
  property_mappings?: string[];
  component?: string;
  assigned_application_slug?: string | null;
  assigned_application_name?: string | null;
  assigned_backchannel_application_slug?: string | null;
  assigned_backchannel_application_name?: string | null;
  verbose_name?: string;
  verbose_name_plural?: string;
  meta_model_name?: string;
  // OAuth2-only fields:
  client_type?: string;
  grant_types?: string[];
  client_id?: string;
  client_secret?: string;
  access_code_validity?: string;
  access_token_validity?: string;
  refresh_token_validity?: string;
  refresh_token_threshold?: string;
  include_claims_in_id_token?: boolean;
  signing_key?: string | null;
  encryption_key?: string | null;
  redirect_uris?: UpstreamRedirectUri[] | string;
  logout_uri?: string;
  logout_method?: string;
  backchannel_logout_uri?: string;
  sub_mode?: string;
  issuer_mode?: string;
  jwt_federation_sources?: string[];
  jwt_federation_providers?: number[];
}

/** `PartialGroup` (2025.10+) or `UserGroup` (older, with `parent` and `parent_name`). */
export interface UpstreamGroup {
  pk: string;
  num_pk?: number;
  name: string;
  is_superuser?: boolean;
  parent?: string | null;
  parent_name?: string | null;
  attributes?: Record<string, unknown>;
}

export interface UpstreamRole {
  pk: string;
  name: string;
}

export interface UpstreamUser {
  pk: number;
  uuid?: string;
  username: string;
  name?: string;
  is_active?: boolean;
  last_login?: string | null;
  date_joined?: string;
  is_superuser?: boolean;
  groups?: string[];
  groups_obj?: UpstreamGroup[] | null;
  roles?: string[];
  roles_obj?: UpstreamRole[] | null;
  email?: string;
  avatar?: string;
  attributes?: Record<string, unknown>;
  uid?: string;
  path?: string;
  type?: string;
  password_change_date?: string;
  last_updated?: string;
}

/** `TokenModel`: one refresh token. */
export interface UpstreamToken {
  pk: number;
  provider: UpstreamProvider;
  user: UpstreamUser;
  is_expired: boolean;
  expires?: string | null;
  scope?: string[];
  id_token?: string;
  revoked?: boolean;
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

export interface UpstreamTokenList {
  pagination: UpstreamPagination;
  results: UpstreamToken[];
}
