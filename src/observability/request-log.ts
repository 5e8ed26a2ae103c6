import type { ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { IncomingMessage } from 'node:http';
import type { Logger } from './logger.js';
import { scrubCredentials } from './logger.js';
import { operationTypeOf } from './operation-type.js';
import { requestIdOf } from './request-id.js';
import { OPERATIONAL_PATHS } from '../paths.js';
import type { ObservedRequest, UpstreamStats } from './observed-request.js';
import { errorCodesOf, isUnexpected } from '../errors.js';

/** What one request's log line says. */
export interface RequestEntry {
  id: string;
  started: number;
  method: string;
  path: string;
  operationName?: string;
  operationType?: string;
  stats?: UpstreamStats;
  errorCodes?: string[];
}

// Client-chosen text that ends up in a log line: short, single-line, credential-free.
function clientText(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return scrubCredentials(value.slice(0, 100).replace(/\p{Cc}/gu, '?'));
}

function describe(error: GraphQLError) {
  const original = error.originalError ?? error;
  return {
    type: original.name,
    message: scrubCredentials(original.message),
    stack: original.stack && scrubCredentials(original.stack),
    path: error.path?.join('.'),
  };
}

/**
 * The path of the request line (what the client asked for, before the query string), short and
 * printable.
 */
export function requestLinePath(req: IncomingMessage): string {
  const path = (req.url ?? '/').split('?', 1)[0]!;
  return path.slice(0, 200).replace(/\p{Cc}/gu, '?');
}

/**
 * One JSON log line per HTTP request: request id (the caller's X-Request-Id when plain, else a
 * new one, also forwarded to authentik and echoed in the response), status, duration, operation,
 * upstream calls and their time, error codes. Internal errors are logged with their stack before
 * yoga masks them. Headers, queries and variables are never logged.
 */
export function useRequestLog(logger: Logger): Plugin<ObservedRequest & { request?: Request }> {
  const entries = new WeakMap<Request, RequestEntry>();
  return {
    onRequest({ request, url, serverContext }) {
      // The request line's path (the server wrapper refuses a Host that would change it); the
      // URL's in-process (`yoga.fetch`).
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      entries.set(request, {
        id: requestIdOf(request),
        started: performance.now(),
        method: request.method,
        path: req ? requestLinePath(req) : url.pathname,
      });
    },
    onParams({ request, params }) {
      const entry = entries.get(request);
      if (entry && typeof params.operationName === 'string')
        entry.operationName = params.operationName;
    },
    onExecute({ args }) {
      const context = args.contextValue;
      const entry = context.request && entries.get(context.request);
      const { requestId } = context;
      if (entry) {
        entry.stats = context.upstreamStats;
        entry.operationType = operationTypeOf(args.document, args.operationName);
      }
      return {
        onExecuteDone({ result }) {
          for (const error of (result as ExecutionResult).errors ?? []) {
            if (!isUnexpected(error)) continue;
            logger.error({ requestId, err: describe(error) }, 'unexpected error while resolving');
          }
        },
      };
    },
    onResultProcess({ request, result }) {
      const entry = entries.get(request);
      if (entry) entry.errorCodes = errorCodesOf(result);
    },
    onResponse({ request, response }) {
      const entry = entries.get(request);
      if (!entry) return;
      entries.delete(request);
      try {
        response.headers.set('x-request-id', entry.id);
      } catch {
        // A response with immutable headers (none of ours) just goes without the echo.
      }
      logRequestLine(logger, { ...entry, status: response.status });
    },
  };
}

/**
 * Writes the one log line of a finished request: info, or error for a 5xx or a masked internal
 * error; debug for /metrics and /health when no GraphQL operation ran.
 */
export function logRequestLine(logger: Logger, entry: RequestEntry & { status: number }): void {
  const line = {
    requestId: entry.id,
    method: entry.method,
    path: entry.path,
    status: entry.status,
    durationMs: Math.round((performance.now() - entry.started) * 10) / 10,
    operationName: clientText(entry.operationName),
    operationType: entry.operationType,
    upstreamCalls: entry.stats?.calls ?? 0,
    upstreamMs: Math.round((entry.stats?.totalMs ?? 0) * 10) / 10,
    errorCodes: entry.errorCodes?.length ? entry.errorCodes : undefined,
  };
  if (
    OPERATIONAL_PATHS.has(entry.path) &&
    entry.operationType === undefined &&
    !entry.operationName
  )
    logger.debug(line, 'request');
  else if (entry.status >= 500 || entry.errorCodes?.includes('INTERNAL_SERVER_ERROR'))
    logger.error(line, 'request');
  else logger.info(line, 'request');
}

/** graphql-yoga's own messages, through the same JSON logger (credentials scrubbed). */
export function yogaLogger(
  logger: Logger,
): Record<'debug' | 'info' | 'warn' | 'error', (...args: unknown[]) => void> {
  const child = logger.child({ component: 'graphql-yoga' });
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      if (!child.isLevelEnabled(level)) return;
      const text = args
        .map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg)))
        .join(' ');
      child[level](scrubCredentials(text));
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
