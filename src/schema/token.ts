import { builder } from '../builder.js';
import { positiveId } from '../client-values.js';
import type { GatewayContext } from '../context.js';
import { badUserInput, notFound } from '../errors.js';
import { decodeNodeId, encodeNodeId } from '../node-ids.js';
import type { UpstreamToken } from '../upstream/types.js';
import { loadByPk } from './load-by-pk.js';
import { OAuth2ProviderRef } from './provider.js';
import { UserRef } from './user.js';

/** Refresh tokens: one object per pk per request, loaded by `GET /oauth2/refresh_tokens/{pk}/`. */
export const RefreshTokenRef = builder.loadableNodeRef('RefreshToken', {
  id: { resolve: (token: UpstreamToken) => token.pk, parse: (id: string) => Number(id) },
  load: (pks: number[], context: GatewayContext) =>
    loadByPk(
      pks,
      context,
      () => context.seen.tokens,
      (pk) => context.authentik.getRefreshToken(pk),
    ),
});

/** RefreshToken as a federation entity, by `pk`, through its loader. */
builder.asEntity(RefreshTokenRef, {
  key: builder.selection<{ pk: number }>('pk'),
  resolveReference: ({ pk }, context) => RefreshTokenRef.getDataloader(context).load(pk),
});

RefreshTokenRef.implement({
  description: 'An OAuth2 refresh token authentik issued to a user for a provider.',
  fields: (t) => ({
    pk: t.exposeInt('pk', { description: "The token's integer ID." }),
    provider: t.field({
      type: OAuth2ProviderRef,
      description: 'The provider that issued the token.',
      resolve: (token, _args, context) => context.seen.provider(token.provider),
    }),
    user: t.field({
      type: UserRef,
      description: 'The user the token belongs to.',
      resolve: (token, _args, context) => context.seen.user(token.user),
    }),
    isExpired: t.exposeBoolean('is_expired', {
      description: 'Whether the token had expired when authentik answered.',
    }),
    expires: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the token expires (null: never).',
      resolve: (token) => token.expires ?? null,
    }),
    scope: t.stringList({
      description: 'Scopes the token grants.',
      resolve: (token) => token.scope ?? [],
    }),
    idToken: t.string({
      description: "The token's id_token as authentik serves it: a string of pretty-printed JSON.",
      resolve: (token) => token.id_token ?? '',
    }),
    idTokenClaims: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The id_token parsed as JSON (null when it does not parse).',
      resolve: (token) => parseClaims(token.id_token),
    }),
    revoked: t.boolean({
      description: 'Whether the token was revoked.',
      resolve: (token) => token.revoked ?? false,
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

builder.queryField('refreshToken', (t) =>
  t.field({
    type: RefreshTokenRef,
    nullable: true,
    description:
      'One refresh token by its integer id; null when authentik has none the caller may see. ' +
      'Several lookups in one operation run in parallel, and a token already listed costs no call.',
    args: { pk: t.arg.int({ required: true, description: "The token's integer ID." }) },
    resolve: (_root, { pk }) => {
      if (positiveId(pk) === undefined) {
        throw badUserInput(`Argument "pk" must be a positive integer, got ${pk}`, {
          argument: 'pk',
        });
      }
      return pk;
    },
  }),
);

builder.relayMutationField(
  'deleteRefreshToken',
  {
    description: 'Identifies the refresh token to delete.',
    inputFields: (t) => ({
      id: t.id({
        required: true,
        description: 'Global id of the refresh token (RefreshToken.id).',
      }),
    }),
  },
  {
    description:
      'Deletes (revokes for good) a refresh token. Needs the delete_refreshtoken permission in authentik: ' +
      'FORBIDDEN without it, NOT_FOUND for a token the caller cannot see.',
    resolve: async (_root, { input }, context) => {
      const pk = refreshTokenPk(String(input.id));
      if (!(await context.authentik.deleteRefreshToken(pk))) {
        throw notFound(`authentik has no refresh token ${pk} that you may delete`);
      }
      context.seen.forgetToken(pk);
      RefreshTokenRef.getDataloader(context).clear(pk);
      return { deletedId: encodeNodeId('RefreshToken', pk) };
    },
  },
  {
    description: 'The outcome of deleteRefreshToken.',
    outputFields: (t) => ({
      deletedId: t.id({
        description: 'Global id of the deleted token.',
        resolve: (payload) => payload.deletedId,
      }),
    }),
  },
);

// The mutation takes a global id; it must be a RefreshToken's.
function refreshTokenPk(globalId: string): number {
  const { typename, id } = decodeNodeId(globalId);
  if (typename !== 'RefreshToken') {
    throw badUserInput(`"${globalId}" is the id of a ${typename}, not of a RefreshToken`, {
      argument: 'input.id',
    });
  }
  return Number(id);
}
