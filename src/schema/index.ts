import { lexicographicSortSchema } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { builder } from '../builder.js';
import './enums.js';
import './user.js';
import './provider.js';
import './token.js';
import './token-connection.js';

builder.queryType({ description: "authentik's OAuth2 refresh tokens, as GraphQL." });
builder.mutationType({ description: 'Changes to refresh tokens.' });

/** Builds the schema the gateway serves (and `schema.graphql` records). */
export function buildSchema(): GraphQLSchema {
  return lexicographicSortSchema(builder.toSchema());
}
