import { badUserInput } from '../errors.js';
import { decodeCursor } from './cursor.js';

/** Relay's connection arguments as a client sent them. */
export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** The validated request: cursors decoded to upstream row indices, and how many rows from which end. */
export interface WindowArgs {
  /** Upstream index of the `after` row (exclusive lower bound). */
  after?: number;
  /** Upstream index of the `before` row (exclusive upper bound). */
  before?: number;
  /** Rows wanted and from which end of the bounded range. */
  take: { from: 'start' | 'end'; count: number };
}

/** Rows returned when a client gives neither `first` nor `last`. */
export const DEFAULT_PAGE_ROWS = 20;

/** Validates first/last/after/before; BAD_USER_INPUT names the argument and the allowed range. */
export function readWindowArgs(
  args: ConnectionArgs,
  maxPageSize: number,
  fingerprint: string,
): WindowArgs {
  const first = args.first ?? undefined;
  const last = args.last ?? undefined;
  if (first !== undefined && last !== undefined) {
    throw badUserInput('Pass either "first" or "last", not both', { argument: 'first' });
  }
  for (const [name, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (value !== undefined && (value < 0 || value > maxPageSize)) {
      throw badUserInput(
        `Argument "${name}" must be between 0 and ${maxPageSize} (MAX_PAGE_SIZE), got ${value}`,
        {
          argument: name,
        },
      );
    }
  }
  const window: WindowArgs = {
    take:
      last !== undefined
        ? { from: 'end', count: last }
        : { from: 'start', count: first ?? DEFAULT_PAGE_ROWS },
  };
  if (args.after != null) window.after = decodeCursor('after', args.after, fingerprint);
  if (args.before != null) window.before = decodeCursor('before', args.before, fingerprint);
  return window;
}
