import { builder } from '../builder.js';

type EnumValues = Record<string, { value: string; description: string }>;

// Builds an enum from authentik's values and returns a resolver helper that maps values this
// gateway does not know (authentik adds some in newer versions) to null instead of failing.
function upstreamEnum<const V extends EnumValues>(name: string, description: string, values: V) {
  const ref = builder.enumType(name, { description, values });
  const known = new Set(Object.values(values).map(({ value }) => value));
  const parse = (raw: unknown): V[keyof V]['value'] | null =>
    typeof raw === 'string' && known.has(raw) ? (raw as V[keyof V]['value']) : null;
  return { ref, parse };
}

const UNKNOWN_NOTE = ' A value this gateway does not know yet is served as null.';

export const UserType = upstreamEnum('UserType', `Kind of authentik user.${UNKNOWN_NOTE}`, {
  INTERNAL: { value: 'internal', description: 'A user of the organisation.' },
  EXTERNAL: { value: 'external', description: 'A user from outside the organisation.' },
  SERVICE_ACCOUNT: { value: 'service_account', description: 'A non-human account.' },
  INTERNAL_SERVICE_ACCOUNT: {
    value: 'internal_service_account',
    description: 'An account authentik manages itself (e.g. outposts).',
  },
});

export const ClientType = upstreamEnum('ClientType', `OAuth2 client type.${UNKNOWN_NOTE}`, {
  CONFIDENTIAL: { value: 'confidential', description: 'Can keep its credentials confidential.' },
  PUBLIC: {
    value: 'public',
    description: 'Cannot keep credentials confidential (browser or native apps).',
  },
});

export const SubMode = upstreamEnum(
  'SubMode',
  `What the \`sub\` claim of the ID token holds.${UNKNOWN_NOTE}`,
  {
    HASHED_USER_ID: { value: 'hashed_user_id', description: "A hash of the user's ID." },
    USER_ID: { value: 'user_id', description: "The user's integer ID." },
    USER_UUID: { value: 'user_uuid', description: "The user's UUID." },
    USER_USERNAME: { value: 'user_username', description: "The user's username." },
    USER_EMAIL: { value: 'user_email', description: "The user's email address." },
    USER_UPN: { value: 'user_upn', description: "The user's UPN attribute." },
  },
);

export const IssuerMode = upstreamEnum(
  'IssuerMode',
  `How the \`iss\` claim of the ID token is formed.${UNKNOWN_NOTE}`,
  {
    GLOBAL: { value: 'global', description: 'One issuer for every provider.' },
    PER_PROVIDER: { value: 'per_provider', description: 'An issuer per provider.' },
  },
);

export const MatchingMode = upstreamEnum(
  'MatchingMode',
  `How a redirect URI is compared.${UNKNOWN_NOTE}`,
  {
    STRICT: { value: 'strict', description: 'Exact string comparison.' },
    REGEX: { value: 'regex', description: 'Regular-expression match.' },
  },
);

export const RedirectUriType = upstreamEnum(
  'RedirectUriType',
  `What a redirect URI is used for.${UNKNOWN_NOTE}`,
  {
    AUTHORIZATION: { value: 'authorization', description: 'Redirect after authorization.' },
    LOGOUT: { value: 'logout', description: 'Redirect after logout.' },
  },
);

export const GrantType = upstreamEnum('GrantType', `An OAuth2 grant type.${UNKNOWN_NOTE}`, {
  AUTHORIZATION_CODE: { value: 'authorization_code', description: 'Authorization code grant.' },
  IMPLICIT: { value: 'implicit', description: 'Implicit grant.' },
  HYBRID: { value: 'hybrid', description: 'OpenID Connect hybrid flow.' },
  REFRESH_TOKEN: { value: 'refresh_token', description: 'Refresh token grant.' },
  CLIENT_CREDENTIALS: { value: 'client_credentials', description: 'Client credentials grant.' },
  PASSWORD: { value: 'password', description: 'Resource owner password grant.' },
  DEVICE_CODE: {
    value: 'urn:ietf:params:oauth:grant-type:device_code',
    description: 'Device authorization grant.',
  },
  TOKEN_EXCHANGE: {
    value: 'urn:ietf:params:oauth:grant-type:token-exchange',
    description: 'Token exchange.',
  },
});

export const LogoutMethod = upstreamEnum(
  'LogoutMethod',
  `How the provider logs users out of the application.${UNKNOWN_NOTE}`,
  {
    BACKCHANNEL: { value: 'backchannel', description: 'Server-to-server calls.' },
    FRONTCHANNEL: { value: 'frontchannel', description: "Iframes in the user's browser." },
  },
);

export const OrderDirection = builder.enumType('OrderDirection', {
  description: 'Sort direction.',
  values: {
    ASC: {
      value: 'asc',
      description: 'Ascending (for `expires`, tokens that never expire come last).',
    },
    DESC: { value: 'desc', description: 'Descending (tokens that never expire come first).' },
  } as const,
});
