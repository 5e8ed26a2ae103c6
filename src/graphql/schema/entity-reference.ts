import type { GraphQLResolveInfo } from 'graphql';
import { isObjectType } from 'graphql';
import { someField } from './selection.js';

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
  // Fragments for another object type do not apply to `typename`; anything else might.
  const applies = (condition: string) =>
    condition === typename || !isObjectType(info.schema.getType(condition));
  return info.fieldNodes.some((node) =>
    someField(
      node.selectionSet,
      info.fragments,
      (field) => field.name.value !== '__typename' && !answered.has(field.name.value),
      applies,
    ),
  );
}
