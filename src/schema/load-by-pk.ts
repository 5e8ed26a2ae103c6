import type { GatewayContext } from '../context.js';

/**
 * The batch function behind every per-request loader: answers from what the request has already
 * seen (after letting in-flight list calls land), and fetches the rest in parallel, one
 * `GET /{pk}/` each (authentik has no bulk lookup). A failure or a 404 stays with its own key.
 */
export async function loadByPk<T>(
  pks: readonly number[],
  context: GatewayContext,
  /** What the request has seen, read once its list calls have landed. */
  seen: () => ReadonlyMap<number, T>,
  fetchOne: (pk: number) => Promise<T | null>,
  isComplete: (known: T) => boolean = () => true,
): Promise<(T | Error | null)[]> {
  await context.authentik.listsSettled();
  const known = seen();
  return Promise.all(
    pks.map(async (pk) => {
      const seenObject = known.get(pk);
      if (seenObject !== undefined && isComplete(seenObject)) return seenObject;
      try {
        return await fetchOne(pk);
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    }),
  );
}
