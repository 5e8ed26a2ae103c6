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
import { limitExceeded } from '../errors.js';
import { forcesScan, scanCallsAtMost } from '../pagination/token-connection.js';
import { DEFAULT_PAGE_ROWS } from '../pagination/window-args.js';

/** How upstream calls are estimated (see {@link estimateUpstreamCalls}). */
export interface UpstreamCostOptions {
  /** Most estimated upstream calls one operation may make (MAX_COST). */
  maxCost: number;
  /** Largest first/last (larger values are refused by the resolvers anyway). Default 100. */
  maxPageSize?: number;
  /**
   * SEARCH_SCAN_LIMIT: a connection the gateway must scan (search, isExpired, revoked) costs the
   * calls it may make to read that many rows. Default 10000.
   */
  searchScanLimit?: number;
}

type Variables = Record<string, unknown>;

/** List arguments whose entries are each looked up upstream: `nodes(ids:)`, federation's `_entities`. */
const LOOKUP_LISTS = ['ids', 'pks', 'representations'];

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Variables;
  operation: OperationDefinitionNode;
  maxPageSize: number;
  scanCost: number;
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

function pageSize(value: unknown, walk: Walk): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return Math.max(0, Math.min(Math.trunc(value), walk.maxPageSize));
}

// A connection the gateway answers by reading the list until it has enough matches.
function scans(field: FieldNode, definition: GraphQLField<unknown, unknown>, walk: Walk): boolean {
  return forcesScan({
    search: argument(field, definition, 'search', walk),
    filter: argument(field, definition, 'filter', walk) as Parameters<
      typeof forcesScan
    >[0]['filter'],
  });
}

/**
 * Marks a field that may load its parent object from authentik (one call per distinct object,
 * through the request's loader): the estimate counts one call per parent it may be asked of.
 */
export const LOADS_PARENT = { upstreamCost: 'loads-parent' } as const;

function loadsParent(definition: GraphQLField<unknown, unknown>): boolean {
  return definition.extensions?.upstreamCost === LOADS_PARENT.upstreamCost;
}

// Upstream calls of one field and what its children are multiplied by.
function fieldCost(
  field: FieldNode,
  definition: GraphQLField<unknown, unknown>,
  parent: GraphQLCompositeType,
  walk: Walk,
): { own: number; fanOut: number } {
  const named = getNamedType(definition.type);
  if (isObjectType(named) && named.name.endsWith('Connection')) {
    const size =
      pageSize(argument(field, definition, 'first', walk), walk) ??
      pageSize(argument(field, definition, 'last', walk), walk) ??
      DEFAULT_PAGE_ROWS;
    return { own: scans(field, definition, walk) ? walk.scanCost : 1, fanOut: size };
  }
  for (const name of LOOKUP_LISTS) {
    const list = argument(field, definition, name, walk);
    if (Array.isArray(list)) {
      // Loaders collapse duplicates (routers repeat references): only distinct entries cost.
      const distinct = new Set(list.map((entry) => JSON.stringify(entry))).size;
      return { own: distinct, fanOut: distinct };
    }
  }
  // A field that declares its own call count (revokeOAuth2Grants: one list call per grant kind;
  // its DELETEs are bounded by MAX_REVOKE, not MAX_COST).
  const declared = definition.extensions?.upstreamCost;
  if (typeof declared === 'number') return { own: declared, fanOut: 1 };
  const isRoot = parent === walk.schema.getQueryType() || parent === walk.schema.getMutationType();
  const lookup = isRoot && isCompositeType(named) && definition.args.length > 0;
  return { own: lookup ? 1 : 0, fanOut: 1 };
}

