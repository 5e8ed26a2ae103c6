/**
 * CLI: starts the fake authentik server from environment variables (`PORT`, `HOST`, `FAKE_SHAPE`,
 * `FAKE_LATENCY_MS`, `FAKE_MAX_PAGE_SIZE`, `FAKE_TOKEN_COUNT`, `FAKE_SEED`,
 * `FAKE_EXTRA_ADMIN_TOKENS`), prints one JSON line
 * `{"url": ..., "adminToken": ...}` to stdout, and closes on SIGTERM/SIGINT.
 */
import { startFakeAuthentik } from './server.js';
import type { FakeAuthentikOptions, UpstreamShape } from './types.js';

const SHAPES: UpstreamShape[] = ['current', 'legacy', 'legacy-2024'];

function intFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return n;
}

const shape = process.env['FAKE_SHAPE'];
if (shape !== undefined && shape !== '' && !(SHAPES as string[]).includes(shape)) {
  throw new Error(`FAKE_SHAPE must be one of ${SHAPES.join(', ')}, got ${shape}`);
}
const options: FakeAuthentikOptions = {
  host: process.env['HOST'] || '127.0.0.1',
  port: intFromEnv('PORT') ?? 0,
  shape: shape ? (shape as UpstreamShape) : 'current',
  latencyMs: intFromEnv('FAKE_LATENCY_MS'),
  maxPageSize: intFromEnv('FAKE_MAX_PAGE_SIZE'),
  tokenCount: intFromEnv('FAKE_TOKEN_COUNT'),
  seed: intFromEnv('FAKE_SEED'),
  extraAdminTokens: intFromEnv('FAKE_EXTRA_ADMIN_TOKENS'),
};

const fake = await startFakeAuthentik(options);
process.stdout.write(`${JSON.stringify({ url: fake.url, adminToken: fake.tokens.admin })}\n`);

const stop = (): void => {
  fake.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
