import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { getOperationAST } from 'graphql';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ObservedRequest } from './observed-request.js';
import { errorCodesOf } from '../errors.js';

const TRACER_NAME = 'authentik-graphql-gateway';

// Ends a span with the error that failed its phase (its message only: no stack, no input).
function endWithError(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
  span.end();
}

/**
 * Spans for the GraphQL phases of a request: `graphql.parse`, `graphql.validate`, and the
 * operation (`query RefreshTokens`) with `graphql.operation.type` and `graphql.operation.name`.
 * The operation's span is the active one while it executes, so the authentik calls its resolvers
 * make are its children. Variables, the document and results are never recorded; errors only by
 * their `extensions.code`.
 */
export function useGraphQLSpans(): Plugin {
  const tracer = trace.getTracer(TRACER_NAME);
  return {
    onParse() {
      const span = tracer.startSpan('graphql.parse');
      return ({ result }) => {
        if (result instanceof Error) endWithError(span, result);
        else span.end();
      };
    },
    onValidate() {
      const span = tracer.startSpan('graphql.validate');
      return ({ valid, result }) => {
        if (!valid) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: `${result.length} errors` });
        }
        span.end();
      };
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      const type = operation?.operation ?? 'query';
      const name = operation?.name?.value;
      const requestId = (args.contextValue as Partial<ObservedRequest>).requestId;
      const span = tracer.startSpan(name ? `${type} ${name}` : type, {
        attributes: {
          'graphql.operation.type': type,
          ...(name ? { 'graphql.operation.name': name } : {}),
          ...(typeof requestId === 'string' ? { 'gateway.request_id': requestId } : {}),
        },
      });
      const active = trace.setSpan(context.active(), span);
      setExecuteFn((executeArgs) => context.with(active, () => executeFn(executeArgs)));
      return {
        onExecuteDone({ result }) {
          const codes =
            Symbol.asyncIterator in result ? [] : errorCodesOf(result as ExecutionResult);
          if (codes.length > 0) {
            span.setAttribute('graphql.error.codes', codes);
            span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(', ') });
          }
          span.end();
        },
      };
    },
  };
}
