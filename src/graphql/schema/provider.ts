import { builder } from '../builder.js';
import type { GatewayContext } from '../context.js';
import { isFullProvider } from '../../upstream/normalize.js';
import type {
  UpstreamOAuth2Fields,
  UpstreamProvider,
  UpstreamRedirectUri,
} from '../../upstream/types.js';
import {
  ClientType,
  GrantType,
  IssuerMode,
  LogoutMethod,
  MatchingMode,
  RedirectUriType,
  SubMode,
} from './enums.js';
import { referenceNeedsLoad } from './entity-reference.js';
import { GRANT_LIST_FIELDS } from './grant-names.js';
import { loadByPk } from './load-by-pk.js';

export const RedirectUriRef = builder.objectRef<UpstreamRedirectUri>('RedirectUri').implement({
  description: 'An allowed redirect URI of an OAuth2 provider.',
  fields: (t) => ({
    url: t.exposeString('url', {
      description: 'The URI, or a regular expression when matchingMode is REGEX.',
    }),
    matchingMode: t.field({
      type: MatchingMode.ref,
      nullable: true,
      description:
        'How the URI is compared (null for servers older than 2024.12, which had no mode).',
      resolve: (r) => MatchingMode.parse(r.matching_mode),
    }),
    redirectUriType: t.field({
      type: RedirectUriType.ref,
      nullable: true,
      description: 'What the URI is used for (newer servers only).',
      resolve: (r) => RedirectUriType.parse(r.redirect_uri_type),
    }),
  }),
});

/**
 * Providers: the loader yields the full OAuth2Provider, once per pk per request, by
 * `GET /providers/oauth2/{pk}/`; a list answer primes the providers it embeds whole (older
 * authentik), which then cost no call.
 */
export const OAuth2ProviderRef = builder.loadableNodeRef('OAuth2Provider', {
  id: { resolve: (provider: UpstreamProvider) => provider.pk, parse: (id: string) => Number(id) },
  load: (pks: number[], context: GatewayContext) =>
    loadByPk(pks, (pk) => context.authentik.getOAuth2Provider(pk)),
});

// What a key-only `{ pk }` reference answers without loading the provider.
const ANSWERED_BY_PK = new Set(['pk', 'id', ...GRANT_LIST_FIELDS]);

/**
 * OAuth2Provider as a federation entity, by `pk`: a reference that asks only for `pk`, `id` or
 * a grant connection is answered from the key; otherwise the loader fetches the provider.
 */
builder.asEntity(OAuth2ProviderRef, {
  key: builder.selection<{ pk: number }>('pk'),
  resolveReference: ({ pk }, context, info) =>
    referenceNeedsLoad(info, 'OAuth2Provider', ANSWERED_BY_PK)
      ? OAuth2ProviderRef.getDataloader(context).load(pk)
      : ({ pk } as UpstreamProvider),
});

type OAuth2Key = keyof UpstreamOAuth2Fields;

/**
 * Reads an OAuth2-only provider field. Older authentik embeds the full OAuth2Provider in each
 * token; from 2025.12.5 only the base Provider is embedded, and the first such field selected
 * loads the provider once per request (in parallel across providers, through the loader).
 */
export async function oauth2Field<K extends OAuth2Key>(
  provider: UpstreamProvider,
  key: K,
  context: GatewayContext,
): Promise<UpstreamOAuth2Fields[K] | null> {
  if (isFullProvider(provider)) return provider[key];
  const full = await OAuth2ProviderRef.getDataloader(context).load(provider.pk);
  return full && isFullProvider(full) ? full[key] : null;
}

// What every OAuth2-only field shares: nullable and read through oauth2Field. `map` turns the
// value into the field's.
function oauth2<K extends OAuth2Key, R = UpstreamOAuth2Fields[K] | null>(
  key: K,
  map?: (value: UpstreamOAuth2Fields[K] | null) => R,
) {
  return {
    nullable: true as const,
    resolve: async (provider: UpstreamProvider, _args: object, context: GatewayContext) => {
      const value = await oauth2Field(provider, key, context);
      return map ? map(value) : (value as R);
    },
  };
}

