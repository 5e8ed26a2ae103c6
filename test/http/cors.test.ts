import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { testEnv } from '../helpers/gateway.js';

describe('CORS_ORIGINS', () => {
  // Never contacted: a preflight is answered without authentik.
  const preflight = async (origins: string | undefined, origin: string) => {
    const env: Record<string, string> = origins === undefined ? {} : { CORS_ORIGINS: origins };
    const app = await createApp(loadConfig(testEnv('http://127.0.0.1:9', env)));
    try {
      return await app.yoga.fetch('http://gateway.test/graphql', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
    } finally {
      await app.release();
    }
  };

  it.each([
    [undefined, 'https://app.example.com', null],
    ['https://app.example.com', 'https://app.example.com', 'https://app.example.com'],
    [
      'https://app.example.com, https://b.example.com',
      'https://b.example.com',
      'https://b.example.com',
    ],
    ['https://app.example.com', 'https://evil.example.com', null],
    ['*', 'https://any.example.com', 'https://any.example.com'],
  ])('CORS_ORIGINS=%j: a preflight from %s is allowed for %s', async (origins, origin, allowed) => {
    const response = await preflight(origins, origin);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    if (allowed) {
      expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      expect(response.headers.get('access-control-expose-headers')).toBe('x-request-id');
    }
  });
});
