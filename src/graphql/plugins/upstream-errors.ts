import type { Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { clientErrorForUpstream } from '../../errors.js';
import { UpstreamError } from '../../upstream/upstream-error.js';

/**
 * Turns upstream failures in execution results into GraphQL errors with a stable
 * `extensions.code`, keeping path and locations. Expected failures then never reach yoga's
 * masking (which would log them as crashes).
 */
export function useUpstreamErrors(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          const single = result as ExecutionResult;
          if (!single.errors?.some((error) => error.originalError instanceof UpstreamError)) return;
          setResult({
            ...single,
            errors: single.errors.map((error) => clientErrorForUpstream(error) ?? error),
          });
        },
      };
    },
  };
}
