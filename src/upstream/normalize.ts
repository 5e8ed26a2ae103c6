import type {
  UpstreamGroup,
  UpstreamOAuth2Fields,
  UpstreamOAuth2Provider,
  UpstreamProvider,
  UpstreamRedirectUri,
  UpstreamGrant,
  UpstreamUser,
} from './types.js';

/*
 * authentik's answers differ by version (CONTRACT.md, "Shapes differ by server version"): fields
 * may be absent. Each object is normalised once, in place, where authentik.ts parses an answer,
 * so that the schema reads the defaults it promises without a rule per field. In place: the
 * parsed JSON belongs to the upstream layer, and an answer shared by several requests (a shared
 * call) is normalised before anyone reads it; normalising it again changes nothing.
 */

// A parsed object before normalisation: any field may be absent or null.
type Raw<T> = { [K in keyof T]?: T[K] | null };

const OAUTH2_KEYS = [
  'client_type',
  'grant_types',
  'client_id',
  'access_code_validity',
  'access_token_validity',
  'refresh_token_validity',
  'refresh_token_threshold',
  'include_claims_in_id_token',
  'signing_key',
  'encryption_key',
  'redirect_uris',
  'logout_uri',
  'logout_method',
  'backchannel_logout_uri',
  'sub_mode',
  'issuer_mode',
  'jwt_federation_sources',
  'jwt_federation_providers',
] as const satisfies readonly (keyof UpstreamOAuth2Fields)[];

/**
 * True when a provider carries the OAuth2 fields: the full OAuth2Provider that older authentik
 * embeds (and `/providers/oauth2/{pk}/` serves). `client_id` tells which; normalising never adds
 * it to a base provider.
 */
export function isFullProvider(provider: UpstreamProvider): provider is UpstreamOAuth2Provider {
  return 'client_id' in provider;
}

/** Fills a grant (token or authorization code) and the user and provider it embeds. */
export function normalizeGrant(raw: object): UpstreamGrant {
  const grant = raw as Raw<UpstreamGrant>;
  grant.expires ??= null;
  grant.scope ??= [];
  grant.id_token ??= '';
  grant.revoked ??= false;
  normalizeUser(grant.user as object);
  normalizeProvider(grant.provider as object);
  return grant as UpstreamGrant;
}

/** Fills a user and the groups it embeds; `uuid` and `date_joined` are left as sent. */
export function normalizeUser(raw: object): UpstreamUser {
  const user = raw as Raw<UpstreamUser>;
  user.name ??= '';
  user.is_active ??= null;
  user.last_login ??= null;
  user.is_superuser ??= false;
  user.groups ??= [];
  user.groups_obj ??= null;
  if (Array.isArray(user.groups_obj)) user.groups_obj.forEach(normalizeGroup);
  user.roles ??= null;
  user.roles_obj ??= null;
  user.email ??= null;
  user.avatar ??= '';
  user.attributes ??= null;
  user.uid ??= '';
  user.path ??= null;
  user.type ??= null;
  user.password_change_date ??= null;
  user.last_updated ??= null;
  return user as UpstreamUser;
}

// PartialGroup (2025.10+) lacks the UserGroup fields `parent` and `parent_name`.
function normalizeGroup(raw: unknown): void {
  if (typeof raw !== 'object' || raw === null) return;
  const group = raw as Raw<UpstreamGroup>;
  group.num_pk ??= null;
  group.is_superuser ??= null;
  group.parent ??= null;
  group.parent_name ??= null;
  group.attributes ??= null;
}

/**
 * Fills a provider as a token embeds it: the base fields always; the OAuth2 fields only when
 * the provider is the full OAuth2Provider (a base provider must stay without them: its OAuth2
 * fields are loaded, see {@link isFullProvider}).
 */
export function normalizeProvider(raw: object): UpstreamProvider {
  const provider = raw as Raw<UpstreamOAuth2Provider>;
  provider.authentication_flow ??= null;
  provider.authorization_flow ??= null;
  provider.invalidation_flow ??= null;
  provider.property_mappings ??= [];
  provider.component ??= '';
  provider.assigned_application_slug ??= null;
  provider.assigned_application_name ??= null;
  provider.assigned_backchannel_application_slug ??= null;
  provider.assigned_backchannel_application_name ??= null;
  provider.verbose_name ??= '';
  provider.verbose_name_plural ??= '';
  provider.meta_model_name ??= '';
  if ('client_id' in provider) fillOAuth2Fields(provider);
  return provider as UpstreamProvider;
}

/** Fills the answer of `/providers/oauth2/{pk}/`: a full OAuth2Provider, OAuth2 fields included. */
export function normalizeOAuth2Provider(raw: object): UpstreamOAuth2Provider {
  normalizeProvider(raw);
  fillOAuth2Fields(raw as Raw<UpstreamOAuth2Provider>);
  return raw as UpstreamOAuth2Provider;
}

function fillOAuth2Fields(provider: Raw<UpstreamOAuth2Provider>): void {
  for (const key of OAUTH2_KEYS) provider[key] ??= null;
  provider.redirect_uris = redirectUris(provider.redirect_uris as unknown);
}

// authentik before 2024.12 sends one newline-separated string; later a list of RedirectURI.
function redirectUris(value: unknown): UpstreamRedirectUri[] | null {
  if (value == null) return null;
  if (typeof value === 'string') {
    return value
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((url) => ({ url, matching_mode: null, redirect_uri_type: 'authorization' }));
  }
  if (Array.isArray(value)) {
    for (const entry of value as unknown[]) {
      if (typeof entry !== 'object' || entry === null) continue;
      const uri = entry as Raw<UpstreamRedirectUri>;
      uri.matching_mode ??= null;
      uri.redirect_uri_type ??= 'authorization';
    }
  }
  return value as UpstreamRedirectUri[];
}
