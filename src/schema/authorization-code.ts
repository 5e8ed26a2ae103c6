import { AUTHORIZATION_CODES } from '../upstream/authentik.js';
import { defineGrantConnection } from './grant-connection.js';
import type { GrantKindSchema } from './grant.js';
import { OAuth2GrantRef, grantDeleteMutation, grantLookupField, grantNodeRef } from './grant.js';

/** Authorization codes (`ExpiringBaseGrantModel`): they live about a minute; no id_token, no revoked. */
export const AuthorizationCodeRef = grantNodeRef('AuthorizationCode', AUTHORIZATION_CODES);

AuthorizationCodeRef.implement({
  description:
    'An OAuth2 authorization code authentik issued to a user for a provider, not yet exchanged for tokens.',
  interfaces: [OAuth2GrantRef],
  fields: () => ({}),
});

const AUTHORIZATION_CODE: GrantKindSchema = {
  typename: 'AuthorizationCode',
  endpoint: AUTHORIZATION_CODES,
  ref: AuthorizationCodeRef,
  lookupField: 'authorizationCode',
};

defineGrantConnection({
  ...AUTHORIZATION_CODE,
  listField: 'authorizationCodes',
  hasRevoked: false,
});
grantLookupField(AUTHORIZATION_CODE);
grantDeleteMutation(AUTHORIZATION_CODE);
