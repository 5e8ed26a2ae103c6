import { serverAudits } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '../../src/limits/csrf.js';
import { useGateway } from '../helpers/gateway.js';

const gateway = useGateway();

// A non-browser client: it adds the CSRF header that CSRF prevention asks of GET requests.
function csrfAwareFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set(CSRF_HEADER, '1');
  return Promise.resolve(gateway.app.yoga.fetch(String(input), { ...init, headers }));
}

describe('GraphQL over HTTP (graphql-http server audits)', () => {
  const audits = serverAudits({ url: 'http://gateway.test/graphql', fetchFn: csrfAwareFetch });
  it.each(audits.map((audit) => [audit.name, audit] as const))('%s', async (_name, audit) => {
    const result = await audit.fn();
    expect(result.status === 'ok' ? 'ok' : { name: result.name, reason: result.reason }).toBe('ok');
  });

  // The same audits over loopback, where plain JSON POSTs take the server's fast path.
  const overHttp = serverAudits({
    url: () => `${gateway.url}/graphql`,
    fetchFn: (input: RequestInfo | URL, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set(CSRF_HEADER, '1');
      return fetch(input, { ...init, headers });
    },
  });
  it.each(overHttp.map((audit) => [audit.name, audit] as const))(
    'over HTTP: %s',
    async (_name, audit) => {
      const result = await audit.fn();
      expect(result.status === 'ok' ? 'ok' : { name: result.name, reason: result.reason }).toBe(
        'ok',
      );
    },
  );

  // The one justified exception: a browser can send a GET cross-site without a preflight, so
  // GETs without the CSRF header are refused (403). Exactly the audits that send bare GETs fail.
  it('refuses GETs without the CSRF header, and only those audits fail without it', async () => {
    const bare = serverAudits({
      url: 'http://gateway.test/graphql',
      fetchFn: (input: RequestInfo | URL, init: RequestInit = {}) =>
        Promise.resolve(gateway.app.yoga.fetch(String(input), init)),
    });
    const failing: string[] = [];
    for (const audit of bare) {
      const result = await audit.fn();
      if (result.status !== 'ok') failing.push(result.name);
    }
    expect(failing.sort()).toEqual([
      'MAY accept application/x-www-form-urlencoded formatted GET requests',
      'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json',
      'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json',
    ]);
  });
});
