import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLResolveInfo,
  SelectionSetNode,
} from 'graphql';
import { Kind } from 'graphql';

// Walks a selection set through fragments, calling visit for every field at any depth.
function walk(
  set: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  visit: (field: FieldNode, depth: number) => boolean,
  depth: number,
  seen: Set<string>,
): boolean {
  if (!set) return false;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (
        visit(selection, depth) ||
        walk(selection.selectionSet, fragments, visit, depth + 1, seen)
      )
        return true;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (walk(selection.selectionSet, fragments, visit, depth, seen)) return true;
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      if (walk(fragments[selection.name.value]?.selectionSet, fragments, visit, depth, seen))
        return true;
    }
  }
  return false;
}

/** True when the current field's selection includes `name` directly (through fragments too). */
export function selectsChild(info: GraphQLResolveInfo, name: string): boolean {
  return info.fieldNodes.some((node) =>
    walk(
      node.selectionSet,
      info.fragments,
      (field, depth) => depth === 0 && field.name.value === name,
      0,
      new Set(),
    ),
  );
}

/** True when a field called `name` is selected anywhere below the current field. */
export function selectsAnywhere(info: GraphQLResolveInfo, name: string): boolean {
  return info.fieldNodes.some((node) =>
    walk(node.selectionSet, info.fragments, (field) => field.name.value === name, 0, new Set()),
  );
}

const operationFieldNames = new WeakMap<object, Set<string>>();

/**
 * True when the operation selects a field called `name` anywhere. Upstream options that change
 * shared objects (e.g. `include_groups`) are decided per operation, so that every part of it
 * sees the same users.
 */
export function operationSelects(info: GraphQLResolveInfo, name: string): boolean {
  let names = operationFieldNames.get(info.operation);
  if (!names) {
    const collected = new Set<string>();
    walk(
      info.operation.selectionSet,
      info.fragments,
      (field) => (collected.add(field.name.value), false),
      0,
      new Set(),
    );
    names = collected;
    operationFieldNames.set(info.operation, names);
  }
  return names.has(name);
}
