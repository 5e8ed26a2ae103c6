/** Renders the neutral records as the JSON each upstream version serves. */
import { formatMicros } from './format.js';
import type {
  GroupRecord,
  JsonObject,
  ServedGrant,
  ProviderRecord,
  ServedToken,
  GrantRecord,
  UpstreamShape,
  UserRecord,
} from './types.js';

/** Per-request serializer switches (`include_groups` / `include_roles`). */
export interface SerializeFlags {
  includeGroups: boolean;
  includeRoles: boolean;
}

/** Both switches on (the default when the query does not say otherwise). */
export const ALL_INCLUDED: SerializeFlags = { includeGroups: true, includeRoles: true };

function group(g: GroupRecord, shape: UpstreamShape): JsonObject {
  if (shape === 'current') {
    return {
      pk: g.pk,
      num_pk: g.numPk,
      name: g.name,
      is_superuser: g.isSuperuser,
      attributes: g.attributes,
    };
  }
  return {
    pk: g.pk,
    num_pk: g.numPk,
    name: g.name,
    is_superuser: g.isSuperuser,
    parent: g.parent?.pk ?? null,
    parent_name: g.parent?.name ?? null,
    attributes: g.attributes,
  };
}

/** A `User` (current) or legacy `User` (no `roles`/`roles_obj`, `UserGroup` groups). */
export function serializeUser(
  u: UserRecord,
  shape: UpstreamShape,
  flags: SerializeFlags,
): JsonObject {
  const out: JsonObject = {
    pk: u.pk,
    username: u.username,
    name: u.name,
    is_active: u.isActive,
    last_login: u.lastLogin === null ? null : formatMicros(u.lastLogin),
    date_joined: formatMicros(u.dateJoined),
    is_superuser: u.isSuperuser,
    groups: u.groups.map((g) => g.pk),
    groups_obj: flags.includeGroups ? u.groups.map((g) => group(g, shape)) : null,
  };
  if (shape === 'current') {
    out['roles'] = u.roles.map((r) => r.pk);
    out['roles_obj'] = flags.includeRoles ? u.roles.map((r) => ({ pk: r.pk, name: r.name })) : null;
  }
  out['email'] = u.email;
  out['avatar'] = u.avatar;
  out['attributes'] = u.attributes;
  out['uid'] = u.uid;
  out['path'] = u.path;
  out['type'] = u.type;
  out['uuid'] = u.uuid;
  out['password_change_date'] = formatMicros(u.passwordChangeDate);
  out['last_updated'] = formatMicros(u.lastUpdated);
  return out;
}

/** The 14-field base `Provider`. */
export function serializeBaseProvider(p: ProviderRecord): JsonObject {
  return {
    pk: p.pk,
    name: p.name,
    authentication_flow: p.authenticationFlow,
    authorization_flow: p.authorizationFlow,
    invalidation_flow: p.invalidationFlow,
    property_mappings: p.propertyMappings,
    component: 'ak-provider-oauth2-form',
    assigned_application_slug: p.applicationSlug,
    assigned_application_name: p.applicationName,
    assigned_backchannel_application_slug: null,
    assigned_backchannel_application_name: null,
    verbose_name: 'OAuth2/OpenID Provider',
    verbose_name_plural: 'OAuth2/OpenID Providers',
    meta_model_name: 'authentik_providers_oauth2.oauth2provider',
  };
}

/** The full `OAuth2Provider` of the given version (includes `client_secret`). */
export function serializeOAuth2Provider(p: ProviderRecord, shape: UpstreamShape): JsonObject {
  const base = serializeBaseProvider(p);
  if (shape === 'current') {
    return {
      ...base,
      client_type: p.clientType,
      grant_types: p.grantTypes,
      client_id: p.clientId,
      client_secret: p.clientSecret,
      access_code_validity: p.accessCodeValidity,
      access_token_validity: p.accessTokenValidity,
      refresh_token_validity: p.refreshTokenValidity,
      refresh_token_threshold: p.refreshTokenThreshold,
      include_claims_in_id_token: p.includeClaimsInIdToken,
      signing_key: p.signingKey,
      encryption_key: p.encryptionKey,
      redirect_uris: p.redirectUris.map((r) => ({
        matching_mode: r.matchingMode,
        url: r.url,
        redirect_uri_type: 'authorization',
      })),
      logout_uri: p.logoutUri,
      logout_method: p.logoutMethod,
      sub_mode: p.subMode,
      issuer_mode: p.issuerMode,
      jwt_federation_sources: p.jwtFederationSources,
      jwt_federation_providers: p.jwtFederationProviders,
    };
  }
  return {
    ...base,
    client_type: p.clientType,
    client_id: p.clientId,
    client_secret: p.clientSecret,
    access_code_validity: p.accessCodeValidity,
    access_token_validity: p.accessTokenValidity,
    refresh_token_validity: p.refreshTokenValidity,
    include_claims_in_id_token: p.includeClaimsInIdToken,
    signing_key: p.signingKey,
    encryption_key: p.encryptionKey,
    redirect_uris:
      shape === 'legacy-2024'
        ? p.redirectUris.map((r) => r.url).join('\n')
        : p.redirectUris.map((r) => ({ matching_mode: r.matchingMode, url: r.url })),
    backchannel_logout_uri: p.logoutUri,
    sub_mode: p.subMode,
    issuer_mode: p.issuerMode,
    jwt_federation_sources: p.jwtFederationSources,
    jwt_federation_providers: p.jwtFederationProviders,
  };
}

/** The provider as embedded in a token: base `Provider` (current) or full `OAuth2Provider` (legacy). */
export function serializeEmbeddedProvider(p: ProviderRecord, shape: UpstreamShape): JsonObject {
  return shape === 'current' ? serializeBaseProvider(p) : serializeOAuth2Provider(p, shape);
}

/** A `TokenModel`; `is_expired` is computed against `nowMicros`. */
export function serializeToken(
  t: GrantRecord,
  provider: ProviderRecord,
  user: UserRecord,
  shape: UpstreamShape,
  flags: SerializeFlags,
  nowMicros: number,
): ServedToken {
  return {
    pk: t.pk,
    provider: serializeEmbeddedProvider(provider, shape),
    user: serializeUser(user, shape, flags),
    is_expired: t.expires !== null && t.expires < nowMicros,
    expires: t.expires === null ? null : formatMicros(t.expires),
    scope: t.scope,
    id_token: t.idToken,
    revoked: t.revoked,
  };
}

/** An `ExpiringBaseGrantModel` (authorization codes): a `TokenModel` without id_token and revoked. */
export function serializeGrant(
  t: GrantRecord,
  provider: ProviderRecord,
  user: UserRecord,
  shape: UpstreamShape,
  flags: SerializeFlags,
  nowMicros: number,
): ServedGrant {
  const {
    pk,
    provider: p,
    user: u,
    is_expired,
    expires,
    scope,
  } = serializeToken(t, provider, user, shape, flags, nowMicros);
  return { pk, provider: p, user: u, is_expired, expires, scope };
}
