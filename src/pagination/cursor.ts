import { badUserInput } from '../errors.js';

/**
 * Cursors are opaque to clients: base64url of `rt1:<query fingerprint>:<upstream row index>`.
 * The fingerprint ties a cursor to the ordering, filters and search it was issued for, so a
 * cursor from another query is refused instead of silently pointing at the wrong row.
 */
const PREFIX = 'rt1';

// Recently issued cursors, by fingerprint and index: a page of 20 edges would otherwise encode 20
// strings through a Buffer on every request. Bounded: few fingerprints, the first rows of each.
const CACHED_FINGERPRINTS = 64;
const CACHED_ROWS = 512;
const issued = new Map<string, string[]>();

/** Encodes the position of one row of the upstream list (0-based). */
export function encodeCursor(fingerprint: string, upstreamIndex: number): string {
  let rows = issued.get(fingerprint);
  const cached = rows?.[upstreamIndex];
  if (cached !== undefined) return cached;
  const cursor = Buffer.from(`${PREFIX}:${fingerprint}:${upstreamIndex}`).toString('base64url');
  if (upstreamIndex < CACHED_ROWS) {
    if (!rows) {
      if (issued.size >= CACHED_FINGERPRINTS) issued.clear();
      issued.set(fingerprint, (rows = []));
    }
    rows[upstreamIndex] = cursor;
  }
  return cursor;
}

/** Decodes a cursor argument; BAD_USER_INPUT naming the argument when the gateway did not issue it. */
export function decodeCursor(
  argument: 'after' | 'before',
  value: string,
  fingerprint: string,
): number {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(value)
    ? Buffer.from(value, 'base64url').toString('utf8')
    : '';
  const match = /^rt1:([0-9a-z]+):(0|[1-9]\d{0,8})$/.exec(text);
  if (!match) {
    throw badUserInput(
      `Argument "${argument}" is not a cursor issued by this gateway: "${truncate(value)}"`,
      {
        argument,
      },
    );
  }
  if (match[1] !== fingerprint) {
    throw badUserInput(
      `Argument "${argument}" is a cursor from a query with other orderBy, filter or search arguments; ` +
        'cursors only page the query that issued them',
      { argument },
    );
  }
  return Number(match[2]);
}

function truncate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

/** A short, stable hash (FNV-1a, 32 bit) of the query a cursor belongs to. */
export function queryFingerprint(parts: readonly unknown[]): string {
  const text = JSON.stringify(parts);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}