OAuth2ProviderRef.implement({
  description:
    'The OAuth2/OpenID provider a token was issued by. The base fields come embedded in every token; ' +
    'the OAuth2 fields too on authentik up to 2025.12.4, and are loaded per provider on newer servers. ' +
    'There is no clientSecret field: authentik removed it from the token API as a security fix.',
  fields: (t) => ({
    pk: t.exposeInt('pk', { description: "The provider's integer ID." }),
    name: t.exposeString('name', { description: "The provider's name." }),
    authenticationFlow: t.expose('authentication_flow', {
      type: 'UUID',
      nullable: true,
      description:
        'Flow used for authentication when the associated application is accessed by an un-authenticated user.',
    }),
    authorizationFlow: t.expose('authorization_flow', {
      type: 'UUID',
      nullable: true,
      description: 'Flow used when authorizing this provider.',
    }),
    invalidationFlow: t.expose('invalidation_flow', {
      type: 'UUID',
      nullable: true,
      description: 'Flow used ending the session from a provider.',
    }),
    propertyMappings: t.expose('property_mappings', {
      type: ['UUID'],
      description: 'Property mappings (scope mappings) applied by the provider.',
    }),
    component: t.exposeString('component', {
      description: 'Object component, so that a UI knows how to edit the object.',
    }),
    assignedApplicationSlug: t.exposeString('assigned_application_slug', {
      nullable: true,
      description: 'Internal application name, used in URLs.',
    }),
    assignedApplicationName: t.exposeString('assigned_application_name', {
      nullable: true,
      description: "Application's display name.",
    }),
    assignedBackchannelApplicationSlug: t.exposeString('assigned_backchannel_application_slug', {
      nullable: true,
      description: 'Internal name of the backchannel application, used in URLs.',
    }),
    assignedBackchannelApplicationName: t.exposeString('assigned_backchannel_application_name', {
      nullable: true,
      description: "Backchannel application's display name.",
    }),
    verboseName: t.exposeString('verbose_name', { description: "Object's verbose name." }),
    verboseNamePlural: t.exposeString('verbose_name_plural', {
      description: "Object's plural verbose name.",
    }),
    metaModelName: t.exposeString('meta_model_name', { description: 'Internal model name.' }),
    clientType: t.field({
      type: ClientType.ref,
      ...oauth2('client_type', ClientType.parse),
      description:
        'Confidential clients can keep their credentials confidential; public clients cannot.',
    }),
    grantTypes: t.field({
      type: [GrantType.ref],
      ...oauth2('grant_types', (types) => types?.map(GrantType.parse) ?? null),
      nullable: { list: true, items: true },
      description: 'Grant types the provider allows (newer servers only).',
    }),
    clientId: t.string({ ...oauth2('client_id'), description: 'OAuth2 client id.' }),
    accessCodeValidity: t.string({
      ...oauth2('access_code_validity'),
      description:
        'Access codes not valid on or after current time + this value (Format: hours=1;minutes=2;seconds=3).',
    }),
    accessTokenValidity: t.string({
      ...oauth2('access_token_validity'),
      description:
        'Tokens not valid on or after current time + this value (Format: hours=1;minutes=2;seconds=3).',
    }),
    refreshTokenValidity: t.string({
      ...oauth2('refresh_token_validity'),
      description:
        'Refresh tokens not valid on or after current time + this value (Format: hours=1;minutes=2;seconds=3).',
    }),
    refreshTokenThreshold: t.string({
      ...oauth2('refresh_token_threshold'),
      description:
        'A refresh token valid for less than this is renewed when used (newer servers only).',
    }),
    includeClaimsInIdToken: t.boolean({
      ...oauth2('include_claims_in_id_token'),
      description:
        "Include user claims from scopes in the id_token, for applications that don't access the userinfo endpoint.",
    }),
    signingKey: t.field({
      type: 'UUID',
      ...oauth2('signing_key'),
      description: 'Key used to sign the tokens.',
    }),
    encryptionKey: t.field({
      type: 'UUID',
      ...oauth2('encryption_key'),
      description: 'Key used to encrypt the tokens (JWE).',
    }),
    redirectUris: t.field({
      type: [RedirectUriRef],
      ...oauth2('redirect_uris'),
      description:
        'Allowed redirect URIs (a newline-separated string on servers before 2024.12 is split into entries).',
    }),
    logoutUri: t.string({
      ...oauth2('logout_uri'),
      description: 'Logout URI (newer servers only).',
    }),
    logoutMethod: t.field({
      type: LogoutMethod.ref,
      ...oauth2('logout_method', LogoutMethod.parse),
      description:
        'Backchannel logs out with server to server calls; frontchannel uses iframes (newer servers only).',
    }),
    backchannelLogoutUri: t.string({
      ...oauth2('backchannel_logout_uri'),
      description: 'Back-channel logout URI (authentik 2025.8 and nearby versions only).',
    }),
    subMode: t.field({
      type: SubMode.ref,
      ...oauth2('sub_mode', SubMode.parse),
      description: 'What data is used as the unique user identifier (`sub`).',
    }),
    issuerMode: t.field({
      type: IssuerMode.ref,
      ...oauth2('issuer_mode', IssuerMode.parse),
      description: 'How the issuer field of the ID token is filled.',
    }),
    jwtFederationSources: t.field({
      type: ['UUID'],
      ...oauth2('jwt_federation_sources'),
      description: 'Sources whose JWKs may sign JWTs that authenticate against this provider.',
    }),
    jwtFederationProviders: t.field({
      type: ['Int'],
      ...oauth2('jwt_federation_providers'),
      description: 'Providers whose JWTs may authenticate against this provider.',
    }),
  }),
});
