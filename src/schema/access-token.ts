import { ACCESS_TOKENS } from '../upstream/authentik.js';
import { defineGrantConnection } from './grant-connection.js';
import type { GrantKindSchema } from './grant.js';
import { grantDeleteMutation, grantLookupField, grantNodeRef } from './grant.js';
import { implementTokenModel } from './token.js';

/** Access tokens: authentik serves them like refresh tokens (`TokenModel`), from their own table. */
export const AccessTokenRef = grantNodeRef('AccessToken', ACCESS_TOKENS);

implementTokenModel(
  AccessTokenRef,
  'An OAuth2 access token authentik issued to a user for a provider.',
);

const ACCESS_TOKEN: GrantKindSchema = {
  typename: 'AccessToken',
  endpoint: ACCESS_TOKENS,
  ref: AccessTokenRef,
  lookupField: 'accessToken',
};

defineGrantConnection({ ...ACCESS_TOKEN, listField: 'accessTokens', hasRevoked: true });
grantLookupField(ACCESS_TOKEN);
grantDeleteMutation(ACCESS_TOKEN);
