/** Shared helpers for the loader tests: checked queries, upstream call logs, REST oracles. */
import type { ServedToken } from '../../src/fake-authentik/types.js';
import { ADMIN_TOKEN, userTokenFor } from '../../src/fake-authentik/data.js';
import type { TestGateway, UpstreamCall } from '../helpers/gateway.js';
import { expectedList } from '../fake-authentik/expected.js';

/** Upstream paths (prefixes) the gateway may call. */
export const LIST_PATH = '/api/v3/oauth2/refresh_tokens/';
export const TOKEN_PATH = '/api/v3/oauth2/refresh_tokens/';
export const PROVIDER_PATH = '/api/v3/providers/oauth2/';
export const USER_PATH = '/api/v3/core/users/';

/** Bearer tokens of ordinary users in the sample data. */
export const JSMITH = userTokenFor('jsmith');
export const MGARCIA = userTokenFor('mgarcia');

/** Calls to the list endpoint (exactly `/oauth2/refresh_tokens/`). */
export function listCalls(calls: readonly UpstreamCall[]): UpstreamCall[] {
  return calls.filter((call) => call.path === LIST_PATH);
}

/** Calls whose path is `<prefix><pk>/` (one object's retrieve). */
export function retrieveCalls(calls: readonly UpstreamCall[], prefix: string): UpstreamCall[] {
  return calls.filter(
    (call) => call.path.startsWith(prefix) && /^\d+\/$/.test(call.path.slice(prefix.length)),
  );
}

/** The pks of the retrieve calls under `prefix`, in arrival order. */
export function retrievedPks(calls: readonly UpstreamCall[], prefix: string): number[] {
  return retrieveCalls(calls, prefix).map((call) => Number(call.path.slice(prefix.length, -1)));
}

/** Runs an operation that must succeed without errors and returns its data. */
export async function gqlData<T>(
  gw: TestGateway,
  query: string,
  variables?: Record<string, unknown>,
  token: string = ADMIN_TOKEN,
): Promise<T> {
  const result = await gw.gql<T>(query, variables, { token });
  if (result.errors?.length || !result.data) {
    throw new Error(`query failed: ${JSON.stringify(result.errors)}\n${query}`);
  }
  return result.data;
}

/** What authentik's REST API lists for the caller, ordered by pk (all pages). */
export function restTokens(
  gw: TestGateway,
  q: { bearer?: string; provider?: number; user?: number } = {},
): ServedToken[] {
  return expectedList(gw.fake, { bearer: ADMIN_TOKEN, ordering: 'pk', ...q });
}

/** Distinct values, in first-seen order. */
export function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** Global id of a node, as the gateway documents it: base64url of `<Type>:<pk>`. */
export function globalId(typename: string, pk: number | string): string {
  return Buffer.from(`${typename}:${pk}`).toString('base64url');
}

/** Numbers in ascending order (a copy). */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}
