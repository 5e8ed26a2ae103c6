import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLCompositeType,
  GraphQLField,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import {
  Kind,
  getNamedType,
  getOperationAST,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  typeFromAST,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { costExceeded } from '../errors.js';

/** What the pre-check counted (see {@link estimateUpstreamCalls}). */
export interface UpstreamCallEstimate {
  /** Calls to authentik the operation makes at least: as many as if every list came back empty. */
  calls: number;
  /** Selections the count visited: each selection of the document at most once. */
  visits: number;
}

type Variables = Record<string, unknown>;

/** List arguments whose entries are each looked up upstream: `nodes(ids:)`, federation's `_entities`. */
const LOOKUP_LISTS = ['ids', 'pks', 'representations'];

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Variables;
  operation: OperationDefinitionNode;
  /** Calls of each fragment's selection, once counted: a fragment is walked once per operation. */
  fragmentCalls: Map<string, number>;
  /** Fragments being walked (a cycle is invalid GraphQL, refused by validation: it counts 0). */
  entered: Set<string>;
  visits: number;
}

// A literal or variable argument as plain JSON (what the resolvers will see, near enough).
function valueOf(node: ValueNode, walk: Walk): unknown {
  switch (node.kind) {
    case Kind.VARIABLE: {
      const name = node.name.value;
      // Own properties only: `$toString` must not read Object.prototype.toString.
      if (Object.hasOwn(walk.variables, name)) return walk.variables[name];
      const definition = walk.operation.variableDefinitions?.find(
        (d) => d.variable.name.value === name,
      );
      return definition?.defaultValue ? valueOf(definition.defaultValue, walk) : undefined;
    }
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((value) => valueOf(value, walk));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, valueOf(f.value, walk)]));
  }
}

function argument(
  field: FieldNode,
  definition: GraphQLField<unknown, unknown>,
  name: string,
  walk: Walk,
) {
  const node = field.arguments?.find((a) => a.name.value === name);
  if (node) return valueOf(node.value, walk);
  return definition.args.find((a) => a.name === name)?.defaultValue;
}

// Loaders collapse duplicates (routers repeat references): only distinct entries cost. An entry
// too deeply nested to compare (JSON.stringify's RangeError) counts as one of its own.
function distinctEntries(list: readonly unknown[]): number {
  const seen = new Set<string>();
  let uncomparable = 0;
  for (const entry of list) {
    try {
      seen.add(JSON.stringify(entry) ?? 'undefined');
    } catch {
      uncomparable++;
    }
  }
  return seen.size + uncomparable;
}

// Calls one field makes by itself, and how many times what it selects is asked for.
function fieldCalls(
  field: FieldNode,
  definition: GraphQLField<unknown, unknown>,
  parent: GraphQLCompositeType,
  walk: Walk,
): { own: number; perResult: number } {
  const named = getNamedType(definition.type);
  // A connection reads one page at least. How many rows come back, and so what its rows'
  // fields cost, is not known before authentik answers: the budget counts that as it runs.
  if (isObjectType(named) && named.name.endsWith('Connection')) return { own: 1, perResult: 0 };
  for (const name of LOOKUP_LISTS) {
    const list = argument(field, definition, name, walk);
    if (Array.isArray(list)) {
      const distinct = distinctEntries(list);
      return { own: distinct, perResult: distinct };
    }
  }
  // A field that declares its own call count (revokeOAuth2Grants: one list call per grant kind;
  // its DELETEs are bounded by MAX_REVOKE, not MAX_COST).
  const declared = definition.extensions?.upstreamCost;
  if (typeof declared === 'number') return { own: declared, perResult: 1 };
  const isRoot = parent === walk.schema.getQueryType() || parent === walk.schema.getMutationType();
  const lookup = isRoot && isCompositeType(named) && definition.args.length > 0;
  return { own: lookup ? 1 : 0, perResult: 1 };
}

