import { badUserInput } from './errors.js';

/**
 * The checks every id a client sends must pass before it is used: the one place that says what a
 * valid pk or UUID is, so that entity representations, Relay ids and arguments agree.
 */

const DECIMAL_ID = /^[1-9][0-9]{0,9}$/;
/** The largest pk: the schema exposes pks as GraphQL `Int` (32-bit), as authentik's are. */
const MAX_PK = 2 ** 31 - 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The value as a pk: an integer from 1 to 2^31-1, given as a JSON number or a string of decimal
 * digits (as some federation routers send keys, and as global ids carry them); undefined for
 * anything else. The one definition of a valid pk.
 */
export function positiveId(value: unknown): number | undefined {
  const id = typeof value === 'string' && DECIMAL_ID.test(value) ? Number(value) : value;
  return typeof id === 'number' && Number.isInteger(id) && id > 0 && id <= MAX_PK ? id : undefined;
}

/** True for a UUID in its usual 8-4-4-4-12 hexadecimal form. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** A client-given integer id as a pk (see positiveId), else BAD_USER_INPUT (no call). */
export function requirePositiveId(value: number, argument: string): number {
  if (positiveId(value) === undefined) {
    throw badUserInput(`Argument "${argument}" must be a positive integer, got ${value}`, {
      argument,
    });
  }
  return value;
}
