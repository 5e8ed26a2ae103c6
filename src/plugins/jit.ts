import { useGraphQlJit } from '@envelop/graphql-jit';
import type { DocumentNode, TypeNode } from 'graphql';
import { Kind } from 'graphql';

// graphql-jit coerces variables itself and skips input-field defaults (`direction: ... = ASC` in a
// `$orderBy` variable); operations with input-object variables run on graphql-js instead.
const usesInputObjectVariables = new WeakMap<DocumentNode, boolean>();

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

const SCALARS = new Set([
  'Int',
  'Float',
  'String',
  'Boolean',
  'ID',
  'DateTime',
  'JSON',
  'UUID',
  '_Any',
]);

function hasInputObjectVariables(document: DocumentNode): boolean {
  let answer = usesInputObjectVariables.get(document);
  if (answer === undefined) {
    answer = document.definitions.some(
      (definition) =>
        definition.kind === Kind.OPERATION_DEFINITION &&
        (definition.variableDefinitions ?? []).some(
          (variable) => !SCALARS.has(namedType(variable.type)),
        ),
    );
    usesInputObjectVariables.set(document, answer);
  }
  return answer;
}

/**
 * Executes operations with graphql-jit (compiled once per document), which cuts the execution
 * cost of a page of tokens; operations whose variables are input objects stay on graphql-js.
 */
export function useCompiledExecution(): ReturnType<typeof useGraphQlJit> {
  return useGraphQlJit({}, { enableIf: (args) => !hasInputObjectVariables(args.document) });
}
