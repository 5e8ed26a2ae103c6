import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getDirectiveValues,
  valueFromAST,
} from 'graphql';
import type { GatewayContext } from '../context.js';
import type { RevokeListing, RevokeRequest } from '../../grants/revoke.js';
import { listRevokeMatches, revokeTooLarge } from '../../grants/revoke.js';

/** What one revokeOAuth2Grants field of the operation turned into (or why it could not). */
type FieldListing = { listing: RevokeListing } | { error: unknown };

/**
 * Every revokeOAuth2Grants of one operation, listed together before any of them deletes: MAX_REVOKE
 * bounds the operation, so aliases cannot split a large revoke into allowed pieces.
 */
interface OperationRevokes {
  byResponseKey: Map<string, FieldListing>;
  /** Grants the operation's revokes (dry runs aside) match together. */
  total: number;
  /** Whether a revoke of this operation has started deleting (later ones list afresh). */
  deleting: boolean;
}

const operations = new WeakMap<GatewayContext, Promise<OperationRevokes>>();

// The root fields named `fieldName` that will run, by response key (fragments and @skip/@include
// followed as graphql-js's executor does).
function rootFields(
  set: SelectionSetNode,
  fieldName: string,
  info: GraphQLResolveInfo,
  found: Map<string, FieldNode>,
  seenFragments = new Set<string>(),
): Map<string, FieldNode> {
  for (const selection of set.selections) {
    const skip = getDirectiveValues(GraphQLSkipDirective, selection, info.variableValues);
    const include = getDirectiveValues(GraphQLIncludeDirective, selection, info.variableValues);
    if (skip?.if === true || include?.if === false) continue;
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === fieldName) {
        found.set(selection.alias?.value ?? selection.name.value, selection);
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      rootFields(selection.selectionSet, fieldName, info, found, seenFragments);
    } else if (!seenFragments.has(selection.name.value)) {
      seenFragments.add(selection.name.value);
      const fragment = info.fragments[selection.name.value];
      if (fragment) rootFields(fragment.selectionSet, fieldName, info, found, seenFragments);
    }
  }
  return found;
}

async function listOperationRevokes(
  info: GraphQLResolveInfo,
  context: GatewayContext,
  readRequest: (input: unknown) => RevokeRequest,
): Promise<OperationRevokes> {
  const definition = info.parentType.getFields()[info.fieldName]!;
  const inputType = definition.args.find((arg) => arg.name === 'input')!.type;
  const fields = rootFields(info.operation.selectionSet, info.fieldName, info, new Map());
  const entries = await Promise.all(
    [...fields].map(async ([key, node]): Promise<[string, FieldListing]> => {
      try {
        const argument = node.arguments?.find((a) => a.name.value === 'input');
        const input = argument && valueFromAST(argument.value, inputType, info.variableValues);
        const listing = await listRevokeMatches(context.authentik, readRequest(input));
        return [key, { listing }];
      } catch (error) {
        return [key, { error }];
      }
    }),
  );
  let total = 0;
  for (const [, entry] of entries) {
    if ('listing' in entry && !entry.listing.request.dryRun) total += entry.listing.total;
  }
  return { byResponseKey: new Map(entries), total, deleting: false };
}

/**
 * The listing this revokeOAuth2Grants field deletes from. The first revoke of an operation lists
 * every revoke of it (one call per kind each) and refuses, before any DELETE, each one that
 * would delete when together they match more than MAX_REVOKE. A revoke that runs after another
 * has deleted lists afresh (the earlier pages are stale by then).
 */
export async function revokeListingFor(
  info: GraphQLResolveInfo,
  context: GatewayContext,
  request: RevokeRequest,
  readRequest: (input: unknown) => RevokeRequest,
): Promise<RevokeListing> {
  let pending = operations.get(context);
  if (!pending) {
    pending = listOperationRevokes(info, context, readRequest);
    operations.set(context, pending);
  }
  const operation = await pending;
  const planned = operation.byResponseKey.get(String(info.path.key));
  if (!request.dryRun && operation.total > request.maxRevoke) {
    const fields = operation.byResponseKey.size;
    const what =
      fields === 1 ? 'revokeOAuth2Grants' : `The ${fields} revokeOAuth2Grants of this operation`;
    throw revokeTooLarge(operation.total, request.maxRevoke, what);
  }
  if (planned && 'error' in planned) throw planned.error;
  if (planned && !operation.deleting) {
    if (!request.dryRun) operation.deleting = true;
    return planned.listing;
  }
  return listRevokeMatches(context.authentik, request);
}
