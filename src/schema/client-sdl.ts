import type { GraphQLSchema } from 'graphql';
import { lexicographicSortSchema, parse, print, printSchema, visit } from 'graphql';

// Federation's machinery (`_service`, `_entities`, `_Any`, `link__Import`, `federation__FieldSet`)
// is for routers, not for clients.
const isFederationName = (name: string) => name.startsWith('_') || name.includes('__');

/**
 * The client-facing SDL (`schema.client.graphql`): the API the gateway serves, sorted by name,
 * with descriptions and `@deprecated`, but without federation's directives, their definitions
 * and its internal types and fields, so that GraphQL Code Generator or Relay load it as is.
 */
export function printClientSdl(schema: GraphQLSchema): string {
  const unlessFederation = (node: { name: { value: string } }) =>
    isFederationName(node.name.value) ? null : undefined;
  const document = visit(parse(printSchema(lexicographicSortSchema(schema))), {
    SchemaDefinition: () => null,
    DirectiveDefinition: () => null,
    ScalarTypeDefinition: unlessFederation,
    ObjectTypeDefinition: unlessFederation,
    UnionTypeDefinition: unlessFederation,
    EnumTypeDefinition: unlessFederation,
    InputObjectTypeDefinition: unlessFederation,
    FieldDefinition: unlessFederation,
  });
  return `${print(document)}\n`;
}
