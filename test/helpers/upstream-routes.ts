import { GRANT_KINDS } from '../../src/upstream/grant-kinds.js';

/**
 * The route templates the gateway may call on authentik (`{pk}` stands for a row's id): each
 * grant kind's list and row, users, OAuth2 providers and the readiness probe. These are also the
 * only `endpoint` labels its upstream metrics may carry.
 */
export const UPSTREAM_ROUTES: readonly string[] = [
  ...GRANT_KINDS.flatMap((kind) => [
    `/api/v3/oauth2/${kind.segment}/`,
    `/api/v3/oauth2/${kind.segment}/{pk}/`,
  ]),
  '/api/v3/core/users/',
  '/api/v3/core/users/{pk}/',
  '/api/v3/providers/oauth2/{pk}/',
  '/-/health/ready/',
];

// A template as a pattern for the paths it stands for: `{pk}` is a positive integer only.
const PATTERNS = UPSTREAM_ROUTES.map(
  (route) =>
    new RegExp(
      `^${route
        .split('{pk}')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
        .join('[1-9]\\d*')}$`,
    ),
);

/** Paths of recorded upstream requests outside {@link UPSTREAM_ROUTES}. */
export function unknownRoutes(requests: readonly { path: string }[]): string[] {
  return requests
    .map((request) => request.path)
    .filter((path) => !PATTERNS.some((pattern) => pattern.test(path)));
}
