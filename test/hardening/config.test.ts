import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEFAULT_OPERATION_LIMITS } from '../../src/limits/operation-limits.js';

describe('hardening settings', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      graphiql: true,
      introspection: true,
      metrics: true,
      operationLimits: {
        maxDepth: 10,
        maxAliases: 15,
        maxTokens: 2000,
        maxDirectives: 20,
        maxCost: 150,
        maxBodyBytes: 100_000,
        maxBatchSize: 0,
      },
      upstreamRetries: 2,
      upstreamMaxResponseBytes: 32 * 1024 * 1024,
      breakerFailureThreshold: 5,
      breakerResetMs: 10_000,
      shutdownGraceMs: 15_000,
      readyCacheMs: 2000,
    });
    expect(loadConfig({}).operationLimits).toEqual(DEFAULT_OPERATION_LIMITS);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      GRAPHIQL: 'false',
      INTROSPECTION: 'off',
      METRICS: '0',
      MAX_DEPTH: '8',
      MAX_ALIASES: '5',
      MAX_TOKENS: '1000',
      MAX_DIRECTIVES: '4',
      MAX_COST: '40',
      MAX_BODY_BYTES: '20000',
      MAX_BATCH_SIZE: '3',
      UPSTREAM_RETRIES: '0',
      UPSTREAM_MAX_RESPONSE_BYTES: '1048576',
      BREAKER_FAILURE_THRESHOLD: '0',
      BREAKER_RESET_MS: '5000',
      SHUTDOWN_GRACE_MS: '30000',
      READY_CACHE_MS: '500',
    });
    expect(config).toMatchObject({
      graphiql: false,
      introspection: false,
      metrics: false,
      operationLimits: {
        maxDepth: 8,
        maxAliases: 5,
        maxTokens: 1000,
        maxDirectives: 4,
        maxCost: 40,
        maxBodyBytes: 20_000,
        maxBatchSize: 3,
      },
      upstreamRetries: 0,
      upstreamMaxResponseBytes: 1_048_576,
      breakerFailureThreshold: 0,
      breakerResetMs: 5000,
      shutdownGraceMs: 30_000,
      readyCacheMs: 500,
    });
  });

  it.each([
    ['GRAPHIQL', 'maybe'],
    ['INTROSPECTION', 'nope'],
    ['METRICS', '2'],
    ['MAX_DEPTH', '0'],
    ['MAX_DEPTH', 'deep'],
    ['MAX_COST', '0'],
    ['MAX_TOKENS', '5'],
    ['MAX_BODY_BYTES', '10'],
    ['MAX_BATCH_SIZE', '1000'],
    ['UPSTREAM_RETRIES', '6'],
    ['UPSTREAM_MAX_RESPONSE_BYTES', '1'],
    ['BREAKER_RESET_MS', '5'],
    ['SHUTDOWN_GRACE_MS', '-1'],
  ])('rejects %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
