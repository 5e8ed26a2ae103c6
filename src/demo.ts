import type { FakeAuthentik } from './fake-authentik/server.js';
import { startFakeAuthentik } from './fake-authentik/server.js';
import { ADMIN_TOKEN } from './fake-authentik/data.js';
import type { GraphiQLDefaults } from './graphql/plugins/graphiql-page.js';

/** The query GraphiQL opens with in demo mode. */
export const DEMO_QUERY = `# Demo mode: a built-in fake authentik with sample data.
# Press Run (Ctrl-Enter). Try search: "grafana", filter: {isExpired: false},
# orderBy: [{field: EXPIRES, direction: DESC}], or page with after: <endCursor>.
query RefreshTokens {
  refreshTokens(first: 10) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes {
      pk
      expires
      isExpired
      revoked
      scope
      provider { pk name assignedApplicationName }
      user { pk username name email }
    }
  }
}
`;

/** A running demo upstream and what GraphiQL should open with. */
export interface Demo {
  fake: FakeAuthentik;
  graphiql: GraphiQLDefaults;
}

/** Starts the built-in fake authentik on a loopback port for demo mode. */
export async function startDemo(): Promise<Demo> {
  const fake = await startFakeAuthentik({ host: '127.0.0.1', port: 0 });
  return {
    fake,
    graphiql: {
      defaultQuery: DEMO_QUERY,
      headers: JSON.stringify({ Authorization: `Bearer ${ADMIN_TOKEN}` }, null, 2),
    },
  };
}

/** What the console says once a demo gateway listens at `gatewayUrl`. */
export function demoBanner(demo: Demo, gatewayUrl: string): string {
  return [
    '',
    '  DEMO MODE: no AUTHENTIK_URL set, so the gateway talks to a built-in fake authentik',
    `  (${demo.fake.url}) with sample data. Open ${gatewayUrl} in a browser and press Run.`,
    `  Demo credentials: "Authorization: Bearer ${ADMIN_TOKEN}" (prefilled in GraphiQL).`,
    '  To use your authentik: AUTHENTIK_URL=https://authentik.example.com npm start',
    '',
  ].join('\n');
}
