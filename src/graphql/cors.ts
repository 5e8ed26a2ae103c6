import type { CORSOptions, YogaServerOptions } from 'graphql-yoga';

type YogaCors = YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['cors'];

/**
 * yoga's `cors` option for CORS_ORIGINS: no cross-origin access when unset (yoga's own default
 * would allow every origin, with credentials), else the listed origins or any (`*`). Callers send
 * their token in `Authorization`, never in cookies, so credentials are not allowed;
 * `X-Request-Id` is exposed so that a browser app can quote it.
 */
export function corsFor(origins: readonly string[] | '*' | undefined): YogaCors {
  if (origins === undefined || origins.length === 0) return false;
  const allowed = origins === '*' ? undefined : new Set(origins);
  return (request: Request): CORSOptions => {
    const origin = request.headers.get('origin');
    if (origin === null || (allowed && !allowed.has(origin))) return false;
    return {
      origin: [origin],
      methods: ['GET', 'POST'],
      credentials: false,
      exposedHeaders: ['x-request-id'],
      maxAge: 600,
    };
  };
}
