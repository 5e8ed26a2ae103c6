import type { ExecutionResult, GraphQLError } from 'graphql';

const PLAIN_CODE = /^[A-Z][A-Z0-9_]{0,49}$/;

/**
 * The `extensions.code` of every error in a result (batched results included). graphql-js's own
 * request errors (syntax, validation, variable coercion) have none and count as `BAD_REQUEST`;
 * yoga masks internal errors as `INTERNAL_SERVER_ERROR`. Only plain upper-case codes are kept,
 * so they are safe as metric labels.
 */
export function errorCodesOf(result: unknown): string[] {
  const results = (Array.isArray(result) ? result : [result]) as (ExecutionResult | undefined)[];
  const codes: string[] = [];
  for (const single of results) {
    for (const error of single?.errors ?? []) {
      const code = error.extensions?.code;
      codes.push(typeof code === 'string' && PLAIN_CODE.test(code) ? code : 'BAD_REQUEST');
    }
  }
  return codes;
}

/**
 * True for an error a resolver did not mean to raise (a bug): no code, and at the end of its
 * `originalError` chain something that is not a GraphQLError. These get masked for the client.
 */
export function isUnexpected(error: GraphQLError): boolean {
  if (error.extensions?.code !== undefined) return false;
  let cause: Error | undefined = error.originalError;
  while (cause && cause.name === 'GraphQLError') {
    const next = (cause as GraphQLError).originalError;
    if (!next) return false;
    cause = next;
  }
  return cause !== undefined;
}
