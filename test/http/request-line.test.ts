import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { useGateway } from '../helpers/gateway.js';

// What the Fetch layer cannot turn into a URL is a bad request (400, JSON, no internals), and the
// log line of a GraphQL request says the request line's path whatever the Host header says.
const gw = useGateway({ env: { LOG_LEVEL: 'info' } });

// One raw HTTP/1.1 exchange: fetch would refuse to send these headers.
function rawRequest(lines: string[], body = ''): Promise<{ status: number; text: string }> {
  const { port } = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      resolve({ status, text: answer.slice(answer.indexOf('\r\n\r\n') + 4) });
    });
    const head = [...lines, `content-length: ${Buffer.byteLength(body)}`, 'connection: close'];
    // Not end(): a client that half-closes may lose an answer that is still being computed.
    socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
  });
}

const DELETE = JSON.stringify({
  query: 'mutation { deleteRefreshToken(input: { id: "UmVmcmVzaFRva2VuOjE" }) { deletedId } }',
});
const QUERY = JSON.stringify({ query: '{ refreshTokens(first: 1) { totalCount } }' });
const post = (host: string, body: string, path = '/graphql') => [
  `POST ${path} HTTP/1.1`,
  `host: ${host}`,
  'content-type: application/json',
  `authorization: Bearer ${ADMIN_TOKEN}`,
];

const lines = () => gw.logs.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('a Host header the Fetch layer cannot use', () => {
  it.each(['[', 'a b', '%zz', 'x:99999999', 'x/metrics?', 'x#y', 'user@x'])(
    'Host: %s is a 400 with a JSON error, no stack, no upstream call, and a log line',
    async (host) => {
      gw.logs.length = 0;
      gw.fake.resetRequests();
      const { status, text } = await rawRequest(post(host, DELETE), DELETE);
      expect(status).toBe(400);
      const body = JSON.parse(text) as { errors: { message: string; extensions: object }[] };
      expect(body.errors[0]!.extensions).toEqual({ code: 'BAD_REQUEST' });
      expect(text).not.toMatch(/TypeError|node_modules|at \w+ \(/);
      expect(gw.apiCalls()).toBe(0);
      expect(lines()).toContainEqual(
        expect.objectContaining({
          level: 'info',
          msg: 'bad request',
          status: 400,
          path: '/graphql',
        }),
      );
    },
  );

  it('an absolute-form request target is refused the same way', async () => {
    const { status } = await rawRequest(
      [`POST http://x/metrics HTTP/1.1`, 'host: x', 'content-type: application/json'],
      QUERY,
    );
    expect(status).toBe(400);
  });
});

describe('the request log', () => {
  it.each(['localhost', '127.0.0.1:4000', '[::1]:4000', 'gateway.example.com'])(
    'logs a GraphQL request at info with the request line path (Host: %s)',
    async (host) => {
      gw.logs.length = 0;
      const { status } = await rawRequest(post(host, QUERY), QUERY);
      expect(status).toBe(200);
      expect(lines()).toContainEqual(
        expect.objectContaining({ level: 'info', msg: 'request', path: '/graphql', status: 200 }),
      );
    },
  );
});
