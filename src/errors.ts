import type { ASTNode, ExecutionResult } from 'graphql';
import { GraphQLError } from 'graphql';
import { UpstreamError } from './upstream/upstream-error.js';

/**
 * Every expected failure becomes a GraphQLError with one of these codes; anything else is an
 * internal error and is masked by yoga. This file is the only place that decides which.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  SEARCH_TOO_BROAD: 'SEARCH_TOO_BROAD',
  UPSTREAM_ERROR: 'UPSTREAM_ERROR',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  CSRF_HEADER_REQUIRED: 'CSRF_HEADER_REQUIRED',
  /** A malformed request (yoga's own code for these): e.g. a documentId that is not a string. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** Free-form document text that TRUSTED_DOCUMENTS does not list, refused before it is parsed. */
  PERSISTED_QUERY_NOT_IN_LIST: 'PERSISTED_QUERY_NOT_IN_LIST',
  /** A document id that TRUSTED_DOCUMENTS does not list. */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** The caller closed the request before its answer: nobody reads it, it is logged and counted. */
  CLIENT_CLOSED_REQUEST: 'CLIENT_CLOSED_REQUEST',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A client-caused error: names the argument and what was wrong with it. */
export function badUserInput(
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, ...extensions },
  });
}

/**
 * A client's JSON value (a variable, the request's extensions, a literal in the document) nested
 * deeper than MAX_JSON_DEPTH: refused before anything walks it (a 400).
 */
export function jsonTooDeep(what: string, max: number, nodes?: readonly ASTNode[]): GraphQLError {
  return new GraphQLError(`${what} is nested deeper than ${max} levels (MAX_JSON_DEPTH)`, {
    nodes,
    extensions: {
      code: ErrorCode.BAD_USER_INPUT,
      limit: 'MAX_JSON_DEPTH',
      max,
      http: { status: 400 },
    },
  });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.NOT_FOUND } });
}

/**
 * The error for a request over one of the configured limits: the message says which limit and
 * its value; `extensions.limit` names the environment variable that sets it.
 */
export function limitExceeded(
  limit: string,
  message: string,
  max: number,
  found?: number,
  httpStatus?: number,
): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: ErrorCode.LIMIT_EXCEEDED,
      limit,
      max,
      ...(found === undefined ? {} : { found }),
      ...(httpStatus === undefined ? {} : { http: { status: httpStatus } }),
    },
  });
}

/** A request a browser could have sent cross-site, without the header that proves otherwise. */
export function csrfHeaderRequired(header: string): GraphQLError {
  return new GraphQLError(
    'Refused as a possible cross-site request: send Content-Type: application/json, or the ' +
      `header ${header} with GET and form requests.`,
    { extensions: { code: ErrorCode.CSRF_HEADER_REQUIRED, http: { status: 403 } } },
  );
}

