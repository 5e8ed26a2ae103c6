import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DocumentNode, ExecutionResult } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import { processRegularResult } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import type { Logger } from '../logger.js';
import { scrubCredentials } from '../logger.js';
import { errorCodesOf } from '../plugins/error-codes.js';
import { operationTypeOf } from '../operation-type.js';
import type { GatewayMetrics } from '../plugins/metrics.js';
import { logRequestLine } from '../plugins/request-log.js';
import type { UpstreamStats } from '../request-context.js';

/** What the fast path needs besides the yoga instance. */
export interface FastPathDeps {
  /** The body cap (MAX_BODY_BYTES); a larger declared body goes to yoga, which refuses it. */
  maxBodyBytes: number;
  logger?: Logger;
  metrics?: GatewayMetrics;
}

type Yoga = YogaServerInstance<Record<string, unknown>, GatewayContext>;

/** Serves one node request; false when it is not for the fast path (yoga serves it then). */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

interface GraphQLParams {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
}

const PARAM_KEYS = new Set(['query', 'variables', 'operationName', 'extensions']);
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);
const REGULAR_TYPES = ['application/graphql-response+json', 'application/json'];

/**
 * The media type yoga answers a (non-streamed) result with for this Accept header, or undefined
 * when yoga would not answer with JSON. Same algorithm as yoga's result processors: media types
 * from last to first, only utf-8, and the last match wins (so the first acceptable type listed
 * decides, and `application/json` wins over `application/graphql-response+json` for wildcards).
 */
export function answerTypeFor(accept: string | undefined): string | undefined {
  const requested = (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',').reverse();
  let chosen: string | undefined;
  for (const entry of requested) {
    const [mediaType = '', ...params] = entry.split(';');
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    const [askedPre, askedSuf] = mediaType.split('/');
    for (const type of REGULAR_TYPES) {
      const [pre, suf] = type.split('/');
      if ((askedPre === '*' || askedPre === pre) && (askedSuf === '*' || askedSuf === suf)) {
        chosen = type;
      }
    }
  }
  return chosen;
}

// Clients send a handful of distinct Accept values; remembered up to a bound.
const answerTypes = new Map<string, string | undefined>();
function cachedAnswerType(accept: string | undefined): string | undefined {
  const key = accept ?? '';
  if (answerTypes.has(key)) return answerTypes.get(key);
  const type = answerTypeFor(accept);
  if (answerTypes.size < 64) answerTypes.set(key, type);
  return type;
}

// processRegularResult builds a Response with the Fetch API it is given: this one keeps the parts.
class PlainResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(
    readonly body: string,
    init: { status?: number; headers?: Record<string, string> },
  ) {
    this.status = init.status ?? 200;
    this.headers = init.headers ?? {};
  }
}
const PLAIN_FETCH_API = { Response: PlainResponse } as unknown as Parameters<
  typeof processRegularResult
>[1];

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function graphqlParams(body: unknown): GraphQLParams | undefined {
  if (!isPlainObject(body) || typeof body.query !== 'string') return undefined;
  for (const key of Object.keys(body)) if (!PARAM_KEYS.has(key)) return undefined;
  const { variables, operationName, extensions } = body;
  if (variables != null && !isPlainObject(variables)) return undefined;
  if (operationName != null && typeof operationName !== 'string') return undefined;
  if (extensions != null && !isPlainObject(extensions)) return undefined;
  return body as unknown as GraphQLParams;
}

/**
 * The hot path for the requests almost every client sends: a JSON POST of a query to /graphql,
 * same origin (no CORS), with a declared body size. It runs the same envelop pipeline as yoga
 * (parse and validation caches, limits, graphql-jit, error translation and masking, the same
 * context) and builds the answer with yoga's own result processor, but skips yoga's Fetch-API
 * request handling: Request/Headers/Response objects and promise chains that cost ~0.1 ms per
 * request (see the README's Performance section).
 *
 * Everything else goes to yoga untouched: other methods, content types and Accept values,
 * chunked or oversized bodies, batches, unusual parameters, documents that do not parse or
 * validate, mutations, and several operations without an operationName. A body already read is
 * handed to yoga as it was sent.
 */
