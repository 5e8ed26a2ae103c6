import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { badUserInput } from '../../errors.js';
import { isUuid, positiveId } from '../../client-values.js';

/** A representation that passed its checks: the typename and the one key its type resolves by. */
type CheckedRepresentation = { __typename: string } & ({ pk: number } | { uuid: string });

/** The keys each entity type resolves by, in the order they are tried. */
const ENTITY_KEYS: Record<string, readonly ('pk' | 'uuid')[]> = {
  RefreshToken: ['pk'],
  OAuth2Provider: ['pk'],
  User: ['pk', 'uuid'],
};

// Long or binary client values are cut before they reach an error message.
const shown = (value: unknown) => (JSON.stringify(value) ?? String(value)).slice(0, 60);

/**
 * Checks one `_entities` representation (an `_Any`: no GraphQL coercion has looked at it).
 * `pk` must be a positive safe integer (a JSON number, or decimal digits as some routers send),
 * `uuid` a UUID; the first key of the type that is present decides.
 */
export function checkRepresentation(value: unknown, index: number): CheckedRepresentation {
  const at = `representations[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badUserInput(`${at} must be an object with __typename, got ${shown(value)}`, {
      argument: at,
    });
  }
  const record = value as Record<string, unknown>;
  const typename = Object.hasOwn(record, '__typename') ? record.__typename : undefined;
  const keys = typeof typename === 'string' ? ENTITY_KEYS[typename] : undefined;
  if (typeof typename !== 'string' || !keys || !Object.hasOwn(ENTITY_KEYS, typename)) {
    throw badUserInput(
      `${at}.__typename must be one of ${Object.keys(ENTITY_KEYS).join(', ')}, got ${shown(typename)}`,
      { argument: `${at}.__typename` },
    );
  }
  const key = keys.find((name) => Object.hasOwn(record, name) && record[name] != null);
  if (key === 'pk') {
    const pk = positiveId(record.pk);
    if (pk !== undefined) return { __typename: typename, pk };
    throw badUserInput(`${at}.pk must be a positive integer, got ${shown(record.pk)}`, {
      argument: `${at}.pk`,
    });
  }
  if (key === 'uuid') {
    if (isUuid(record.uuid)) return { __typename: typename, uuid: record.uuid.toLowerCase() };
    throw badUserInput(`${at}.uuid must be a UUID, got ${shown(record.uuid)}`, {
      argument: `${at}.uuid`,
    });
  }
  throw badUserInput(`${at} of a ${typename} needs its key ${keys.join(' or ')}`, {
    argument: at,
  });
}

// A rejection that is already handled: graphql-js reads it as this item's error, and should the
// operation end first, it never surfaces as an unhandled rejection.
function failedItem(error: unknown): Promise<never> {
  const item = Promise.reject(error);
  item.catch(() => {});
  return item;
}

/**
 * Puts a check in front of the subgraph's `_entities` resolver: every representation is checked
 * before any is resolved, so a bad one answers `null` with BAD_USER_INPUT at its own path and
 * starts no upstream call, while the good ones resolve as usual.
 */
export function guardEntityRepresentations(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const resolve = field?.resolve;
  if (!field || !resolve) return schema;
  const guarded: GraphQLFieldResolver<unknown, unknown> = (root, args, context, info) => {
    const given: unknown = (args as { representations?: unknown }).representations;
    const list = Array.isArray(given) ? given : [];
    const checked = list.map((value, index) => {
      try {
        return checkRepresentation(value, index);
      } catch (error) {
        return error as Error;
      }
    });
    const valid = checked.filter((entry) => !(entry instanceof Error));
    const resolved = resolve(root, { ...args, representations: valid }, context, info) as unknown[];
    let next = 0;
    return checked.map((entry) => (entry instanceof Error ? failedItem(entry) : resolved[next++]));
  };
  field.resolve = guarded;
  return schema;
}
