import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { Kind, isObjectType } from 'graphql';

// Fragments for another object type do not apply to `typename`; anything else might.
function applies(info: GraphQLResolveInfo, typename: string, condition: string | undefined) {
  return (
    condition === undefined ||
    condition === typename ||
    !isObjectType(info.schema.getType(condition))
  );
}

function asksOther(
  info: GraphQLResolveInfo,
  typename: string,
  answered: ReadonlySet<string>,
  set: SelectionSetNode | undefined,
  visited: Set<string>,
): boolean {
  return (set?.selections ?? []).some((selection) => {
    if (selection.kind === Kind.FIELD) {
      return selection.name.value !== '__typename' && !answered.has(selection.name.value);
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      return (
        applies(info, typename, selection.typeCondition?.name.value) &&
        asksOther(info, typename, answered, selection.selectionSet, visited)
      );
    }
    const fragment = info.fragments[selection.name.value];
    if (!fragment || visited.has(fragment.name.value)) return false;
    visited.add(fragment.name.value);
    return (
      applies(info, typename, fragment.typeCondition.name.value) &&
      asksOther(info, typename, answered, fragment.selectionSet, visited)
    );
  });
}

/**
 * Whether the router's `_entities` selection asks an entity of `typename` for a field outside
 * `answered` (the fields its key reference answers without loading it, e.g. `pk`, `id` and
 * `refreshTokens`). Through fragments; fragments on other object types are left out.
 */
export function referenceNeedsLoad(
  info: GraphQLResolveInfo,
  typename: string,
  answered: ReadonlySet<string>,
): boolean {
  return info.fieldNodes.some((node) =>
    asksOther(info, typename, answered, node.selectionSet, new Set()),
  );
}