// Like graphql-js's field collection, a fragment spread twice in one selection set counts once;
// a fragment's count is kept, so each fragment is walked once however often it is spread.
function selectionCalls(set: SelectionSetNode, parent: GraphQLCompositeType, walk: Walk): number {
  let total = 0;
  const spread = new Set<string>();
  for (const selection of set.selections) {
    walk.visits++;
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) continue;
      const definition = parent.getFields()[name];
      if (!definition) continue;
      const { own, perResult } = fieldCalls(selection, definition, parent, walk);
      total += own;
      const named = getNamedType(definition.type);
      if (perResult > 0 && selection.selectionSet && isCompositeType(named)) {
        total += perResult * selectionCalls(selection.selectionSet, named, walk);
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition
        ? typeFromAST(walk.schema, selection.typeCondition)
        : parent;
      if (isCompositeType(type)) total += selectionCalls(selection.selectionSet, type, walk);
    } else if (!spread.has(selection.name.value)) {
      spread.add(selection.name.value);
      total += fragmentCalls(selection.name.value, walk);
    }
  }
  return total;
}

function fragmentCalls(name: string, walk: Walk): number {
  const counted = walk.fragmentCalls.get(name);
  if (counted !== undefined) return counted;
  const fragment = walk.fragments.get(name);
  if (!fragment || walk.entered.has(name)) return 0;
  const type = typeFromAST(walk.schema, fragment.typeCondition);
  if (!isCompositeType(type)) return 0;
  walk.entered.add(name);
  const calls = selectionCalls(fragment.selectionSet, type, walk);
  walk.entered.delete(name);
  walk.fragmentCalls.set(name, calls);
  return calls;
}

/**
 * Counts the calls to authentik an operation certainly makes, from the document and its
 * variables alone: as many as it would make if every list it reads came back empty. A connection
 * counts 1 (the page it reads at least; what its rows select is not counted, since how many rows
 * come back is not known); `ids`/`pks`/`representations` count 1 per distinct entry, and what is
 * selected below them once per entry; a field with a numeric `extensions.upstreamCost` counts
 * that; any other root field with arguments that returns an object is one lookup. Linear in the
 * document: each selection is visited at most once (`visits`). While the operation runs, the
 * request's budget (upstream/request-budget.ts) counts the rest from authentik's answers.
 */
export function estimateUpstreamCalls(
  schema: GraphQLSchema,
  document: { definitions: readonly { kind: string }[] },
  operationName: string | null | undefined,
  variables: Variables | null | undefined,
): UpstreamCallEstimate {
  const doc = document as Parameters<typeof getOperationAST>[0];
  const operation = getOperationAST(doc, operationName);
  const root =
    operation?.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!operation || !root) return { calls: 0, visits: 0 };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of doc.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  const walk: Walk = {
    schema,
    fragments,
    variables: variables ?? {},
    operation,
    fragmentCalls: new Map(),
    entered: new Set(),
    visits: 0,
  };
  const calls = selectionCalls(operation.selectionSet, root, walk);
  return { calls, visits: walk.visits };
}

/**
 * Refuses, before anything is sent to authentik, an operation that certainly needs more than
 * `maxCost` calls (see {@link estimateUpstreamCalls}). It runs at execution time because the
 * count needs the variables (validation results are cached per document).
 */
export function useUpstreamCostLimit(options: { maxCost: number }): Plugin {
  // Without variables the count depends on the operation alone (yoga reuses parsed documents):
  // kept per operation node, so no name a client sends can grow it.
  const callsWithoutVariables = new WeakMap<OperationDefinitionNode, number>();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const count = () =>
        estimateUpstreamCalls(
          args.schema,
          args.document,
          args.operationName,
          args.variableValues as Variables | null | undefined,
        ).calls;
      let calls: number;
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation) return; // graphql-js answers that the operation is unknown
      if (args.variableValues && Object.keys(args.variableValues).length > 0) {
        calls = count();
      } else {
        calls = callsWithoutVariables.get(operation) ?? count();
        callsWithoutVariables.set(operation, calls);
      }
      if (calls > options.maxCost) {
        setResultAndStopExecution({
          errors: [costExceeded(options.maxCost, calls, 'before-any-call')],
        });
      }
    },
  };
}
