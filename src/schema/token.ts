import type { GraphQLResolveInfo } from 'graphql';
import { builder } from '../builder.js';
import type { GatewayContext } from '../context.js';
import type { TokenConnection } from '../pagination/connection-result.js';
import type { TokenConnectionArgs } from '../pagination/token-connection.js';
import { resolveTokenConnection } from '../pagination/token-connection.js';
import type { UpstreamToken } from '../upstream/types.js';
import { OrderDirection, RefreshTokenOrderField } from './enums.js';
import { OAuth2ProviderRef } from './provider.js';
import { selectsAnywhere, selectsChild } from './selection.js';
import { UserRef } from './user.js';

export const RefreshTokenRef = builder.objectRef<UpstreamToken>('RefreshToken');

RefreshTokenRef.implement({
  description: 'An OAuth2 refresh token authentik issued to a user for a provider.',
  fields: (t) => ({
    pk: t.exposeInt('pk', { description: "The token's integer ID." }),
    provider: t.field({
      type: OAuth2ProviderRef,
      description: 'The provider that issued the token.',
      resolve: (r) => r.provider,
    }),
    user: t.field({
      type: UserRef,
      description: 'The user the token belongs to.',
      resolve: (r) => r.user,
    }),
    isExpired: t.exposeBoolean('is_expired', {
      description: 'Whether the token had expired when authentik answered.',
    }),
    expires: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the token expires (null: never).',
      resolve: (r) => r.expires ?? null,
    }),
    scope: t.stringList({ description: 'Scopes the token grants.', resolve: (r) => r.scope ?? [] }),
    idToken: t.string({
      description: "The token's id_token as authentik serves it: a string of pretty-printed JSON.",
      resolve: (r) => r.id_token ?? '',
    }),
    idTokenClaims: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The id_token parsed as JSON (null when it does not parse).',
      resolve: (r) => parseClaims(r.id_token),
    }),
    revoked: t.boolean({
      description: 'Whether the token was revoked.',
      resolve: (r) => r.revoked ?? false,
    }),
  }),
});

function parseClaims(idToken: string | undefined): unknown {
  if (!idToken) return null;
  try {
    return JSON.parse(idToken) as unknown;
  } catch {
    return null;
  }
}

export const RefreshTokenOrderInput = builder.inputType('RefreshTokenOrder', {
  description:
    'One ordering term. Terms apply in the order given; the token id always breaks ties last.',
  fields: (t) => ({
    field: t.field({
      type: RefreshTokenOrderField,
      required: true,
      description: 'What to order by.',
    }),
    direction: t.field({
      type: OrderDirection,
      required: true,
      defaultValue: 'asc',
      description: 'Ascending or descending.',
    }),
  }),
});

export const RefreshTokenFilterInput = builder.inputType('RefreshTokenFilter', {
  description:
    'Narrows the list. providerPk and userPk are applied by authentik; isExpired and revoked by the gateway while it reads the list.',
  fields: (t) => ({
    providerPk: t.int({ description: 'Only tokens of this provider.' }),
    userPk: t.int({ description: 'Only tokens of this user.' }),
    isExpired: t.boolean({
      description: 'Only expired (true) or unexpired (false) tokens, as authentik reports them.',
    }),
    revoked: t.boolean({ description: 'Only revoked (true) or unrevoked (false) tokens.' }),
  }),
});

export const RefreshTokenConnectionRef = builder.connectionObject(
  {
    type: RefreshTokenRef,
    name: 'RefreshTokenConnection',
    description: 'A page of refresh tokens.',
    fields: (t) => ({
      totalCount: t.int({
        description:
          'Number of tokens the arguments select (all pages). With search, isExpired or revoked this reads the whole list.',
        resolve: (connection) => {
          const { totalCount } = connection as unknown as TokenConnection;
          if (totalCount === undefined) throw new Error('totalCount was not computed');
          return totalCount;
        },
      }),
    }),
  },
  { name: 'RefreshTokenEdge', description: 'A refresh token and its cursor.' },
);

/** Resolves a refresh-token connection, with `fixed` filters imposed by a parent (user, provider). */
export function resolveRefreshTokens(
  args: TokenConnectionArgs,
  context: GatewayContext,
  info: GraphQLResolveInfo,
): Promise<TokenConnection> {
  return resolveTokenConnection(context.authentik, args, {
    maxPageSize: context.limits.maxPageSize,
    scanLimit: context.limits.searchScanLimit,
    needsTotalCount: selectsChild(info, 'totalCount'),
    includeGroups: selectsAnywhere(info, 'groupsObj'),
    includeRoles: selectsAnywhere(info, 'rolesObj'),
  });
}

builder.queryField('refreshTokens', (t) =>
  t.connection(
    {
      type: RefreshTokenRef,
      description:
        "The caller's OAuth2 refresh tokens (all of them for an authentik superuser, else the caller's own), " +
        '20 per page unless first/last say otherwise.',
      args: {
        search: t.arg.string({
          description:
            'Words (whitespace or comma separated, "quoted phrases" kept whole) that must each appear, case-insensitively, ' +
            "in the user's username, name or email, the provider's name, its application's name or slug, or a scope.",
        }),
        orderBy: t.arg({
          type: [RefreshTokenOrderInput],
          description:
            "Ordering terms; default authentik's (provider, expires). The token id always breaks ties.",
        }),
        filter: t.arg({ type: RefreshTokenFilterInput, description: 'Narrows the list.' }),
      },
      resolve: (_root, args, context, info) =>
        resolveRefreshTokens(args as TokenConnectionArgs, context, info),
    },
    RefreshTokenConnectionRef,
  ),
);
