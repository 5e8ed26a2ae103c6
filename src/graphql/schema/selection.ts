import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLResolveInfo,
  SelectionSetNode,
} from 'graphql';
import { Kind } from 'graphql';

/** The operation's fragments by name (`info.fragments`). */
export type FragmentsByName = Readonly<Record<string, FragmentDefinitionNode>>;

/**
 * The one walker of selection sets: true as soon as `visit` is true for a field of `set` at this
 * level, looking through inline fragments and fragment spreads (not into the fields' own
 * selections; `visit` recurses when it wants depth). Each named fragment is entered once per
 * `visited` (share one set across a whole walk). A fragment whose type condition `applies`
 * rejects is left out; by default every one applies.
 */
export function someField(
  set: SelectionSetNode | undefined,
  fragments: FragmentsByName,
  visit: (field: FieldNode) => boolean,
  applies: (typeCondition: string) => boolean = () => true,
  visited: Set<string> = new Set(),
): boolean {
  if (!set) return false;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (visit(selection)) return true;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition?.name.value;
      if (
        (condition === undefined || applies(condition)) &&
        someField(selection.selectionSet, fragments, visit, applies, visited)
      )
        return true;
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      if (!fragment || visited.has(name)) continue;
      visited.add(name);
      if (
        applies(fragment.typeCondition.name.value) &&
        someField(fragment.selectionSet, fragments, visit, applies, visited)
      )
        return true;
    }
  }
  return false;
}

// Every field at any depth below `set`; one visited set, so each fragment is walked once.
function someFieldBelow(
  set: SelectionSetNode | undefined,
  fragments: FragmentsByName,
  visit: (field: FieldNode) => boolean,
  visited: Set<string> = new Set(),
): boolean {
  return someField(
    set,
    fragments,
    (field) => visit(field) || someFieldBelow(field.selectionSet, fragments, visit, visited),
    undefined,
    visited,
  );
}

/** True when the current field's selection includes `name` directly (through fragments too). */
export function selectsChild(info: GraphQLResolveInfo, name: string): boolean {
  return info.fieldNodes.some((node) =>
    someField(node.selectionSet, info.fragments, (field) => field.name.value === name),
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
    someFieldBelow(
      info.operation.selectionSet,
      info.fragments,
      (field) => (collected.add(field.name.value), false),
    );
    names = collected;
    operationFieldNames.set(info.operation, names);
  }
  return names.has(name);
}
