import type { FakeAuthentik } from '../src/fake-authentik/server.js';

/** How often the fake's request log is emptied while counting (it keeps every request). */
const DRAIN_INTERVAL_MS = 250;

/**
 * Counts the API calls (`/api/v3/...`) the in-process fake serves until `stop()`, which returns
 * the count. The fake logs every request with its headers, so the log is drained as it goes to
 * keep the driver's memory flat under thousands of requests per second.
 */
export function countUpstreamCalls(fake: FakeAuthentik): { stop(): number } {
  fake.resetRequests();
  let total = 0;
  const drain = () => {
    total += fake.countRequests('/api/v3/');
    fake.resetRequests();
  };
  const timer = setInterval(drain, DRAIN_INTERVAL_MS);
  return {
    stop() {
      clearInterval(timer);
      drain();
      return total;
    },
  };
}

/**
 * Resolves once the fake has received no API call for `quietMs` (at most `timeoutMs`): a gateway
 * still finishing the previous run's operations must not be counted in, or probed into, the next.
 */
export async function waitUntilUpstreamQuiet(
  fake: FakeAuthentik,
  quietMs = 300,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = fake.requests.length;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (fake.requests.length !== seen) {
      seen = fake.requests.length;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      return;
    }
  }
  throw new Error(`the fake kept receiving calls for ${timeoutMs} ms after a run ended`);
}
