/**
 * schema.graphql as a Federation 2 subgraph: its keys, and its composition (Hive's composition
 * library, same rules as Apollo's) next to a typical Relay subgraph that owns `User` by `pk`.
 */
import { composeServices } from '@theguild/federation-composition';
import type { DocumentNode, ObjectTypeDefinitionNode } from 'graphql';
import { buildSchema as buildSdlSchema, isObjectType, Kind, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { FEDERATION_SPEC_URL } from '../../src/graphql/schema/index.js';
import { ACCOUNTS_SDL } from './accounts-subgraph.js';
import { composeSupergraph, TOKENS_SDL } from './supergraph.js';

// The `fields` of every @key on `typename`.
function keysOf(document: DocumentNode, typename: string): string[] {
  const type = document.definitions.find(
    (d): d is ObjectTypeDefinitionNode =>
      d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === typename,
  );
  return (type?.directives ?? [])
    .filter((directive) => directive.name.value === 'key')
    .map((directive) => print(directive.arguments![0]!.value));
}

describe('schema.graphql', () => {
  const document = parse(TOKENS_SDL);

  it('links the federation spec the gateway is built with', () => {
    expect(TOKENS_SDL).toContain(`@link(url: "${FEDERATION_SPEC_URL}"`);
    expect(FEDERATION_SPEC_URL).toMatch(/^https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+$/);
  });

  it.each([
    ['RefreshToken', ['"pk"']],
    ['OAuth2Provider', ['"pk"']],
    ['User', ['"pk"', '"uuid"']],
  ])('declares the keys of %s', (typename, keys) => {
    expect(keysOf(document, typename)).toEqual(keys);
  });
});

describe('composition with a typical Relay subgraph (accounts)', () => {
  const result = composeSupergraph();

  it('composes without errors', () => {
    expect(result.errors).toBeUndefined();
    expect(result.supergraphSdl).toContain('@join__type(graph: TOKENS, key: "uuid")');
  });

  it('serves User with the fields of both subgraphs, and no node/nodes', () => {
    const api = buildSdlSchema(result.publicSdl!);
    const user = api.getType('User');
    if (!isObjectType(user)) throw new Error('User is not an object type');
    expect(Object.keys(user.getFields())).toEqual(
      expect.arrayContaining(['pk', 'uuid', 'username', 'refreshTokens', 'team']),
    );
    const query = Object.keys(api.getQueryType()!.getFields());
    expect(query).toEqual(expect.arrayContaining(['refreshTokens', 'refreshToken', 'teams']));
    expect(query).not.toContain('node');
    expect(query).not.toContain('nodes');
  });

  // Why the subgraph carries the directives it does: each case undoes one and composes again.
  it.each([
    [
      'PageInfo without @shareable',
      TOKENS_SDL.replace('type PageInfo\n  @shareable\n{', 'type PageInfo {'),
      ACCOUNTS_SDL,
      'Non-shareable field "PageInfo.hasNextPage"',
    ],
    [
      'Query.node without @shareable',
      TOKENS_SDL.replace('Node @inaccessible @shareable', 'Node @inaccessible'),
      ACCOUNTS_SDL,
      'Non-shareable field "Query.node"',
    ],
    [
      'an accounts User implementing Node with ids of its own',
      TOKENS_SDL,
      ACCOUNTS_SDL.replace(
        'type User @key(fields: "pk") {',
        'type User implements Node @key(fields: "pk") {\n id: ID!',
      ),
      'Non-shareable field "User.id"',
    ],
  ])('fails with %s', (_case, tokens, accounts, message) => {
    expect(tokens + accounts, 'the case changes one of the SDLs').not.toBe(
      TOKENS_SDL + ACCOUNTS_SDL,
    );
    const failed = composeServices([
      { name: 'tokens', typeDefs: parse(tokens), url: 'http://tokens.test/graphql' },
      { name: 'accounts', typeDefs: parse(accounts), url: 'http://accounts.test/graphql' },
    ]);
    expect(failed.errors?.map((error) => error.message).join('\n')).toContain(message);
  });
});
