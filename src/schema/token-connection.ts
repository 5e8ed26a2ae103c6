import type { GraphQLResolveInfo } from 'graphql';
import { builder } from '../builder.js';
import type { GatewayContext } from '../context.js';
import { badUserInput } from '../errors.js';
import type { TokenConnection } from '../pagination/connection-result.js';
import type { TokenConnectionArgs, TokenFilter } from '../pagination/token-connection.js';
import { resolveTokenConnection } from '../pagination/token-connection.js';
import { OrderDirection, RefreshTokenOrderField } from './enums.js';
import { OAuth2ProviderRef } from './provider.js';
import { operationSelects, selectsChild } from './selection.js';
import { RefreshTokenRef } from './token.js';
import { UserRef } from './user.js';

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

/** search/orderBy/filter: what every refresh-token connection takes besides first/after/last/before. */
const tokenListArgs = builder.args((t) => ({
  search: t.string({
    description:
      'Words (whitespace or comma separated, "quoted phrases" kept whole) that must each appear, case-insensitively, ' +
      "in the user's username, name or email, the provider's name, its application's name or slug, or a scope.",
  }),
  orderBy: t.field({
    type: [RefreshTokenOrderInput],
    description:
      "Ordering terms; default authentik's (provider, expires). The token id always breaks ties.",
  }),
  filter: t.field({ type: RefreshTokenFilterInput, description: 'Narrows the list.' }),
}));

/** Resolves a refresh-token connection for the arguments a client gave. */
export function resolveRefreshTokens(
  args: TokenConnectionArgs,
  context: GatewayContext,
  info: GraphQLResolveInfo,
): Promise<TokenConnection> {
  return resolveTokenConnection(context.authentik, args, {
    maxPageSize: context.limits.maxPageSize,
    scanLimit: context.limits.searchScanLimit,
    needsTotalCount: selectsChild(info, 'totalCount'),
    includeGroups: operationSelects(info, 'groupsObj'),
    includeRoles: operationSelects(info, 'rolesObj'),
  });
}

// A parent (user or provider) fixes one filter; a different value from the client is a mistake.
function withFixedFilter(
  args: TokenConnectionArgs,
  key: 'userPk' | 'providerPk',
  pk: number,
): TokenConnectionArgs {
  const given = args.filter?.[key];
  if (given != null && given !== pk) {
    throw badUserInput(
      `filter.${key} is ${given} but this connection belongs to ${key.replace('Pk', '')} ${pk}`,
      {
        argument: `filter.${key}`,
      },
    );
  }
  const filter: TokenFilter = { ...args.filter, [key]: pk };
  return { ...args, filter };
}

builder.queryField('refreshTokens', (t) =>
  t.connection(
    {
      type: RefreshTokenRef,
      description:
        "The caller's OAuth2 refresh tokens (all of them for an authentik superuser, else the caller's own), " +
        '20 per page unless first/last say otherwise.',
      args: tokenListArgs,
      resolve: (_root, args, context, info) =>
        resolveRefreshTokens(args as TokenConnectionArgs, context, info),
    },
    RefreshTokenConnectionRef,
  ),
);

builder.objectField(UserRef, 'refreshTokens', (t) =>
  t.connection(
    {
      type: RefreshTokenRef,
      description: "This user's refresh tokens, with the same arguments as Query.refreshTokens.",
      args: tokenListArgs,
      resolve: (user, args, context, info) =>
        resolveRefreshTokens(
          withFixedFilter(args as TokenConnectionArgs, 'userPk', user.pk),
          context,
          info,
        ),
    },
    RefreshTokenConnectionRef,
  ),
);

builder.objectField(OAuth2ProviderRef, 'refreshTokens', (t) =>
  t.connection(
    {
      type: RefreshTokenRef,
      description:
        "This provider's refresh tokens, with the same arguments as Query.refreshTokens.",
      args: tokenListArgs,
      resolve: (provider, args, context, info) =>
        resolveRefreshTokens(
          withFixedFilter(args as TokenConnectionArgs, 'providerPk', provider.pk),
          context,
          info,
        ),
    },
    RefreshTokenConnectionRef,
  ),
);
