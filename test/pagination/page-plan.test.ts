import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { windowToPages } from '../../src/pagination/page-plan.js';
import { fewestPages } from '../helpers/connections.js';

describe('windowToPages', () => {
  it.each([
    // [from, to, max, pageSize, pages]
    [0, 20, 100, 20, [1]],
    [0, 100, 100, 100, [1]],
    [10, 30, 100, 30, [1]], // misaligned 20 rows: one page of 30
    [95, 115, 100, 23, [5]], // one page of 23 holds rows 92..114
    [290, 300, 100, 10, [30]],
    [150, 250, 100, 50, [4, 5]], // 100 misaligned rows cannot fit one page of ≤ 100
    [0, 100, 30, 25, [1, 2, 3, 4]], // clamped tenant: ⌈100/30⌉ pages, least rows
    [90, 210, 100, 70, [2, 3]], // longer than the maximum: a smaller size aligns better
    [5, 6, 100, 1, [6]],
  ])('rows [%i, %i) with maximum %i → size %i, pages %j', (from, to, max, pageSize, pages) => {
    expect(windowToPages(from, to, max)).toEqual({ pageSize, pages });
  });

  it('always covers the range with the fewest pages of one size ≤ the maximum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 100 }),
        (from, length, max) => {
          const to = from + length;
          const plan = windowToPages(from, to, max);
          expect(plan.pageSize).toBeGreaterThanOrEqual(1);
          expect(plan.pageSize).toBeLessThanOrEqual(max);
          plan.pages.forEach((page, i) => expect(page).toBe(plan.pages[0]! + i));
          expect((plan.pages[0]! - 1) * plan.pageSize).toBeLessThanOrEqual(from);
          expect(plan.pages.at(-1)! * plan.pageSize).toBeGreaterThanOrEqual(to);
          expect(plan.pages).toHaveLength(fewestPages(from, to, max));
        },
      ),
      { seed: 20_261_127, numRuns: 1_500 },
    );
  });

  it('uses one page whenever some page size ≤ the maximum covers the window', () => {
    for (let from = 0; from < 300; from++) {
      for (const length of [1, 7, 20, 37, 50, 99, 100]) {
        const plan = windowToPages(from, from + length, 100);
        expect(plan.pages.length === 1).toBe(fewestPages(from, from + length, 100) === 1);
        expect(plan.pages.length).toBeLessThanOrEqual(2);
      }
    }
  });
});
