import { printSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { builder } from '../builder.js';
import { GRANT_KINDS } from '../../upstream/grant-kinds.js';
import { printClientSdl } from './client-sdl.js';
import { guardEntityRepresentations } from './entity-representations.js';
import './enums.js';
import './user.js';
import './provider.js';
import './grant-types.js';
import './revoke.js';

builder.queryType({
  description: `authentik's OAuth2 grants (${GRANT_KINDS.map((kind) => `${kind.noun}s`).join(', ')}), as GraphQL.`,
});
builder.mutationType({ description: 'Deleting and revoking OAuth2 grants.' });

/** The Apollo Federation spec the schema links to (the newest that Hive's composition knows). */
export const FEDERATION_SPEC_URL = 'https://specs.apollo.dev/federation/v2.9';

/**
 * Builds the schema the gateway serves: a Federation 2 subgraph (types sorted by name), so the
 * same server works alone and inside a supergraph (`_service`, `_entities`, `@key`). Entity
 * representations are checked before any is resolved (entity-representations.ts).
 */
export function buildSchema(): GraphQLSchema {
  return guardEntityRepresentations(builder.toSubGraphSchema({ linkUrl: FEDERATION_SPEC_URL }));
}

/**
 * The subgraph SDL, with its federation directives: what `_service { sdl }` answers and
 * `schema.graphql` records (`npm run schema`).
 */
export function printSchemaSdl(schema: GraphQLSchema = buildSchema()): string {
  return `${printSubgraphSchema(schema)}\n`;
}

/** The client-facing SDL, without federation (`schema.client.graphql`, see client-sdl.ts). */
export function printClientSchemaSdl(schema: GraphQLSchema = buildSchema()): string {
  return printClientSdl(schema);
}
