/**
 * Runs `work` over `items` with at most `width` pending at once, each worker taking the next item
 * in order. One item (the usual page) is just awaited: no workers, no Promise.all.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  if (items.length === 1) return work(items[0]!);
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
