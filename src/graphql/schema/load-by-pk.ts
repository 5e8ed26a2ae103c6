import { UpstreamError } from '../../upstream/upstream-error.js';

/**
 * The batch function behind every per-request loader: one `GET /{pk}/` per key, in parallel
 * (authentik has no bulk lookup). Keys a list answer delivered never get here: the list primed
 * them into the loader (see grant-connection.ts). A failure or a 404 stays with its own key.
 */
export function loadByPk<T>(
  pks: readonly number[],
  fetchOne: (pk: number) => Promise<T | null>,
): Promise<(T | Error | null)[]> {
  return Promise.all(
    pks.map(async (pk) => {
      try {
        return await fetchOne(pk);
      } catch (error) {
        // Its own object per key: one failure (an abort, a shared call) reaches many keys.
        if (error instanceof UpstreamError) return error.copy();
        return error instanceof Error ? error : new Error(String(error));
      }
    }),
  );
}
