import type { ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { limitExceeded } from '../errors.js';

/** yoga's code for a body over `maxRequestBodySize` (by Content-Length, or while it streams in). */
const YOGA_TOO_LARGE = 'REQUEST_ENTITY_TOO_LARGE';

/**
 * yoga's own body cap (`maxRequestBodySize`) does the counting; this gives its refusal the
 * gateway's code and a message that names the limit and its value: 413 `LIMIT_EXCEEDED`,
 * `extensions.limit: "MAX_BODY_BYTES"`.
 */
export function useBodyLimitError(maxBytes: number): Plugin {
  const tooLarge = (error: GraphQLError) =>
    error.extensions?.code === YOGA_TOO_LARGE
      ? limitExceeded(
          'MAX_BODY_BYTES',
          `Request body is larger than the limit of ${maxBytes} bytes (MAX_BODY_BYTES).`,
          maxBytes,
          undefined,
          413,
        )
      : error;
  return {
    onResultProcess({ result, setResult }) {
      const single = result as ExecutionResult;
      if (!single.errors?.some((error) => error.extensions?.code === YOGA_TOO_LARGE)) return;
      setResult({ ...single, errors: single.errors.map(tooLarge) });
    },
  };
}
