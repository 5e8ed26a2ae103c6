import { builder } from '../builder.js';
import type { GrantModel, GrantTypename } from '../../upstream/grant-kinds.js';
import { GRANT_KINDS } from '../../upstream/grant-kinds.js';
import type { UpstreamGrant } from '../../upstream/types.js';
import { defineGrantConnection } from './grant-connection.js';
import type { GrantNodeRef } from './grant.js';
import { OAuth2GrantRef, grantDeleteMutation, grantLookupField, grantNodeRef } from './grant.js';

/** Each grant kind's type description. */
const DESCRIPTIONS = {
  RefreshToken: 'An OAuth2 refresh token authentik issued to a user for a provider.',
  AccessToken: 'An OAuth2 access token authentik issued to a user for a provider.',
  AuthorizationCode:
    'An OAuth2 authorization code authentik issued to a user for a provider, not yet exchanged for tokens.',
} satisfies Record<GrantTypename, string>;

// authentik serves the id_token as a string; a client that wants claims gets them parsed, or null.
function parseClaims(idToken: UpstreamGrant['id_token']): unknown {
  if (!idToken) return null;
  try {
    return JSON.parse(idToken) as unknown;
  } catch {
    return null;
  }
}

/** How each model's rows appear: the OAuth2Grant fields, plus what the model adds. */
const IMPLEMENT_MODEL: Record<GrantModel, (ref: GrantNodeRef, description: string) => void> = {
  // Refresh and access tokens: `idToken`, `idTokenClaims` and `revoked` too.
  TokenModel: (ref, description) =>
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
    }),
  // Authorization codes: they live about a minute; no id_token, no revoked.
  ExpiringBaseGrantModel: (ref, description) =>
    ref.implement({ description, interfaces: [OAuth2GrantRef], fields: () => ({}) }),
};

/**
 * Every grant kind's node type (one object per pk per request, loaded by
 * `GET /oauth2/<segment>/{pk}/`), with its connection, its lookup and its delete mutation.
 */
export const GRANT_REFS = Object.fromEntries(
  GRANT_KINDS.map((kind) => {
    const ref = grantNodeRef(kind);
    IMPLEMENT_MODEL[kind.model](ref, DESCRIPTIONS[kind.typename]);
    defineGrantConnection({ kind, ref });
    grantLookupField({ kind, ref });
    grantDeleteMutation({ kind, ref });
    return [kind.typename, ref];
  }),
) as Record<GrantTypename, GrantNodeRef>;

/** RefreshToken as a federation entity, by `pk`, through its loader. */
builder.asEntity(GRANT_REFS.RefreshToken, {
  key: builder.selection<{ pk: number }>('pk'),
  resolveReference: ({ pk }, context) => GRANT_REFS.RefreshToken.getDataloader(context).load(pk),
});
