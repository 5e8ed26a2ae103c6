import { describe, expect, it } from 'vitest';
import { UpstreamResilience } from '../../src/upstream/resilience.js';
import { UpstreamError } from '../../src/upstream/upstream-error.js';

const unreachable = (code: string) =>
  Object.assign(new UpstreamError('unreachable', 'authentik could not be reached'), {
    cause: Object.assign(new Error(code), { code }),
  });

// Runs `outcomes` in order as the attempts' results (an Error is thrown, a number is a status).
async function run(
  method: string,
  outcomes: (number | Error)[],
  options: { retries?: number; timeoutMs?: number; signal?: AbortSignal; backoff?: number } = {},
) {
  const resilience = new UpstreamResilience({
    timeoutMs: options.timeoutMs ?? 5000,
    retries: options.retries ?? 2,
    backoffMs: { min: options.backoff ?? 1, max: options.backoff ?? 2 },
  });
  let attempts = 0;
  const settled = await resilience
    .run(method, options.signal, async () => {
      const outcome = outcomes[Math.min(attempts++, outcomes.length - 1)]!;
      if (outcome instanceof Error) throw outcome;
      return { status: outcome };
    })
    .then(
      (response) => ({ status: response.status }),
      (error: unknown) => ({ error }),
    );
  return { attempts, ...settled };
}

describe('UpstreamResilience retries', () => {
  it.each<[string, string, (number | Error)[], number, number | string]>([
    ['GET 503 twice then 200', 'GET', [503, 503, 200], 3, 200],
    ['GET 502 always: gives up after 2 retries with the last answer', 'GET', [502], 3, 502],
    ['GET 504 once', 'GET', [504, 200], 2, 200],
    ['GET 500 is not retried', 'GET', [500, 200], 1, 500],
    ['GET 404 is not retried', 'GET', [404, 200], 1, 404],
    ['DELETE 503 is not retried', 'DELETE', [503, 200], 1, 503],
    ['GET connection reset', 'GET', [unreachable('ECONNRESET'), 200], 2, 200],
    [
      'GET connection refused',
      'GET',
      [unreachable('ECONNREFUSED'), unreachable('ECONNREFUSED'), 200],
      3,
      200,
    ],
    ['GET socket closed by the other side', 'GET', [unreachable('UND_ERR_SOCKET'), 200], 2, 200],
    ['GET DNS failure is not retried', 'GET', [unreachable('ENOTFOUND'), 200], 1, 'unreachable'],
    [
      'GET timeout is not retried',
      'GET',
      [new UpstreamError('timeout', 'slow'), 200],
      1,
      'timeout',
    ],
    [
      'GET HTML 502 page',
      'GET',
      [new UpstreamError('server', 'html', { status: 502 }), 200],
      2,
      200,
    ],
    ['DELETE reset is not retried', 'DELETE', [unreachable('ECONNRESET'), 200], 1, 'unreachable'],
  ])('%s', async (_name, method, outcomes, attempts, end) => {
    const result = await run(method, outcomes);
    expect(result.attempts).toBe(attempts);
    if (typeof end === 'number') expect(result).toMatchObject({ status: end });
    else expect((result as { error: UpstreamError }).error.kind).toBe(end);
  });

  it('does not retry when UPSTREAM_RETRIES=0', async () => {
    expect((await run('GET', [503, 200], { retries: 0 })).attempts).toBe(1);
  });

  it('stops during the backoff once the caller went away, with the caller’s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('client disconnected');
    setTimeout(() => controller.abort(reason), 20);
    const result = await run('GET', [503, 200], { signal: controller.signal, backoff: 5000 });
    expect(result.attempts).toBe(1);
    expect(result).toMatchObject({ error: reason });
  });

  it('keeps one deadline for the call and its retries', async () => {
    const resilience = new UpstreamResilience({
      timeoutMs: 150,
      retries: 2,
      backoffMs: { min: 100, max: 100 },
    });
    let attempts = 0;
    const started = performance.now();
    const error = await resilience
      .run('GET', undefined, async () => {
        attempts++;
        return { status: 503 };
      })
      .catch((e: unknown) => e);
    expect(attempts).toBe(2);
    expect((error as UpstreamError).kind).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
