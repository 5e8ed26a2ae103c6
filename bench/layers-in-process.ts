/**
 * The in-process half of `npm run bench:layers`: layers.ts starts this file as its own node
 * process (pinned to the gateway's core, with the node flags of `npm start`), and here the
 * gateway's layers run bottom up inside one process, with no HTTP server and no load generator
 * beside them, so that this process's CPU time is the layer's own. Each layer: 50 (`connections`)
 * concurrent loops, every operation with the next of the caller tokens, against the fake
 * authentik in the parent; warmed up, then measured in rounds (CPU from `process.cpuUsage()`,
 * garbage collection from `PerformanceObserver` 'gc' entries). The layers are listed in layers.ts.
 *
 * The parent writes the settings as one JSON line on stdin and keeps stdin open; this process
 * answers with its results as one JSON line on stdout (progress and logs go to stderr), and exits
 * when stdin closes before it is done (the parent went away).
 */
import { randomUUID } from 'node:crypto';
import { PerformanceObserver } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { createApp } from '../src/app.js';
import type { App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { grantKindOf } from '../src/upstream/grant-kinds.js';
import type { UpstreamCall } from '../src/upstream/http.js';
import { RequestBudget } from '../src/upstream/request-budget.js';
import { graphqlRequest } from './probe.js';
import { OPERATIONS } from './scenarios.js';

/** What layers.ts sends, as one JSON line on stdin. */
export interface InProcessSettings {
  /** The fake authentik's origin. */
  upstreamUrl: string;
  /** Caller tokens, one per operation in turn. */
  tokens: string[];
  /** The gateway's upstream call for page20 (path and query), for the upstream layers. */
  upstreamPath: string;
  /** Operations in flight at once. */
  connections: number;
  warmupS: number;
  /** One measured round. */
  durationS: number;
  rounds: number;
}

/** The layers measured here, bottom up. */
export type InProcessLayerId =
  'undici' | 'upstream-http' | 'list-grants' | 'yoga-typename' | 'yoga-pk-page' | 'yoga-page20';

/** One measured round of one layer (the HTTP layers in layers.ts have the same shape). */
export interface LayerRound {
  ops: number;
  /** Failed operations (in-process, the first failure stops the run instead). */
  failures: number;
  durationS: number;
  /** CPU time of the measuring process (in-process) or of the loaded server, in ms. */
  cpuMs: number;
  /** In-process layers: time in garbage-collection pauses, in ms. */
  gcMs?: number;
}

/** What this process answers: each layer's rounds, in the order they ran. */
export type InProcessResults = { id: InProcessLayerId; rounds: LayerRound[] }[];

/** One operation of a layer, sent with the caller's `Authorization` header; throws on failure. */
type Operation = (authorization: string) => Promise<void>;

const TYPENAME_QUERY = '{ __typename }';
const PK_PAGE_QUERY = '{ refreshTokens(first: 20) { edges { node { pk } } } }';
const PAGE20_QUERY = OPERATIONS.find((operation) => operation.id === 'page20')!.query;

const log = (message: string) => process.stderr.write(`[layers] ${message}\n`);

// What the gateway passes with each upstream call: the request's own abort signal and id.
function upstreamCall(authorization: string): UpstreamCall {
  return { authorization, signal: new AbortController().signal, requestId: randomUUID() };
}

function layers(app: App, settings: InProcessSettings): [InProcessLayerId, Operation][] {
  const { upstreamPath } = settings;
  // The floor's pool (floor-proxy.ts), which has the gateway's settings.
  const pool = new Pool(new URL(settings.upstreamUrl).origin, {
    connections: 64,
    keepAliveTimeout: 30_000,
    connectTimeout: 10_000,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const target = { path: upstreamPath, route: '/api/v3/oauth2/refresh_tokens/' };
  return [
    [
      'undici',
      async (authorization) => {
        const headers = { accept: 'application/json', authorization };
        const response = await pool.request({ method: 'GET', path: upstreamPath, headers });
        const page = JSON.parse(await response.body.text()) as { results?: unknown[] };
        if (response.statusCode !== 200) fail('undici', response.statusCode, page);
      },
    ],
    [
      'upstream-http',
      async (authorization) => {
        const response = await app.http.request('GET', target, upstreamCall(authorization));
        if (response.status !== 200) fail('UpstreamHttp', response.status, response.json);
      },
    ],
    [
      'list-grants',
      async (authorization) => {
        const api = app.authentik.forRequest(upstreamCall(authorization), new RequestBudget(50));
        const page = await api.listGrants(grantKindOf('refresh_tokens'), {
          ordering: 'provider,expires,pk',
          includeGroups: false,
          includeRoles: false,
          page: 1,
          pageSize: 20,
        });
        if (page.kind !== 'page' || page.rows.length !== 20) fail('listGrants', 200, page);
      },
    ],
    ['yoga-typename', yogaOperation(app, TYPENAME_QUERY)],
    ['yoga-pk-page', yogaOperation(app, PK_PAGE_QUERY)],
    ['yoga-page20', yogaOperation(app, PAGE20_QUERY)],
  ];
}

// The request the HTTP layers send (probe.ts), handed to yoga without a server.
function yogaOperation(app: App, query: string): Operation {
  const request = graphqlRequest(query);
  return async (authorization) => {
    const response = await app.yoga.fetch('http://127.0.0.1/graphql', {
      ...request,
      headers: { ...request.headers, authorization },
    });
    const text = await response.text();
    if (response.status !== 200 || text.includes('"errors"')) fail('yoga', response.status, text);
  };
}

function fail(layer: string, status: number, body: unknown): never {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  throw new Error(`${layer} failed (${status}): ${text.slice(0, 300)}`);
}

let nextToken = 0;

// `connections` loops, each sending its next operation as soon as the last one answered, until
// the time is up; resolves with the operations completed once every loop has finished.
async function runLoops(
  operation: Operation,
  authorizations: readonly string[],
  connections: number,
  durationS: number,
): Promise<number> {
  const end = performance.now() + durationS * 1000;
  let ops = 0;
  const loop = async () => {
    while (performance.now() < end) {
      await operation(authorizations[nextToken++ % authorizations.length]!);
      ops++;
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return ops;
}

// Sums the GC pauses that start between now and `stop(end)`. Entries arrive after the fact, so
// stop() lets the event loop turn before it adds them up.
function watchGc(): { stop(end: number): Promise<number> } {
  const start = performance.now();
  const pauses: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    async stop(end) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      observer.disconnect();
      return pauses
        .filter((pause) => pause.startTime >= start && pause.startTime < end)
        .reduce((total, pause) => total + pause.duration, 0);
    },
  };
}

async function measureRound(
  operation: Operation,
  authorizations: readonly string[],
  settings: InProcessSettings,
): Promise<LayerRound> {
  const gc = watchGc();
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const ops = await runLoops(operation, authorizations, settings.connections, settings.durationS);
  const cpu = process.cpuUsage(cpu0);
  const ended = performance.now();
  return {
    ops,
    failures: 0,
    durationS: (ended - started) / 1000,
    cpuMs: (cpu.user + cpu.system) / 1000,
    gcMs: await gc.stop(ended),
  };
}

// The settings line; a stdin that closes before the results are out means the parent is gone.
function readSettingsLine(): Promise<InProcessSettings> {
  const stdin = createInterface({ input: process.stdin });
  stdin.once('close', () => {
    log('stdin closed: the parent went away, stopping');
    process.exit(1);
  });
  return new Promise((resolve) => {
    stdin.once('line', (line) => resolve(JSON.parse(line) as InProcessSettings));
  });
}

async function main(): Promise<void> {
  const settings = await readSettingsLine();
  const app = await createApp(
    loadConfig({ AUTHENTIK_URL: settings.upstreamUrl, LOG_LEVEL: 'warn', NODE_ENV: 'production' }),
    { logDestination: process.stderr },
  );
  const authorizations = settings.tokens.map((token) => `Bearer ${token}`);
  const results: InProcessResults = [];
  for (const [id, operation] of layers(app, settings)) {
    log(`${id}: ${settings.warmupS} s warm-up, ${settings.rounds} × ${settings.durationS} s`);
    await runLoops(operation, authorizations, settings.connections, settings.warmupS);
    const rounds: LayerRound[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      rounds.push(await measureRound(operation, authorizations, settings));
    }
    results.push({ id, rounds });
  }
  process.stdout.write(`${JSON.stringify(results)}\n`, () => process.exit(0));
}

try {
  await main();
} catch (error) {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
