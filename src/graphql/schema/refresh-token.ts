import { builder } from '../builder.js';
import { REFRESH_TOKENS } from '../../upstream/authentik.js';
import type { UpstreamToken } from '../../upstream/types.js';
import { defineGrantConnection } from './grant-connection.js';
import type { GrantKindSchema, GrantNodeRef } from './grant.js';
import { OAuth2GrantRef, grantDeleteMutation, grantLookupField, grantNodeRef } from './grant.js';

/** Refresh tokens: one object per pk per request, loaded by `GET /oauth2/refresh_tokens/{pk}/`. */
export const RefreshTokenRef = grantNodeRef('RefreshToken', REFRESH_TOKENS);

/** RefreshToken as a federation entity, by `pk`, through its loader. */
builder.asEntity(RefreshTokenRef, {
  key: builder.selection<{ pk: number }>('pk'),
  resolveReference: ({ pk }, context) => RefreshTokenRef.getDataloader(context).load(pk),
});

/**
 * Implements a `TokenModel` kind (refresh and access tokens): the OAuth2Grant fields plus
 * `idToken`, `idTokenClaims` and `revoked`.
 */
export function implementTokenModel(ref: GrantNodeRef, description: string): void {
  ref.implement({
    description,
    interfaces: [OAuth2GrantRef],
    fields: (t) => ({
      idToken: t.exposeString('id_token', {
        description:
          "The token's id_token as authentik serves it: a string of pretty-printed JSON.",
      }),
      idTokenClaims: t.field({
        type: 'JSON',
        nullable: true,
        description: 'The id_token parsed as JSON (null when it does not parse).',
        resolve: (token) => parseClaims(token.id_token),
      }),
      revoked: t.exposeBoolean('revoked', { description: 'Whether the token was revoked.' }),
    }),
  });
}

// authentik serves the id_token as a string; a client that wants claims gets them parsed, or null.
function parseClaims(idToken: UpstreamToken['id_token']): unknown {
  if (!idToken) return null;
  try {
    return JSON.parse(idToken) as unknown;
  } catch {
    return null;
  }
}

implementTokenModel(
  RefreshTokenRef,
  'An OAuth2 refresh token authentik issued to a user for a provider.',
);

const REFRESH_TOKEN: GrantKindSchema = {
  typename: 'RefreshToken',
  endpoint: REFRESH_TOKENS,
  ref: RefreshTokenRef,
  lookupField: 'refreshToken',
};

defineGrantConnection({ ...REFRESH_TOKEN, listField: 'refreshTokens', hasRevoked: true });
grantLookupField(REFRESH_TOKEN);
grantDeleteMutation(REFRESH_TOKEN);
