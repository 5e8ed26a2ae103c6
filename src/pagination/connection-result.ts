import type { UpstreamGrant } from '../upstream/types.js';
import { encodeCursor } from './cursor.js';

/** What the connection resolver hands to the schema: Relay's shape plus the row count. */
export interface GrantConnection {
  edges: { cursor: string; node: UpstreamGrant }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  /** Rows the arguments select; undefined when it was not selected and would have cost a full scan. */
  totalCount: number | undefined;
}

/** A row of the answer: the upstream row and its absolute index in the upstream list. */
export interface IndexedRow {
  index: number;
  row: UpstreamGrant;
}

/** Assembles the Relay answer; cursors carry each row's upstream index. */
export function buildConnection(
  fingerprint: string,
  rows: readonly IndexedRow[],
  facts: { hasNextPage: boolean; hasPreviousPage: boolean; totalCount: number | undefined },
): GrantConnection {
  const edges = rows.map(({ index, row }) => ({
    cursor: encodeCursor(fingerprint, index),
    node: row,
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: facts.hasNextPage,
      hasPreviousPage: facts.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: facts.totalCount,
  };
}
