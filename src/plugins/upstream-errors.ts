import type { Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { GraphQLError } from 'graphql';
import { upstreamToGraphQLError } from '../errors.js';
import { UpstreamError } from '../upstream/upstream-error.js';

// Replaces a located error caused by an upstream failure with the client-facing error errors.ts
// decides, keeping its path and locations. Expected failures then never reach yoga's masking
// (which would log them as crashes).
function translate(error: GraphQLError): GraphQLError {
  if (!(error.originalError instanceof UpstreamError)) return error;
  const mapped = upstreamToGraphQLError(error.originalError);
  return new GraphQLError(mapped.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: mapped.extensions,
  });
}

/** Turns upstream failures in execution results into GraphQL errors with a stable `extensions.code`. */
export function useUpstreamErrors(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          const single = result as ExecutionResult;
          if (!single.errors?.some((error) => error.originalError instanceof UpstreamError)) return;
          setResult({ ...single, errors: single.errors.map(translate) });
        },
      };
    },
  };
}
