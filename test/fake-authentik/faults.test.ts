import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';
import { call } from './helpers.js';
import type { Envelope } from './helpers.js';

let fake: FakeAuthentik;
beforeAll(async () => {
  fake = await startFakeAuthentik({ tokenCount: 40 });
});
afterEach(() => fake.clearFaults());
afterAll(() => fake.close());

const LIST = '/api/v3/oauth2/refresh_tokens/';
const auth = (): Record<string, string> => ({ authorization: `Bearer ${fake.tokens.admin}` });

describe('faults', () => {
  it('html500 and html404 answer HTML pages', async () => {
    fake.fault({ mode: 'html500', times: 1 });
    fake.fault({ mode: 'html404', times: 1 });
    const first = await call(fake, LIST);
    expect(first.status).toBe(500);
    expect(first.contentType).toContain('text/html');
    const second = await call(fake, LIST);
    expect(second.status).toBe(404);
    expect(second.contentType).toContain('text/html');
    expect((await call(fake, LIST)).status).toBe(200);
  });

  it('status answers the given status and body', async () => {
    fake.fault({ mode: 'status', status: 503, times: 1 });
    fake.fault({ mode: 'status', status: 502, body: '<html>bad gateway</html>', times: 1 });
    const first = await call(fake, LIST);
    expect(first.status).toBe(503);
    expect(first.body).toEqual({ detail: 'Service Unavailable' });
    const second = await call(fake, LIST);
    expect(second.status).toBe(502);
    expect(second.text).toBe('<html>bad gateway</html>');
    expect(second.contentType).toContain('text/html');
  });

  it('reset drops the connection', async () => {
    fake.fault({ mode: 'reset', times: 1 });
    await expect(fetch(`${fake.url}${LIST}`, { headers: auth() })).rejects.toThrow();
    expect((await call(fake, LIST)).status).toBe(200);
  });

  it('hang never answers', async () => {
    fake.fault({ mode: 'hang', times: 1 });
    await expect(
      fetch(`${fake.url}${LIST}`, { headers: auth(), signal: AbortSignal.timeout(150) }),
    ).rejects.toThrow();
  });

  it('stallBody sends headers and half a body', async () => {
    fake.fault({ mode: 'stallBody', times: 1 });
    const controller = new AbortController();
    const res = await fetch(`${fake.url}${LIST}`, { headers: auth(), signal: controller.signal });
    expect(res.status).toBe(200);
    const timer = setTimeout(() => controller.abort(), 150);
    await expect(res.text()).rejects.toThrow();
    clearTimeout(timer);
  });

  it('malformedJson answers unparseable JSON', async () => {
    fake.fault({ mode: 'malformedJson', times: 1 });
    const res = await fetch(`${fake.url}${LIST}`, { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    await expect(res.json()).rejects.toThrow();
  });

  it('shortPage leaves out the last row and keeps the pagination', async () => {
    const normal = (await call(fake, `${LIST}?page_size=10`)).body as Envelope;
    fake.fault({ mode: 'shortPage', times: 1 });
    const short = (await call(fake, `${LIST}?page_size=10`)).body as Envelope;
    expect(short.pagination).toEqual(normal.pagination);
    expect(short.results).toEqual(normal.results.slice(0, 9));
    expect(((await call(fake, `${LIST}?page_size=10`)).body as Envelope).results).toHaveLength(10);
  });

  it('slowHeaders delays and then answers normally', async () => {
    fake.fault({ mode: 'slowHeaders', delayMs: 150, times: 1 });
    const start = performance.now();
    const res = await call(fake, LIST);
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(200);
  });

  it('respects pathPrefix, leaves health alone by default, and lasts until cleared', async () => {
    fake.fault({ mode: 'status', status: 403, pathPrefix: '/api/v3/core/' });
    fake.fault({ mode: 'html500' });
    expect((await call(fake, '/api/v3/core/users/7/')).status).toBe(403);
    expect((await call(fake, '/api/v3/core/users/7/')).status).toBe(403);
    expect((await call(fake, LIST)).status).toBe(500);
    expect((await call(fake, '/-/health/live/', null)).status).toBe(200);
    fake.clearFaults();
    expect((await call(fake, LIST)).status).toBe(200);
    fake.fault({ mode: 'status', status: 503, pathPrefix: '/-/health/', times: 1 });
    expect((await call(fake, '/-/health/live/', null)).status).toBe(503);
  });

  it('latencyMs delays every response', async () => {
    fake.setOptions({ latencyMs: 100 });
    try {
      const start = performance.now();
      await call(fake, '/-/health/live/', null);
      expect(performance.now() - start).toBeGreaterThanOrEqual(90);
    } finally {
      fake.setOptions({ latencyMs: 0 });
    }
  });
});

describe('request log', () => {
  it('records every request in order', async () => {
    fake.resetRequests();
    expect(fake.requests).toEqual([]);
    await call(fake, '/-/health/ready/', null);
    await call(fake, `${LIST}?page=2&user=7&user=9`, fake.tokens.admin, {
      headers: { 'x-request-id': 'abc' },
    });
    await call(fake, '/api/v3/core/users/7/', null);
    expect(fake.requests.map((r) => [r.method, r.path])).toEqual([
      ['GET', '/-/health/ready/'],
      ['GET', LIST],
      ['GET', '/api/v3/core/users/7/'],
    ]);
    const second = fake.requests[1];
    expect(second?.authorization).toBe(`Bearer ${fake.tokens.admin}`);
    expect(second?.query.getAll('user')).toEqual(['7', '9']);
    expect(second?.headers['x-request-id']).toBe('abc');
    expect(fake.requests[2]?.authorization).toBeUndefined();
    expect(fake.countRequests()).toBe(2);
    expect(fake.countRequests('/api/v3/core/')).toBe(1);
    expect(fake.countRequests('/-/health/')).toBe(1);
  });
});

describe('close', () => {
  it('closes promptly with hung and stalled requests open', async () => {
    const other = await startFakeAuthentik({ tokenCount: 10 });
    other.fault({ mode: 'hang', times: 1 });
    other.fault({ mode: 'stallBody', times: 1 });
    const headers = { authorization: `Bearer ${other.tokens.admin}` };
    const hung = fetch(`${other.url}${LIST}`, { headers }).then(
      () => 'answered',
      () => 'failed',
    );
    const stalled = await fetch(`${other.url}${LIST}`, { headers });
    const body = stalled.text().then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    const start = performance.now();
    await other.close();
    expect(performance.now() - start).toBeLessThan(500);
    expect(await hung).toBe('failed');
    expect(await body).toBe('failed');
  });
});
