import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestGateway } from '../helpers/gateway.js';
import { codesOf, startGateway } from '../helpers/gateway.js';

// The gateway runs in this process: a busy loop here blocks it as an expensive request would.
function blockEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Nothing else runs meanwhile: no timer, no socket read.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Three different pages: three upstream calls (identical ones would share one).
const pageQuery = (first: number) => `{ refreshTokens(first: ${first}) { totalCount } }`;

let gateway: TestGateway;
beforeEach(async () => {
  gateway = await startGateway({
    env: {
      UPSTREAM_TIMEOUT_MS: '1000',
      UPSTREAM_RETRIES: '0',
      BREAKER_FAILURE_THRESHOLD: '2',
      BREAKER_RESET_MS: '60000',
      READY_CACHE_MS: '0',
    },
  });
  // Loaded and compiled once, so that the tests below measure no start-up stall of their own.
  await gateway.gql(pageQuery(4));
});
afterEach(() => gateway.close());

async function metricsText(): Promise<string> {
  return (await fetch(`${gateway.url}/metrics`)).text();
}

const sample = (text: string, name: string) =>
  Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

describe('the circuit breaker blames authentik, not the gateway’s own stalls', () => {
  it('deadlines that passed while the event loop was blocked leave it closed', async () => {
    // authentik answers every call in 100 ms, well within the 1 s deadline...
    gateway.fake.fault({ mode: 'slowHeaders', delayMs: 100 });
    const answers = Promise.all([1, 2, 3].map((first) => gateway.gql(pageQuery(first))));
    while (gateway.fake.countRequests() < 3) await sleep(5);
    // ...but the gateway cannot read the answers: its loop is blocked past every deadline.
    blockEventLoop(2500);
    for (const answer of await answers) {
      expect(codesOf(answer).every((code) => code === 'UPSTREAM_TIMEOUT')).toBe(true);
    }
    gateway.fake.clearFaults();

    expect(sample(await metricsText(), 'gateway_upstream_circuit_open')).toBe(0);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    const next = await gateway.gql(pageQuery(1));
    expect(next.data).toEqual({ refreshTokens: { totalCount: 300 } });
  });

  it('authentik really not answering still opens it', async () => {
    gateway.fake.fault({ mode: 'hang' });
    for (const first of [1, 2]) {
      expect(codesOf(await gateway.gql(pageQuery(first)))).toEqual(['UPSTREAM_TIMEOUT']);
    }
    expect(codesOf(await gateway.gql(pageQuery(3)))).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(sample(await metricsText(), 'gateway_upstream_circuit_open')).toBe(1);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(503);
  });

  it('/metrics shows how late the loop ran and for how long it was blocked', async () => {
    await metricsText(); // starts a new delay interval (its first sample comes a tick later)
    await sleep(50);
    blockEventLoop(300);
    await sleep(50);
    const text = await metricsText();
    expect(sample(text, 'gateway_event_loop_delay_seconds{quantile="1"}')).toBeGreaterThan(0.2);
    expect(sample(text, 'gateway_event_loop_stalled_seconds_total')).toBeGreaterThan(0.2);
  });
});
