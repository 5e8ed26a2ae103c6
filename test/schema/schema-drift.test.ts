import { readFileSync } from 'node:fs';
import type { GraphQLSchema, IntrospectionQuery } from 'graphql';
import {
  buildASTSchema,
  buildClientSchema,
  getIntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  lexicographicSortSchema,
  parse,
  print,
  printSchema,
  visit,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  buildSchema,
  printClientSchemaSdl,
  printSchemaSdl,
} from '../../src/graphql/schema/index.js';
import { useGateway } from '../helpers/gateway.js';

const SCHEMA_FILE = new URL('../../schema.graphql', import.meta.url);
const recorded = () => readFileSync(SCHEMA_FILE, 'utf8');
const CLIENT_SCHEMA_FILE = new URL('../../schema.client.graphql', import.meta.url);
const recordedClient = () => readFileSync(CLIENT_SCHEMA_FILE, 'utf8');
const REGENERATE = 'schema.graphql is stale: run `npm run schema` and commit the result';

const gw = useGateway();

// Federation's own machinery (`_service`, `_entities`, `_Any`, ...) is not part of the API.
const isFederationInternal = (name: string) => name.startsWith('_');

// The API a schema offers, as comparable SDL: types, fields, arguments, defaults and descriptions,
// without directives (introspection does not carry their applications) or federation internals.
function apiSdl(schema: GraphQLSchema): string {
  const ast = visit(parse(printSchema(lexicographicSortSchema(schema))), {
    SchemaDefinition: () => null,
    SchemaExtension: () => null,
    DirectiveDefinition: () => null,
    Directive: () => null,
    ObjectTypeDefinition: (node) => (isFederationInternal(node.name.value) ? null : undefined),
    UnionTypeDefinition: (node) => (isFederationInternal(node.name.value) ? null : undefined),
    ScalarTypeDefinition: (node) => (isFederationInternal(node.name.value) ? null : undefined),
    FieldDefinition: (node) => (isFederationInternal(node.name.value) ? null : undefined),
  });
  return print(ast);
}

describe('schema.graphql is the served SDL', () => {
  it('equals the SDL the code builds (what `npm run schema` writes)', () => {
    expect(printSchemaSdl(buildSchema()), REGENERATE).toBe(recorded());
  });

  it('equals what the running gateway answers to `_service { sdl }`', async () => {
    const result = await gw.gql<{ _service: { sdl: string } }>('{ _service { sdl } }');
    expect(result.errors).toBeUndefined();
    expect(result.data!._service.sdl.trimEnd(), REGENERATE).toBe(recorded().trimEnd());
  });

  it('describes the API the running gateway serves through introspection', async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const result = await gw.gql<IntrospectionQuery>(query);
    expect(result.errors).toBeUndefined();
    const served = apiSdl(buildClientSchema(result.data!));
    const fromFile = apiSdl(buildASTSchema(parse(recorded()), { assumeValidSDL: true }));
    expect(served, REGENERATE).toBe(fromFile);
    expect(served).toContain('refreshTokens(');
  });
});

// For client codegen (GraphQL Code Generator, Relay): loads with plain graphql-js, no federation.
describe('schema.client.graphql is the client-facing API', () => {
  it('equals the client SDL the code builds (what `npm run schema` writes)', () => {
    expect(printClientSchemaSdl(buildSchema()), REGENERATE).toBe(recordedClient());
  });

  it('loads without federation definitions and carries no federation names', () => {
    const document = parse(recordedClient());
    expect(document.definitions.filter((node) => node.kind === 'DirectiveDefinition')).toEqual([]);
    expect(recordedClient()).not.toMatch(
      /@(key|link|shareable|inaccessible|external)\b|_service|_entities|_Any|__/,
    );
    expect(() => buildASTSchema(document)).not.toThrow();
  });

  it('describes the API of schema.graphql, descriptions included', () => {
    const client = buildASTSchema(parse(recordedClient()));
    const subgraph = buildASTSchema(parse(recorded()), { assumeValidSDL: true });
    expect(apiSdl(client)).toBe(apiSdl(subgraph));
    expect(apiSdl(client)).toContain('refreshTokens(');
  });
});

describe('the schema documents itself', () => {
  const schema = buildSchema();
  // Names starting with `_` are GraphQL's (`__Type`) or federation's (`_Any`, `Query._entities`).
  const own = Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('_'));

  it('every type has a description', () => {
    const missing = own.filter((type) => !type.description?.trim()).map((type) => type.name);
    expect(missing).toEqual([]);
  });

  it('every field, argument, input field and enum value has a description', () => {
    const missing: string[] = [];
    for (const type of own) {
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (field.name.startsWith('_')) continue;
          if (!field.description?.trim()) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args) {
            if (!arg.description?.trim()) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      } else if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description?.trim()) missing.push(`${type.name}.${field.name}`);
        }
      } else if (isEnumType(type)) {
        for (const value of type.getValues()) {
          if (!value.description?.trim()) missing.push(`${type.name}.${value.name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
