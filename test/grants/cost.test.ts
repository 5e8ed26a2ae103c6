import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateUpstreamCalls } from '../../src/limits/upstream-cost.js';
import { buildSchema } from '../../src/graphql/schema/index.js';
import { ALL_KINDS } from './support.js';

describe('MAX_COST counts the grant connections and revokeOAuth2Grants (at least)', () => {
  const schema = buildSchema();
  const estimate = (query: string) =>
    estimateUpstreamCalls(schema, parse(query), undefined, {}).calls;

  it.each([
    ['an access-token page', '{ accessTokens { totalCount } }', 1],
    [
      'an authorization-code search reads a page at least',
      '{ authorizationCodes(search: "smith") { totalCount } }',
      1,
    ],
    [
      'so does an access-token revoked filter',
      '{ accessTokens(filter: { revoked: false }) { totalCount } }',
      1,
    ],
    [
      'connections per row count while the operation runs',
      '{ accessTokens(first: 10) { nodes { user { authorizationCodes(first: 5) { totalCount } refreshTokens { totalCount } } } } }',
      1,
    ],
    ['lookups', '{ accessToken(pk: 1) { pk } authorizationCode(pk: 2) { pk } }', 2],
    [
      'revokeOAuth2Grants: one list call per kind (its DELETEs are bounded by MAX_REVOKE)',
      'mutation { revokeOAuth2Grants(input: { userPk: 7 }) { matchedCount } }',
      ALL_KINDS.length,
    ],
    [
      'deleteAccessToken: one call',
      'mutation { deleteAccessToken(input: { id: "x" }) { deletedId } }',
      1,
    ],
  ])('%s', (_name, query, expected) => {
    expect(estimate(query)).toBe(expected);
  });
});
