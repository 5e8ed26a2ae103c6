import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, queryFingerprint } from '../../src/pagination/cursor.js';

describe('cursors', () => {
  it('decode to the row they were issued for, across many queries and far rows (cache bounds)', () => {
    const fingerprints = Array.from({ length: 70 }, (_, i) => queryFingerprint(['pk', i]));
    for (const index of [0, 1, 19, 511, 512, 9_999]) {
      for (const fingerprint of fingerprints) {
        const first = encodeCursor(fingerprint, index);
        expect(encodeCursor(fingerprint, index)).toBe(first);
        expect(decodeCursor('after', first, fingerprint)).toBe(index);
      }
    }
  });

  it('of one query are refused by another', () => {
    const cursor = encodeCursor(queryFingerprint(['pk']), 3);
    expect(() => decodeCursor('after', cursor, queryFingerprint(['-pk']))).toThrow(
      /cursor from a query with other orderBy/,
    );
  });
});