// Its own walk, not selection.ts's someField: it types each fragment's fields by its condition,
// costs a fragment once per place it is spread (guarded along its path only) and multiplies.
function selectionCost(
  set: SelectionSetNode | undefined,
  parent: GraphQLCompositeType,
  multiplier: number,
  walk: Walk,
  spreads: ReadonlySet<string>,
): number {
  if (!set) return 0;
  let total = 0;
  let parentLoadCounted = false;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) continue;
      const definition = parent.getFields()[name];
      if (!definition) continue;
      if (!parentLoadCounted && loadsParent(definition)) {
        parentLoadCounted = true;
        total += multiplier;
      }
      const { own, fanOut } = fieldCost(selection, definition, parent, walk);
      total += own * multiplier;
      const named = getNamedType(definition.type);
      if (isCompositeType(named)) {
        total += selectionCost(selection.selectionSet, named, multiplier * fanOut, walk, spreads);
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition
        ? typeFromAST(walk.schema, selection.typeCondition)
        : parent;
      if (isCompositeType(type)) {
        total += selectionCost(selection.selectionSet, type, multiplier, walk, spreads);
      }
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (!fragment || spreads.has(name)) continue;
      const type = typeFromAST(walk.schema, fragment.typeCondition);
      if (isCompositeType(type)) {
        const inner = new Set(spreads).add(name);
        total += selectionCost(fragment.selectionSet, type, multiplier, walk, inner);
      }
    }
  }
  return total;
}

/**
 * Estimates how many calls to authentik an operation may make: a connection costs one call (the
 * calls a scan may make, `ceil(SEARCH_SCAN_LIMIT / 100)`, when it must scan) and multiplies
 * everything below it by its page size (first/last, default 20); `ids`/`pks`/`representations`
 * lists cost and multiply by their distinct entries; a field with a numeric
 * `extensions.upstreamCost` costs that; any other root field with arguments that returns an
 * object is one lookup; a field marked LOADS_PARENT (a provider's OAuth2 fields on newer
 * authentik) costs one call per object it may be asked of. The request's budget enforces the
 * same MAX_COST while executing (upstream/authentik.ts), so an estimate that is low is safe.
 */
export function estimateUpstreamCalls(
  schema: GraphQLSchema,
  document: { definitions: readonly { kind: string }[] },
  operationName: string | null | undefined,
  variables: Variables | null | undefined,
  options: Omit<UpstreamCostOptions, 'maxCost'> = {},
): number {
  const doc = document as Parameters<typeof getOperationAST>[0];
  const operation = getOperationAST(doc, operationName);
  if (!operation) return 0;
  const root =
    operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!root) return 0;
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
    maxPageSize: options.maxPageSize ?? 100,
    scanCost: scanCallsAtMost(options.searchScanLimit ?? 10_000),
  };
  return selectionCost(operation.selectionSet, root, 1, walk, new Set());
}

/**
 * Refuses, before anything is sent to authentik, an operation whose estimated upstream calls
 * exceed `maxCost`. It runs at execution time because the estimate needs the variables
 * (validation results are cached per document).
 */
export function useUpstreamCostLimit(options: UpstreamCostOptions): Plugin {
  // Without variables the estimate depends on the document alone (yoga reuses parsed documents).
  const costWithoutVariables = new WeakMap<object, Map<string, number>>();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const estimate = () =>
        estimateUpstreamCalls(
          args.schema,
          args.document,
          args.operationName,
          args.variableValues as Variables | null | undefined,
          options,
        );
      let cost: number;
      if (args.variableValues && Object.keys(args.variableValues).length > 0) {
        cost = estimate();
      } else {
        let byOperation = costWithoutVariables.get(args.document);
        if (!byOperation) costWithoutVariables.set(args.document, (byOperation = new Map()));
        const operation = args.operationName ?? '';
        cost = byOperation.get(operation) ?? estimate();
        byOperation.set(operation, cost);
      }
      if (cost > options.maxCost) {
        setResultAndStopExecution({
          errors: [
            limitExceeded(
              'MAX_COST',
              `Operation cost limit of ${options.maxCost} upstream calls (MAX_COST) exceeded: this operation may ` +
                `make about ${cost} calls to authentik. Ask for smaller pages (first/last) or nest fewer connections.`,
              options.maxCost,
              cost,
            ),
          ],
        });
      }
    },
  };
}
