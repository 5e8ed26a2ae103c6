/** Helpers for the grant-kind tests: one table of kinds, queries per kind, REST oracles. */
import type { GrantKind, ServedGrant } from '../../src/fake-authentik/types.js';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import type { TestGateway } from '../helpers/gateway.js';
import type { ConnectionVars } from '../helpers/connections.js';
import { expectedGrants } from '../fake-authentik/expected.js';

/** How one grant kind appears in GraphQL and in authentik's REST API. */
export interface Kind {
  segment: GrantKind;
  typename: 'RefreshToken' | 'AccessToken' | 'AuthorizationCode';
  listField: string;
  lookupField: string;
  enumValue: 'REFRESH_TOKEN' | 'ACCESS_TOKEN' | 'AUTHORIZATION_CODE';
  hasRevoked: boolean;
}

export const REFRESH: Kind = {
  segment: 'refresh_tokens',
  typename: 'RefreshToken',
  listField: 'refreshTokens',
  lookupField: 'refreshToken',
  enumValue: 'REFRESH_TOKEN',
  hasRevoked: true,
};
export const ACCESS: Kind = {
  segment: 'access_tokens',
  typename: 'AccessToken',
  listField: 'accessTokens',
  lookupField: 'accessToken',
  enumValue: 'ACCESS_TOKEN',
  hasRevoked: true,
};
export const CODES: Kind = {
  segment: 'authorization_codes',
  typename: 'AuthorizationCode',
  listField: 'authorizationCodes',
  lookupField: 'authorizationCode',
  enumValue: 'AUTHORIZATION_CODE',
  hasRevoked: false,
};
// Keyed by the fake's kinds: a kind it serves that this table lacks does not compile.
const KINDS_BY_SEGMENT = {
  refresh_tokens: REFRESH,
  access_tokens: ACCESS,
  authorization_codes: CODES,
} satisfies Record<GrantKind, Kind>;
/** Every kind, in the schema's order. */
export const ALL_KINDS: Kind[] = Object.values(KINDS_BY_SEGMENT);

/** The list path of a kind, e.g. `/api/v3/oauth2/access_tokens/`. */
export const listPath = (kind: Kind) => `/api/v3/oauth2/${kind.segment}/`;

/** Connection arguments of any grant kind as GraphQL variables. */
export type GrantVars = ConnectionVars<Record<string, number | boolean | null>>;

export interface GrantPage {
  totalCount?: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  nodes: { pk: number }[];
}

/** `<listField>(...)` with every argument as a variable. */
export function grantQuery(kind: Kind, selection: string): string {
  return `query ($first: Int, $after: String, $last: Int, $before: String, $search: String,
      $orderBy: [${kind.typename}Order!], $filter: ${kind.typename}Filter) {
    ${kind.listField}(first: $first, after: $after, last: $last, before: $before, search: $search,
        orderBy: $orderBy, filter: $filter) { ${selection} }
  }`;
}

const PAGE = 'pageInfo { hasNextPage hasPreviousPage endCursor } nodes { pk }';

/** One page of a kind's connection; fails loudly on any error. */
export async function grantPage(
  gw: TestGateway,
  kind: Kind,
  vars: GrantVars,
  options: { withCount?: boolean; token?: string } = {},
): Promise<GrantPage> {
  const result = await gw.gql<Record<string, GrantPage>>(
    grantQuery(kind, options.withCount ? `totalCount ${PAGE}` : PAGE),
    vars as Record<string, unknown>,
    { token: options.token ?? ADMIN_TOKEN },
  );
  if (result.errors?.length || !result.data) {
    throw new Error(`query failed: ${JSON.stringify(result.errors)} for ${JSON.stringify(vars)}`);
  }
  return result.data[kind.listField]!;
}

/** Walks a kind's connection forward with `first: size`; returns every pk and the pages read. */
export async function walkGrants(
  gw: TestGateway,
  kind: Kind,
  vars: GrantVars,
  size: number,
  token?: string,
): Promise<number[]> {
  const pks: number[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 200; guard++) {
    const page = await grantPage(gw, kind, { ...vars, first: size, after }, { token });
    pks.push(...page.nodes.map((n) => n.pk));
    if (!page.pageInfo.hasNextPage) return pks;
    after = page.pageInfo.endCursor;
  }
  throw new Error('walk did not end');
}

/** What authentik's REST API lists of a kind for the caller (all pages, in the given ordering). */
export function restGrants(
  gw: { fake: TestGateway['fake'] },
  kind: Kind,
  q: { ordering?: string; user?: number; provider?: number; bearer?: string } = {},
): ServedGrant[] {
  return expectedGrants(gw.fake, { bearer: ADMIN_TOKEN, ordering: 'pk', ...q }, kind.segment);
}

/** Upstream requests of one method whose path starts with `prefix`, since the last reset. */
export function requestsTo(gw: { fake: TestGateway['fake'] }, method: string, prefix: string) {
  return gw.fake.requests.filter((r) => r.method === method && r.path.startsWith(prefix));
}
