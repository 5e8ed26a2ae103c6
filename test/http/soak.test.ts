import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, userTokenFor } from '../../src/fake-authentik/data.js';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { gqlRequest, startApp } from '../helpers/gateway.js';
import { leakingLines } from '../helpers/log-leaks.js';
import type { Child } from '../helpers/processes.js';
import { spawnFakeAuthentik } from '../helpers/processes.js';

/** The part of autocannon's result this test reads (autocannon ships no types). */
interface LoadResult {
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  requests: { total: number };
}
type Autocannon = (options: {
  url: string;
  connections: number;
  amount: number;
  method: string;
  headers: Record<string, string>;
  body: string;
  timeout: number;
}) => Promise<LoadResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

// A full garbage collection on demand, without starting the test runner with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function settledHeap(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

// SOAK_REQUESTS=<even n> shortens or lengthens the run locally.
const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 20_000);
const CONNECTIONS = 50;
const SECRETS = [ADMIN_TOKEN, userTokenFor('jsmith')];

let fake: Child;
let app: App;
let url: string;
const seen = { lines: 0, requests: 0, upstreamCalls: 0, leaks: [] as string[] };

beforeAll(async () => {
  // The fake runs in its own process, so gateway and upstream do not share one core.
  const upstream = await spawnFakeAuthentik();
  fake = upstream.child;
  // Log lines are checked as they come instead of keeping 20,000 of them in memory.
  const write = (line: string) => {
    seen.lines++;
    if (leakingLines([line], SECRETS).length > 0) seen.leaks.push(line);
    const entry = JSON.parse(line) as { msg?: string; upstreamCalls?: number };
    if (entry.msg === 'request') {
      seen.requests++;
      seen.upstreamCalls += entry.upstreamCalls ?? 0;
    }
  };
  // Production settings, but no breaker: the run counts failures instead of failing fast.
  const config = loadConfig({
    AUTHENTIK_URL: upstream.url,
    LOG_LEVEL: 'info',
    BREAKER_FAILURE_THRESHOLD: '0',
  });
  let origin: string;
  ({ app, origin } = await startApp(config, { logDestination: { write }, processMetrics: false }));
  url = origin;
});
afterAll(async () => {
  await app.close(1000);
  await fake.stop();
});

describe('bounded soak', () => {
  it(`serves ${REQUESTS} requests on ${CONNECTIONS} connections with zero failures and no heap growth`, async () => {
    const tokens = [ADMIN_TOKEN, userTokenFor('jsmith')];
    const load = (amount: number, token: string) => {
      const request = gqlRequest(
        '{ refreshTokens(first: 5) { nodes { pk user { username } } } }',
        undefined,
        {
          token,
        },
      );
      return autocannon({
        url: `${url}/graphql`,
        connections: CONNECTIONS,
        amount,
        method: 'POST',
        headers: request.headers as Record<string, string>,
        body: request.body as string,
        timeout: 30,
      });
    };

    await load(2_000, tokens[0]!); // warm-up: JIT, pools, parser and validation caches
    const before = settledHeap();
    const counted = { ...seen };

    const results = await Promise.all([
      load(REQUESTS / 2, tokens[0]!),
      load(REQUESTS / 2, tokens[1]!),
    ]);
    const sum = (pick: (r: LoadResult) => number) => results.reduce((n, r) => n + pick(r), 0);
    expect({
      total: sum((r) => r.requests.total),
      ok: sum((r) => r['2xx']),
      non2xx: sum((r) => r.non2xx),
      errors: sum((r) => r.errors),
      timeouts: sum((r) => r.timeouts),
    }).toEqual({ total: REQUESTS, ok: REQUESTS, non2xx: 0, errors: 0, timeouts: 0 });
    expect(seen.requests - counted.requests).toBe(REQUESTS);
    // Identical pages of one caller in flight at once share one upstream call.
    const calls = seen.upstreamCalls - counted.upstreamCalls;
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThanOrEqual(REQUESTS);
    expect(app.server.inFlight).toBe(0);

    const growthMb = (settledHeap() - before) / 1024 / 1024;
    // Back near the starting level: a leak of even 1 KB per request would show as ~20 MB.
    expect(growthMb).toBeLessThan(8);
  }, 120_000);

  it('logged every request, with no credential', () => {
    expect(seen.requests).toBeGreaterThanOrEqual(REQUESTS);
    expect(seen.leaks).toEqual([]);
  });
});