// A client-chosen id in a message: short, quoted, one line.
function quotedId(id: string): string {
  return JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}...` : id);
}

/**
 * Document text sent where only trusted documents run (TRUSTED_DOCUMENTS without
 * ALLOW_ARBITRARY_DOCUMENTS): 400, refused before the text is parsed.
 */
export function persistedQueryNotInList(): GraphQLError {
  return new GraphQLError(
    'This gateway runs only the documents its clients were built with (TRUSTED_DOCUMENTS): this ' +
      "query text is not one of them. Send the document's id as documentId (or " +
      'extensions.persistedQuery.sha256Hash).',
    { extensions: { code: ErrorCode.PERSISTED_QUERY_NOT_IN_LIST, http: { status: 400 } } },
  );
}

/** A document id that TRUSTED_DOCUMENTS does not list: 404 (Apollo's persisted-queries link then retries with the text). */
export function persistedQueryNotFound(id: string): GraphQLError {
  return new GraphQLError(`No trusted document has the id ${quotedId(id)} (TRUSTED_DOCUMENTS).`, {
    extensions: { code: ErrorCode.PERSISTED_QUERY_NOT_FOUND, http: { status: 404 } },
  });
}

/** A request that names no document, or names it with something other than a string: 400. */
export function badDocumentRequest(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_REQUEST, http: { status: 400 } },
  });
}

/** The search/filter would read more upstream rows than SEARCH_SCAN_LIMIT allows. */
export function searchTooBroad(rowsToRead: number, limit: number): GraphQLError {
  return new GraphQLError(
    `This search or filter would read ${rowsToRead} grants from authentik, more than the ` +
      `scan limit of ${limit} rows (SEARCH_SCAN_LIMIT). Narrow it with filter.providerPk or filter.userPk.`,
    { extensions: { code: ErrorCode.SEARCH_TOO_BROAD, rowsToRead, scanLimit: limit } },
  );
}

/**
 * MAX_COST, the budget of calls to authentik per operation, refused at one of three moments:
 * `before-any-call` (the operation certainly needs more, counted from the document),
 * `when-known` (authentik's first answers showed the need; the fields that needed it fail) or
 * `used-up` (the budget ran out while the operation ran). `found`: the calls it needs, at least.
 */
export function costExceeded(
  max: number,
  found: number | undefined,
  moment: 'before-any-call' | 'when-known' | 'used-up',
): GraphQLError {
  const needs = `needs at least ${found} calls to authentik, more than its budget of ${max} (MAX_COST)`;
  const what = {
    'before-any-call': `This operation ${needs}: refused before any call.`,
    'when-known': `This operation ${needs}: the fields that needed them were refused before reading on.`,
    'used-up': `This operation has used its budget of ${max} calls to authentik (MAX_COST); the fields that needed more were not resolved.`,
  }[moment];
  return limitExceeded(
    'MAX_COST',
    `${what} Narrow lists with filter.userPk or filter.providerPk, leave out totalCount where a ` +
      'page is enough (a filtered count reads every page), look up fewer ids, or split the operation.',
    max,
    found,
  );
}

const UNAUTHENTICATED_DETAILS = new Set([
  'Authentication credentials were not provided.',
  'Token invalid/expired',
]);

/**
 * Maps an upstream failure to the GraphQL error a client sees. Only authentik's validation
 * messages are passed on; never a body, URL, header or stack.
 */
export function upstreamToGraphQLError(error: UpstreamError): GraphQLError {
  const make = (code: ErrorCode, message: string, extra: Record<string, unknown> = {}) =>
    new GraphQLError(message, { extensions: { code, ...extra } });
  switch (error.kind) {
    case 'status': {
      const { status, detail, fields } = error.details;
      if (status === 403 && detail !== undefined && UNAUTHENTICATED_DETAILS.has(detail)) {
        return make(ErrorCode.UNAUTHENTICATED, `authentik rejected the credentials: ${detail}`);
      }
      if (status === 401)
        return make(ErrorCode.UNAUTHENTICATED, 'authentik rejected the credentials');
      if (status === 403) {
        return make(
          ErrorCode.FORBIDDEN,
          'authentik denied access: you do not have permission to perform this action',
        );
      }
      if (status === 400) {
        return make(
          ErrorCode.BAD_USER_INPUT,
          `authentik rejected the arguments: ${describeFields(fields)}`,
          {
            upstreamErrors: fields ?? {},
          },
        );
      }
      if (status === 404) return make(ErrorCode.NOT_FOUND, 'authentik has no such object');
      return make(
        ErrorCode.UPSTREAM_ERROR,
        `authentik answered with an unexpected status ${status}`,
        {
          upstreamStatus: status,
        },
      );
    }
    case 'no-credentials':
      return make(
        ErrorCode.UNAUTHENTICATED,
        'This field needs authentik: send your authentik API token in the Authorization header',
      );
    case 'over-budget': {
      const { maxCalls = 0, found, refusedEarly } = error.details;
      return costExceeded(maxCalls, found, refusedEarly ? 'when-known' : 'used-up');
    }
    case 'timeout':
      return make(ErrorCode.UPSTREAM_TIMEOUT, error.message);
    case 'unavailable':
      return make(ErrorCode.UPSTREAM_UNAVAILABLE, error.message);
    case 'server':
      return make(ErrorCode.UPSTREAM_ERROR, error.message, { upstreamStatus: error.status });
    case 'aborted':
      return make(ErrorCode.CLIENT_CLOSED_REQUEST, error.message);
    default:
      return make(ErrorCode.UPSTREAM_ERROR, error.message);
  }
}

// authentik's query parameters, as the GraphQL argument a client wrote.
const ARGUMENT_OF_PARAMETER: Record<string, string> = {
  user: 'filter.userPk',
  provider: 'filter.providerPk',
};

function describeFields(fields: Record<string, string[]> | undefined): string {
  if (!fields) return 'no details';
  return Object.entries(fields)
    .map(([field, messages]) => `${ARGUMENT_OF_PARAMETER[field] ?? field}: ${messages.join(' ')}`)
    .join('; ');
}

/**
 * The client-facing error for a failure caused by authentik (thrown directly or wrapped in a
 * located GraphQLError, whose path and locations are kept); undefined for any other error.
 */
export function clientErrorForUpstream(error: unknown): GraphQLError | undefined {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (!(original instanceof UpstreamError)) return undefined;
  const mapped = upstreamToGraphQLError(original);
  if (!(error instanceof GraphQLError)) return mapped;
  return new GraphQLError(mapped.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: mapped.extensions,
  });
}

/** True when authentik refused the caller this object (403): they may not look it up. */
export function isPermissionDenied(error: unknown): boolean {
  return error instanceof UpstreamError && error.kind === 'status' && error.status === 403;
}

const PLAIN_CODE = /^[A-Z][A-Z0-9_]{0,49}$/;

/**
 * The `extensions.code` a client gets for a thrown error (authentik's failures translated), or
 * `INTERNAL_SERVER_ERROR` for one that yoga masks.
 */
export function errorCodeOf(error: unknown): string {
  const client =
    clientErrorForUpstream(error) ?? (error instanceof GraphQLError ? error : undefined);
  const code = client?.extensions?.code;
  return typeof code === 'string' && PLAIN_CODE.test(code) ? code : 'INTERNAL_SERVER_ERROR';
}

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

/** How one failed DELETE of a revoke is reported in its payload (it never fails the revoke). */
export type RevokeFailureCode = typeof ErrorCode.FORBIDDEN | typeof ErrorCode.UPSTREAM_ERROR;

/**
 * A revoke's failed DELETE as its payload reports it: a 403 is FORBIDDEN, anything else from
 * authentik (5xx, reset, timeout, open breaker, another status) UPSTREAM_ERROR, with the message
 * a client would get for it. Undefined for an error that is not authentik's (it fails the revoke).
 */
export function revokeFailureOf(
  error: unknown,
): { code: RevokeFailureCode; message: string } | undefined {
  if (!(error instanceof UpstreamError)) return undefined;
  const { message } = upstreamToGraphQLError(error);
  const code = isPermissionDenied(error) ? ErrorCode.FORBIDDEN : ErrorCode.UPSTREAM_ERROR;
  return { code, message };
}
