import { useGraphQlJit } from '@envelop/graphql-jit';
import type { DocumentNode, SelectionSetNode, TypeNode } from 'graphql';
import { Kind } from 'graphql';

// Operations that graphql-jit would get wrong run on graphql-js instead:
// - graphql-jit coerces variables itself and skips input-field defaults (`direction: ... = ASC`
//   in a `$orderBy` variable): operations with input-object variables;
// - graphql-jit 0.8.7 appends a failed list item at the end of the list instead of at its index
//   (`resultArray.push(null)`): operations that select a list of lookups (`_entities`, `nodes`),
//   where one item may fail (a bad representation, a 403) while its neighbours resolve.
const runsOnGraphqlJs = new WeakMap<DocumentNode, boolean>();
const LOOKUP_LISTS = new Set(['_entities', 'nodes']);

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

function selectsLookupList(set: SelectionSetNode | undefined): boolean {
  return (set?.selections ?? []).some((selection) =>
    selection.kind === Kind.FIELD
      ? LOOKUP_LISTS.has(selection.name.value) || selectsLookupList(selection.selectionSet)
      : selection.kind === Kind.INLINE_FRAGMENT && selectsLookupList(selection.selectionSet),
  );
}

function needsGraphqlJs(document: DocumentNode): boolean {
  let answer = runsOnGraphqlJs.get(document);
  if (answer === undefined) {
    answer = document.definitions.some(
      (definition) =>
        (definition.kind === Kind.OPERATION_DEFINITION &&
          (definition.variableDefinitions ?? []).some(
            (variable) => !SCALARS.has(namedType(variable.type)),
          )) ||
        ((definition.kind === Kind.OPERATION_DEFINITION ||
          definition.kind === Kind.FRAGMENT_DEFINITION) &&
          selectsLookupList(definition.selectionSet)),
    );
    runsOnGraphqlJs.set(document, answer);
  }
  return answer;
}

/**
 * Executes operations with graphql-jit (compiled once per document), which cuts the execution
 * cost of a page of tokens; the operations it would get wrong (see above) stay on graphql-js.
 */
export function useCompiledExecution(): ReturnType<typeof useGraphQlJit> {
  return useGraphQlJit({}, { enableIf: (args) => !needsGraphqlJs(args.document) });
}
