import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { splitSearchTerms } from '../../src/pagination/search-terms.js';
import { useGatewayProcess } from '../helpers/processes.js';

// The attacks of issue 19 that make the gateway work or hold memory for a client, sent to a
// gateway in its own process with default settings (but a short SEND_TIMEOUT_MS). After each, the
// gateway must still answer /healthz at once, /readyz 200 (breaker closed) and a real query.

const SEND_TIMEOUT_MS = 1500;
/** What "at once" means for /healthz while an attack runs (it used to wait seconds). */
const PROMPT_MS = 1000;

const gateway = useGatewayProcess({ SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS), GRAPHIQL: 'true' });

interface Answer {
  status: number;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  data?: unknown;
}

// A POST of a raw body: deep JSON cannot go through JSON.stringify in this process either.
async function post(body: string, token: string | null = ADMIN_TOKEN): Promise<Answer> {
  const response = await fetch(`${gateway.origin}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  return { status: response.status, ...((await response.json()) as object) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `attack` while asking /healthz every 25 ms; the slowest /healthz answer it saw. */
async function whileProbingHealth<T>(
  attack: () => Promise<T>,
): Promise<{ result: T; slowestHealthMs: number }> {
  let done = false;
  let slowestHealthMs = 0;
  const probing = (async () => {
    while (!done) {
      const started = performance.now();
      const response = await fetch(`${gateway.origin}/healthz`);
      expect(response.status).toBe(200);
      slowestHealthMs = Math.max(slowestHealthMs, performance.now() - started);
      await sleep(25);
    }
  })();
  try {
    return { result: await attack(), slowestHealthMs };
  } finally {
    done = true;
    await probing;
  }
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${gateway.origin}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
}

/** The gateway still serves: ready (breaker closed) and a real query gets data. */
async function expectServing(): Promise<void> {
  expect((await fetch(`${gateway.origin}/readyz`)).status).toBe(200);
  expect(await metric('gateway_upstream_circuit_open')).toBe(0);
  const answer = await post(
    JSON.stringify({ query: '{ refreshTokens(first: 1) { totalCount } }' }),
  );
  expect(answer).toEqual({ status: 200, data: { refreshTokens: { totalCount: 300 } } });
  expect(gateway.child.process.exitCode).toBeNull();
}

const codesOf = (answer: Answer) => (answer.errors ?? []).map((e) => e.extensions?.code);

describe('quote-heavy searches', () => {
  // Every quote is escaped, so none is ever closed: the old splitter rescanned the rest of the
  // text for each word (60,000 characters: seconds of blocked event loop per request).
  const QUOTES = '\\"a '.repeat(15_000);
  const SEARCH = 'query ($s: String) { refreshTokens(first: 5, search: $s) { nodes { pk } } }';

  it.each<[string, string]>([
    ['a variable', JSON.stringify({ query: SEARCH, variables: { s: QUOTES } })],
    [
      'a block string',
      JSON.stringify({
        query: `{ refreshTokens(first: 5, search: """${QUOTES}""") { nodes { pk } } }`,
      }),
    ],
  ])('60,000 characters in %s are refused at once, naming MAX_SEARCH_LENGTH', async (_, body) => {
    expect(body.length).toBeLessThan(100_000);
    const { result, slowestHealthMs } = await whileProbingHealth(() =>
      Promise.all([post(body), post(body), post(body, null)]),
    );
    for (const answer of result) {
      expect(answer.status).toBe(200);
      expect(codesOf(answer)).toEqual(['BAD_USER_INPUT']);
      expect(answer.errors?.[0]?.extensions).toMatchObject({
        limit: 'MAX_SEARCH_LENGTH',
        max: 256,
        found: 60_000,
      });
    }
    expect(slowestHealthMs).toBeLessThan(PROMPT_MS);
    await expectServing();
  });

  it.each<[string, string, Record<string, unknown> | undefined]>([
    ['a quoted phrase', '"grafana"', undefined],
    ['256 characters', 'a'.repeat(256), undefined],
    ['257 characters', 'a'.repeat(257), { limit: 'MAX_SEARCH_LENGTH', found: 257 }],
    ['ten words', 'a b c d e f g h i j', undefined],
    ['eleven words', 'a b c d e f g h i j k', { limit: 'MAX_SEARCH_TERMS', found: 11 }],
  ])('%s: answered, or refused naming the limit', async (_, search, refusal) => {
    const answer = await post(JSON.stringify({ query: SEARCH, variables: { s: search } }));
    if (refusal) {
      expect(codesOf(answer)).toEqual(['BAD_USER_INPUT']);
      expect(answer.errors?.[0]?.extensions).toMatchObject(refusal);
    } else {
      expect(answer.errors).toBeUndefined();
    }
  });

  it('any mix of quotes, escapes and separators: answered, or refused past its limits', async () => {
    const unit = fc.constantFrom('a', 'é', ' ', ',', '"', "'", '\\', '\n', '\u3000', '😀');
    await fc.assert(
      fc.asyncProperty(fc.array(unit, { maxLength: 400 }), async (units) => {
        const search = units.join('');
        const answer = await post(JSON.stringify({ query: SEARCH, variables: { s: search } }));
        expect(answer.status).toBe(200);
        const overLimit = units.length > 256 || splitSearchTerms(search).length > 10;
        if (overLimit) {
          expect(codesOf(answer)).toEqual(['BAD_USER_INPUT']);
          expect(answer.errors?.[0]?.message).toMatch(/MAX_SEARCH_(LENGTH|TERMS)/);
        } else {
          expect(answer.errors).toBeUndefined();
        }
      }),
      { numRuns: 25 },
    );
    await expectServing();
  });
});

describe('deeply nested JSON', () => {
  const ENTITIES = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { pk } } }';
  const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const withVariables = (query: string, variables: string) =>
    `{"query":${JSON.stringify(query)},"variables":${variables}}`;

  it.each<[string, string, string | null]>([
    // The request: 30,000 levels (60 KB) used to be a RangeError, HTTP 500.
    [
      'representations 30,000 arrays deep',
      withVariables(ENTITIES, `{"r":[${nestedArrays(30_000)}]}`),
      ADMIN_TOKEN,
    ],
    [
      'the same without credentials',
      withVariables(ENTITIES, `{"r":[${nestedArrays(30_000)}]}`),
      null,
    ],
    [
      'a key 10,000 objects deep',
      withVariables(ENTITIES, `{"r":[{"__typename":"User","pk":${nestedObjects(10_000)}}]}`),
      ADMIN_TOKEN,
    ],
    [
      'extensions 20,000 deep',
      `{"query":"{ __typename }","extensions":${nestedArrays(20_000)}}`,
      ADMIN_TOKEN,
    ],
    [
      'a literal 900 deep in the document',
      JSON.stringify({
        query: `{ _entities(representations: ${nestedArrays(900)}) { __typename } }`,
      }),
      ADMIN_TOKEN,
    ],
  ])(
    '%s: BAD_USER_INPUT naming MAX_JSON_DEPTH, never an internal error',
    async (_, body, token) => {
      const answer = await post(body, token);
      expect([200, 400]).toContain(answer.status);
      expect(codesOf(answer)).toEqual(['BAD_USER_INPUT']);
      expect(answer.errors?.[0]?.message).toContain('MAX_JSON_DEPTH');
      await expectServing();
    },
  );

  it('any depth of arrays or objects, in variables or extensions: bad input past 32, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 41, max: 15_000 })),
        fc.constantFrom(nestedArrays, nestedObjects),
        fc.boolean(),
        async (depth, nested, inExtensions) => {
          const value = nested(depth);
          const body = inExtensions
            ? `{"query":"{ __typename }","extensions":{"x":${value}}}`
            : withVariables(ENTITIES, `{"r":[${value}]}`);
          const answer = await post(body);
          expect(answer.status).toBeLessThan(500);
          expect(codesOf(answer)).not.toContain('INTERNAL_SERVER_ERROR');
          // The extensions object is a level of its own, as is the representations list.
          if (depth + 1 > 32) expect(answer.errors?.[0]?.message).toContain('MAX_JSON_DEPTH');
          else expect(JSON.stringify(answer.errors ?? [])).not.toContain('MAX_JSON_DEPTH');
        },
      ),
      { numRuns: 25 },
    );
    await expectServing();
  });
});

/** A raw HTTP/1.1 request (with `Connection: close`) whose answer is not read until `drain`. */
function neverReading(port: number, request: string) {
  const socket = connect(port, '127.0.0.1');
  let received = 0;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  socket.write(request);
  socket.pause();
  return {
    closed,
    /** Reads what the gateway sent, to the end of the connection; the bytes received. */
    async drain(): Promise<number> {
      socket.on('data', (chunk: Buffer) => (received += chunk.length));
      socket.resume();
      await closed;
      return received;
    },
  };
}

describe('clients that never read their answer', () => {
  const GRAPHIQL =
    'GET /graphql HTTP/1.1\r\nHost: gw\r\nConnection: close\r\nAccept: text/html\r\n' +
    'Accept-Encoding: identity\r\n\r\n';
  // ~3 MB of JSON: 15 aliases of a 100-row page with every field (15 calls, one page shared).
  const fields =
    'pk expires isExpired revoked scope idToken idTokenClaims ' +
    'user { pk uuid username name email isActive lastLogin dateJoined isSuperuser groups groupsObj { pk name } } ' +
    'provider { pk name authorizationFlow propertyMappings component assignedApplicationName }';
  const aliases = Array.from(
    { length: 15 },
    (_, i) => `a${i}: refreshTokens(first: 100) { nodes { ...F } }`,
  );
  const big = JSON.stringify({
    query: `query Big { ${aliases.join(' ')} } fragment F on RefreshToken { ${fields} }`,
    operationName: 'Big',
  });
  const LARGE_ANSWER =
    'POST /graphql HTTP/1.1\r\nHost: gw\r\nConnection: close\r\nContent-Type: application/json\r\n' +
    `Authorization: Bearer ${ADMIN_TOKEN}\r\nContent-Length: ${Buffer.byteLength(big)}\r\n\r\n${big}`;

  it('hold no memory per client and are cut after SEND_TIMEOUT_MS', async () => {
    // The page is rendered (and GraphiQL's bundle loaded) by a first, reading client.
    const page = await fetch(`${gateway.origin}/graphql`, {
      headers: { accept: 'text/html', 'accept-encoding': 'identity' },
    });
    const pageBytes = (await page.arrayBuffer()).byteLength;
    expect(pageBytes).toBeGreaterThan(5_000_000);
    const rssBefore = await metric('process_resident_memory_bytes');

    const clients = [
      ...Array.from({ length: 30 }, () => neverReading(gateway.port, GRAPHIQL)),
      ...Array.from({ length: 5 }, () => neverReading(gateway.port, LARGE_ANSWER)),
    ];
    // Every answer is being written: the large ones are logged, the pages in flight (the /metrics
    // request itself is one more).
    const largeAnswered = () => gateway.child.lines.filter((l) => l.includes('"Big"')).length;
    for (let waited = 0; ; waited += 50) {
      if (largeAnswered() === 5 && (await metric('gateway_http_requests_in_flight')) >= 31) break;
      expect(waited).toBeLessThan(20_000);
      await sleep(50);
    }
    // Every GraphiQL client shares one page; the old gateway held a 9 MB copy for each (+500 MB).
    const grown = (await metric('process_resident_memory_bytes')) - rssBefore;
    expect(grown).toBeLessThan(150 * 1024 * 1024);
    const healthStarted = performance.now();
    expect((await fetch(`${gateway.origin}/healthz`)).status).toBe(200);
    expect(performance.now() - healthStarted).toBeLessThan(PROMPT_MS);

    // After SEND_TIMEOUT_MS without reading, each connection is closed and its answer dropped.
    for (let waited = 0; (await metric('gateway_http_requests_in_flight')) > 1; waited += 100) {
      expect(waited).toBeLessThan(SEND_TIMEOUT_MS + 10_000);
      await sleep(100);
    }
    const received = await Promise.all(clients.map((client) => client.drain()));
    for (const bytes of received.slice(0, 30)) expect(bytes).toBeLessThan(pageBytes);
    await expectServing();
  }, 60_000);
});

// Runs cache-probe.ts in a process of its own with a collectable heap.
function probeDocumentCache(kind: 'comment' | 'dense', count: number) {
  return new Promise<{ heapGrowthBytes: number; answered: number }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'test/limits/cache-probe.ts'],
      {
        env: { ...process.env, PROBE_KIND: kind, PROBE_COUNT: String(count) },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(output.trim()) as never)
        : reject(new Error(`probe exited ${code}`)),
    );
  });
}

describe('documents a client chooses', () => {
  // The old caches kept every document for an hour, 1,024 of them whatever their size: 1,100
  // comments of 95 KB kept ~110 MB, 300 documents of 2,000 tokens ~170 MB.
  it.each<['comment' | 'dense', number, string]>([
    ['comment', 1100, 'a 95 KB comment and { __typename }'],
    ['dense', 300, '~2,000 tokens each'],
  ])(
    '%s: %i distinct documents (%s) keep at most DOCUMENT_CACHE_BYTES',
    async (kind, count) => {
      const { heapGrowthBytes, answered } = await probeDocumentCache(kind, count);
      expect(answered).toBe(count);
      expect(heapGrowthBytes).toBeLessThan(48 * 1024 * 1024);
    },
    120_000,
  );
});