export function createFastPath(yoga: Yoga, deps: FastPathDeps): FastPath {
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== yoga.graphqlEndpoint) return false;
    const { headers } = req;
    if (headers.origin !== undefined || headers['transfer-encoding'] !== undefined) return false;
    if (!JSON_TYPES.has(headers['content-type'] ?? '')) return false;
    const answerType = cachedAnswerType(headers.accept);
    const declared = Number(headers['content-length']);
    if (!answerType || !Number.isInteger(declared) || declared > deps.maxBodyBytes) return false;

    const chunks: Buffer[] = [];
    // A client that leaves while sending its body: nothing to answer, nothing to crash on.
    req.on('error', () => {});
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      serve(yoga, deps, req, res, body, answerType).catch((error: unknown) => {
        // Not expected (execution errors are results): logged, and masked as yoga masks them.
        deps.logger?.error(
          { err: { message: scrubCredentials(String(error)) } },
          'fast path failed',
        );
        if (res.headersSent) return;
        const text = '{"errors":[{"message":"Unexpected error."}]}';
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end(text);
      });
    });
    return true;
  };
}

async function serve(
  yoga: Yoga,
  deps: FastPathDeps,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  answerType: string,
): Promise<void> {
  const started = performance.now();
  let params: GraphQLParams | undefined;
  try {
    params = graphqlParams(JSON.parse(body.toString('utf8')));
  } catch {
    params = undefined;
  }
  if (!params) return handOver(yoga, req, res, body);

  // The caller going away cancels the upstream calls, as with yoga's request signal.
  const left = new CallerSignal();
  const stopWatching = whenClientLeaves(res, (reason) => left.abort(reason));
  const request = {
    method: 'POST',
    url: `http://${req.headers.host ?? 'localhost'}${yoga.graphqlEndpoint}`,
    headers: { get: (name: string) => headerOf(req, name) },
    signal: left,
  } as unknown as Request;
  const enveloped = yoga.getEnveloped({ request, params, req, res });

  let document: DocumentNode;
  try {
    document = enveloped.parse(params.query);
  } catch {
    return handOver(yoga, req, res, body);
  }
  const operationType = operationTypeOf(document, params.operationName);
  if (operationType !== 'query' || enveloped.validate(enveloped.schema, document).length) {
    return handOver(yoga, req, res, body);
  }

  const contextValue = (await enveloped.contextFactory()) as unknown as GatewayContext & {
    upstreamStats?: UpstreamStats;
  };
  const result = (await enveloped.execute({
    schema: enveloped.schema,
    document,
    contextValue,
    variableValues: params.variables,
    operationName: params.operationName,
  })) as ExecutionResult;

  const errorCodes = errorCodesOf(result);
  deps.metrics?.countErrors(errorCodes);
  const answer = processRegularResult(
    result,
    PLAIN_FETCH_API,
    answerType,
  ) as unknown as PlainResponse;
  // Encoded once here (node would encode the string on write, and measure it before).
  const bytes = Buffer.from(answer.body);
  const responseHeaders: Record<string, string | number> = {
    ...answer.headers,
    'content-length': bytes.length,
  };
  if (deps.logger) responseHeaders['x-request-id'] = contextValue.requestId;
  res.writeHead(answer.status, responseHeaders);
  res.end(bytes);
  stopWatching();

  if (deps.logger) {
    logRequestLine(deps.logger, {
      id: contextValue.requestId,
      started,
      method: 'POST',
      path: yoga.graphqlEndpoint,
      operationName: params.operationName ?? undefined,
      operationType,
      stats: contextValue.upstreamStats,
      errorCodes,
      status: answer.status,
    });
  }
}

/**
 * What the request context uses of the request's AbortSignal (`aborted`, `reason`, 'abort'
 * listeners), without an AbortController and an EventTarget per request: the context turns it
 * into the real signal its upstream calls carry.
 */
class CallerSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] = [];

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.listeners = this.listeners.filter((one) => one !== listener);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    for (const listener of this.listeners.splice(0)) listener();
  }
}

// Calls `abort` if the response closes before it was sent in full (the client went away);
// returns the function that stops watching.
function whenClientLeaves(res: ServerResponse, abort: (reason: Error) => void): () => void {
  const onClose = () => {
    if (!res.writableFinished) abort(new Error('the client went away'));
  };
  res.once('close', onClose);
  return () => res.off('close', onClose);
}

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

// Yoga serves what the fast path does not take, from the body already read.
async function handOver(
  yoga: Yoga,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const left = new AbortController();
  const stopWatching = whenClientLeaves(res, (reason) => left.abort(reason));
  const { Headers, Request } = yoga.fetchAPI;
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const response = await yoga.fetch(
    new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? yoga.graphqlEndpoint}`, {
      method: req.method,
      headers,
      body: body.toString('utf8'),
      signal: left.signal,
    }),
  );
  const text = Buffer.from(await response.arrayBuffer());
  const outgoing: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    outgoing[name] = value;
  });
  outgoing['content-length'] = String(text.length);
  res.writeHead(response.status, response.statusText, outgoing);
  res.end(text);
  stopWatching();
}
