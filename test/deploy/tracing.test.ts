import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { useGateway } from '../helpers/gateway.js';
import type { Child } from '../helpers/processes.js';
import { spawnTs } from '../helpers/processes.js';
import type { OtlpReceiver, ReceivedSpan } from './otlp-receiver.js';
import { startOtlpReceiver } from './otlp-receiver.js';

const SERVER = 2;
const CLIENT = 3;
const QUERY = `query Page($first: Int!, $search: String) {
  refreshTokens(first: $first, search: $search) { totalCount nodes { pk user { username } } }
}`;
// A variable value that must never reach a span.
const SECRET_SEARCH = 'smith';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

const traceparentsSeenBy = (fake: FakeAuthentik) =>
  fake.requests
    .filter((request) => request.path.startsWith('/api/v3/'))
    .map((request) => request.headers.traceparent);

describe('tracing on (OTEL_EXPORTER_OTLP_ENDPOINT, http/json): the gateway process', () => {
  let receiver: OtlpReceiver;
  let fake: FakeAuthentik;
  let gateway: Child;
  let url: string;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    fake = await startFakeAuthentik({ host: '127.0.0.1', port: 0 });
    gateway = spawnTs('src/main.ts', {
      AUTHENTIK_URL: fake.url,
      PORT: '0',
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'tokens-subgraph',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    const line = await gateway.waitForLine((l) => l.includes('listening'), 60_000);
    const listening = JSON.parse(line) as { port: number; tracing: boolean };
    expect(listening.tracing).toBe(true);
    url = `http://127.0.0.1:${listening.port}/graphql`;
  }, 90_000);

  afterAll(async () => {
    await gateway?.stop();
    await fake?.close();
    await receiver?.close();
  });

  beforeEach(() => fake.resetRequests());

  // The spans of one trace, once its SERVER span and as many CLIENT spans as authentik saw calls
  // have arrived.
  async function spansOf(traceId: string): Promise<ReceivedSpan[]> {
    const calls = fake.countRequests('/api/v3/');
    expect(calls).toBeGreaterThan(0);
    const ofTrace = (spans: ReceivedSpan[]) => spans.filter((span) => span.traceId === traceId);
    await receiver.waitFor(
      (spans) =>
        ofTrace(spans).some((span) => span.kind === SERVER) &&
        ofTrace(spans).filter((span) => span.kind === CLIENT).length >= calls,
    );
    return ofTrace(receiver.spans);
  }

  function expectOneConnectedTrace(spans: ReceivedSpan[], remoteParent: string | undefined) {
    const server = spans.find((span) => span.kind === SERVER)!;
    if (remoteParent) expect(server.parentSpanId).toBe(remoteParent);
    const byName = (name: string) => spans.filter((span) => span.name === name);
    expect(byName('graphql.parse').map((span) => span.parentSpanId)).toEqual([server.spanId]);
    expect(byName('graphql.validate').map((span) => span.parentSpanId)).toEqual([server.spanId]);
    const [operation, ...more] = byName('query Page');
    expect(more).toEqual([]);
    expect(operation).toMatchObject({
      parentSpanId: server.spanId,
      attributes: { 'graphql.operation.type': 'query', 'graphql.operation.name': 'Page' },
    });
    const clients = spans.filter((span) => span.kind === CLIENT);
    for (const client of clients) expect(client.parentSpanId).toBe(operation!.spanId);
    // authentik received each CLIENT span's own context.
    expect(traceparentsSeenBy(fake).sort()).toEqual(
      clients.map((client) => `00-${server.traceId}-${client.spanId}-01`).sort(),
    );
    expect(new Set(spans.map((span) => span.serviceName))).toEqual(new Set(['tokens-subgraph']));
  }

  it('a JSON POST: SERVER span continues the caller traceparent; operation and authentik calls below it', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${ADMIN_TOKEN}`,
        traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`,
        'x-request-id': 'trace-test-1',
      },
      body: JSON.stringify({ query: QUERY, variables: { first: 3, search: SECRET_SEARCH } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-test-1');
    const body = (await response.json()) as { errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(traceparentsSeenBy(fake).length).toBeGreaterThan(0);

    const spans = await spansOf(TRACE_ID);
    expectOneConnectedTrace(spans, PARENT_ID);
    expect(spans.find((span) => span.name === 'query Page')!.attributes).toMatchObject({
      'gateway.request_id': 'trace-test-1',
    });
    // authentik got the request id next to the trace context.
    for (const request of fake.requests.filter((r) => r.path.startsWith('/api/v3/'))) {
      expect(request.headers['x-request-id']).toBe('trace-test-1');
    }
  });

  it('a GET with the operation in its URL: same spans, a new trace, and no query or variables in any span', async () => {
    const params = new URLSearchParams({
      query: QUERY,
      variables: JSON.stringify({ first: 2, search: SECRET_SEARCH }),
    });
    const response = await fetch(`${url}?${params}`, {
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${ADMIN_TOKEN}`,
        'x-graphql-yoga-csrf': '1',
      },
    });
    expect(response.status).toBe(200);
    const traceId = /^00-([0-9a-f]{32})-/.exec(String(traceparentsSeenBy(fake)[0]))?.[1];
    expect(traceId).toBeDefined();
    expect(traceId).not.toBe(TRACE_ID);

    const spans = await spansOf(traceId!);
    expectOneConnectedTrace(spans, undefined);
    expect(spans.find((span) => span.kind === SERVER)!.parentSpanId).toBe('');
  });

  it('follows an unsampled caller (parentbased sampler): authentik still gets its trace, unsampled', async () => {
    const unsampledTrace = '0af7651916cd43dd8448eb211c80319c';
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${ADMIN_TOKEN}`,
        traceparent: `00-${unsampledTrace}-b7ad6b7169203331-00`,
      },
      body: JSON.stringify({ query: QUERY, variables: { first: 1 } }),
    });
    expect(response.status).toBe(200);
    const seen = traceparentsSeenBy(fake);
    expect(seen.length).toBeGreaterThan(0);
    for (const traceparent of seen) {
      expect(traceparent).toMatch(new RegExp(`^00-${unsampledTrace}-[0-9a-f]{16}-00$`));
    }
    // Exports of the earlier, sampled requests carry nothing of this trace.
    expect(receiver.spans.some((span) => span.traceId === unsampledTrace)).toBe(false);
  });

  it('never exports tokens, variables or the document', async () => {
    await receiver.waitFor((spans) => spans.some((span) => span.kind === SERVER));
    const exported = receiver.bodies.join('\n');
    expect(exported).not.toContain(ADMIN_TOKEN);
    expect(exported).not.toContain(SECRET_SEARCH);
    expect(exported).not.toContain('refreshTokens');
    expect(exported.toLowerCase()).not.toContain('authorization');
  });

  it('does not trace probes', async () => {
    expect((await fetch(url.replace('/graphql', '/healthz'))).status).toBe(200);
    expect(receiver.spans.some((span) => span.attributes['url.path'] === '/healthz')).toBe(false);
  });
});

describe('tracing off (no OTEL_* variables)', () => {
  const gw = useGateway();

  it('sends authentik no trace context', async () => {
    const result = await gw.gql('{ refreshTokens(first: 1) { totalCount } }');
    expect(result.errors).toBeUndefined();
    const api = gw.fake.requests.filter((request) => request.path.startsWith('/api/v3/'));
    expect(api.length).toBeGreaterThan(0);
    expect(api.map((request) => request.headers.traceparent)).toEqual(api.map(() => undefined));
  });
});
