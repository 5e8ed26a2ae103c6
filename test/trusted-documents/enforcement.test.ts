import { createHash } from 'node:crypto';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustedGateway } from './support.js';
import { startTrustedGateway, tempDir } from './support.js';
import { codesOf } from '../helpers/gateway.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const PAGE = 'query Page($first: Int) { refreshTokens(first: $first) { nodes { pk } } }';
const PAGE_HASH = sha256(PAGE);
const REVOKE =
  'mutation Revoke($userPk: Int!, $dryRun: Boolean!) { revokeOAuth2Grants(input: { userPk: $userPk, dryRun: $dryRun }) { dryRun matchedCount } }';
// 31 estimated upstream calls, over the MAX_COST of 20 these gateways run with.
// 25 distinct lookups: certainly more calls than the MAX_COST of 20, refused before any call.
const COSTLY = `query Costly { nodes(ids: [${Array.from(
  { length: 25 },
  (_, i) => `"${Buffer.from(`RefreshToken:${i + 1}`).toString('base64url')}"`,
).join(', ')}]) { id } }`;
// 7 levels deep, over the MAX_DEPTH of 6.
const DEEP =
  'query Deep { refreshTokens { nodes { user { refreshTokens { nodes { user { username } } } } } } }';
const INTROSPECTION = '{ __schema { queryType { name } } }';

/** The manifest of these tests, in graphql-codegen's format (`sha256:` ids) and custom ids. */
const MANIFEST = {
  [`sha256:${PAGE_HASH}`]: PAGE,
  revoke: REVOKE,
  costly: COSTLY,
  deep: DEEP,
  introspection: INTROSPECTION,
};
const LIMITS = { MAX_COST: '20', MAX_DEPTH: '6', MAX_BATCH_SIZE: '5' };

// A document the gateway must never get to parse: 90 KB, 22,500 levels deep.
const HOSTILE = `${'{a'.repeat(22_500)}${'}'.repeat(22_500)}`;

const dir = tempDir();
const file = dir.file('persisted-documents.json', JSON.stringify(MANIFEST));
let gateway: TrustedGateway;
beforeAll(async () => {
  gateway = await startTrustedGateway(file, { ...LIMITS, MAX_PAGE_SIZE: '100' });
});
afterAll(async () => {
  await gateway?.close();
  dir.remove();
});

/** Runs `send`, returning its answer and the upstream calls and parses it caused. */
async function measured<T>(send: () => Promise<T>) {
  const calls = gateway.apiCalls();
  const parses = gateway.parses();
  const answer = await send();
  return { answer, calls: gateway.apiCalls() - calls, parses: gateway.parses() - parses };
}

describe('with TRUSTED_DOCUMENTS, only listed documents run', () => {
  it.each([
    ['the documentId as listed (sha256: prefix)', { documentId: `sha256:${PAGE_HASH}` }],
    ['the documentId as a bare hash', { documentId: PAGE_HASH }],
    [
      "Apollo's extensions.persistedQuery",
      { extensions: { persistedQuery: { version: 1, sha256Hash: PAGE_HASH } } },
    ],
    ['the exact listed text', { query: PAGE }],
    [
      'the exact listed text with an APQ hash',
      { query: PAGE, extensions: { persistedQuery: { version: 1, sha256Hash: PAGE_HASH } } },
    ],
  ])('runs a listed document sent by %s, counted as trusted', async (_, body) => {
    const trusted = () => gateway.metric('gateway_graphql_documents_total{document="trusted"}');
    const before = await trusted();
    const { answer, parses } = await measured(() =>
      gateway.post({ ...body, variables: { first: 2 } }),
    );
    expect(answer.errors).toBeUndefined();
    expect(answer).toMatchObject({ status: 200, data: { refreshTokens: { nodes: [{}, {}] } } });
    expect(await trusted()).toBe(before + 1);
    // The listed text goes through yoga's parse like any document (the counter works).
    expect(parses).toBeGreaterThan(0);
  });

  it.each([
    ['a query not in the list', '{ refreshTokens { totalCount } }'],
    ['a listed document with one space more', `${PAGE} `],
    [
      'a mutation not in the list',
      'mutation { deleteRefreshToken(input: { id: "x" }) { deletedId } }',
    ],
    ['a 90 KB document nested 22,500 levels deep', HOSTILE],
    ['text that is not GraphQL at all', '}}} not graphql {{{'],
  ])(
    'refuses %s with PERSISTED_QUERY_NOT_IN_LIST, without parsing it or calling authentik',
    async (_, query) => {
      const { answer, calls, parses } = await measured(() => gateway.post({ query }));
      expect(answer.status).toBe(400);
      expect(codesOf(answer)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
      expect(answer.errors![0]!.message).toMatch(/TRUSTED_DOCUMENTS/);
      expect({ calls, parses }).toEqual({ calls: 0, parses: 0 });
    },
  );

  const NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND';
  it.each([
    [
      'an unknown sha256 id',
      404,
      NOT_FOUND,
      /No trusted document has the id "sha256:0000/,
      { documentId: `sha256:${'0'.repeat(64)}` },
    ],
    ['an unknown custom id', 404, NOT_FOUND, /the id "nope"/, { documentId: 'nope' }],
    ['a 90 KB id', 404, NOT_FOUND, /the id "x{80}\.\.\."/, { documentId: 'x'.repeat(90_000) }],
    [
      'an id with control characters',
      404,
      NOT_FOUND,
      /the id "\\u0000\\n\\u001b\[31m"/,
      { documentId: '\u0000\n\u001b[31m' },
    ],
    [
      'an unknown hash in extensions',
      404,
      NOT_FOUND,
      /the id "f{64}"/,
      { extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } },
    ],
    [
      'a number as id',
      400,
      'BAD_REQUEST',
      /documentId must be a non-empty string, got number/,
      { documentId: 42 },
    ],
    ['an object as id', 400, 'BAD_REQUEST', /got object/, { documentId: { id: PAGE_HASH } }],
    ['an array as id', 400, 'BAD_REQUEST', /got array/, { documentId: [PAGE_HASH] }],
    ['true as id', 400, 'BAD_REQUEST', /got boolean/, { documentId: true }],
    ['an empty id', 400, 'BAD_REQUEST', /got string/, { documentId: '' }],
    [
      'a number as sha256Hash',
      400,
      'BAD_REQUEST',
      /sha256Hash number/,
      { extensions: { persistedQuery: { version: 1, sha256Hash: 7 } } },
    ],
    [
      'persistedQuery of version 2',
      400,
      'BAD_REQUEST',
      /must be \{ version: 1/,
      { extensions: { persistedQuery: { version: 2, sha256Hash: PAGE_HASH } } },
    ],
    [
      'persistedQuery as an array',
      400,
      'BAD_REQUEST',
      /must be \{ version: 1/,
      { extensions: { persistedQuery: [PAGE_HASH] } },
    ],
    ['no document at all', 400, 'BAD_REQUEST', /Send a documentId/, { variables: { first: 1 } }],
    [
      'both query and documentId',
      400,
      'BAD_REQUEST',
      /either query or documentId/,
      { query: PAGE, documentId: PAGE_HASH },
    ],
    [
      'a query that is not a string',
      400,
      'PERSISTED_QUERY_NOT_IN_LIST',
      /TRUSTED_DOCUMENTS/,
      { query: { text: PAGE } },
    ],
  ])('answers %s with %i %s, calling nothing', async (_, status, code, message, body) => {
    const { answer, calls, parses } = await measured(() => gateway.post(body));
    expect(answer.status).toBe(status);
    expect(codesOf(answer)).toEqual([code]);
    expect(answer.errors![0]!.message).toMatch(message);
    expect(answer.errors![0]!.message.length).toBeLessThan(300);
    expect({ calls, parses }).toEqual({ calls: 0, parses: 0 });
  });

  it('answers persisted document requests over GET the same way, never with a 5xx', async () => {
    const cases: [Record<string, string>, number, string[]][] = [
      [{ documentId: PAGE_HASH }, 200, []],
      [{ documentId: 'nope' }, 404, ['PERSISTED_QUERY_NOT_FOUND']],
      [{ documentId: '' }, 400, ['BAD_REQUEST']],
      [{ query: '{ refreshTokens { totalCount } }' }, 400, ['PERSISTED_QUERY_NOT_IN_LIST']],
      [{ extensions: '{"persistedQuery":{"version":1,"sha256Hash":{}}}' }, 400, ['BAD_REQUEST']],
    ];
    for (const [params, status, codes] of cases) {
      const answer = await gateway.get(params);
      expect({ params, status: answer.status, codes: codesOf(answer) }).toEqual({
        params,
        status,
        codes,
      });
    }
    // An id larger than Node lets headers be: 431, before the gateway sees it.
    const oversized = await fetch(`${gateway.url}/graphql?documentId=${'x'.repeat(20_000)}`);
    expect(oversized.status).toBe(431);
  });

  it('judges each operation of a batch on its own', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin-token' },
      body: JSON.stringify([
        { documentId: PAGE_HASH, variables: { first: 1 } },
        { query: '{ refreshTokens { totalCount } }' },
        { documentId: 'nope' },
      ]),
    });
    const answers = (await response.json()) as {
      errors?: { extensions?: Record<string, unknown> }[];
    }[];
    expect(answers.map((answer) => codesOf(answer))).toEqual([
      [],
      ['PERSISTED_QUERY_NOT_IN_LIST'],
      ['PERSISTED_QUERY_NOT_FOUND'],
    ]);
  });

  it('still serves GraphiQL, whose free-form documents (its introspection query first) are refused', async () => {
    const page = await fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const { answer, parses } = await measured(() =>
      gateway.post({ query: getIntrospectionQuery(), operationName: 'IntrospectionQuery' }),
    );
    expect(codesOf(answer)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    expect(parses).toBe(0);
    // Introspection is a document like any other: listed, it runs (INTROSPECTION still applies).
    const listed = await gateway.post({ documentId: 'introspection' });
    expect(listed.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('everything else still applies to a trusted document', () => {
  it('a listed mutation runs over POST only: GET answers 405 and deletes nothing', async () => {
    const variables = JSON.stringify({ userPk: 7, dryRun: false });
    const { answer, calls } = await measured(() =>
      gateway.get({ documentId: 'revoke', variables }),
    );
    expect(answer.status).toBe(405);
    expect(calls).toBe(0);

    const dryRun = await gateway.post({
      documentId: 'revoke',
      variables: { userPk: 7, dryRun: true },
    });
    expect(dryRun.errors).toBeUndefined();
    expect(dryRun.data).toMatchObject({ revokeOAuth2Grants: { dryRun: true } });
  });

  it.each([
    ['costly', 'MAX_COST'],
    ['deep', 'MAX_DEPTH'],
  ])(
    'the listed document %s is refused by %s before any upstream call',
    async (documentId, limit) => {
      const { answer, calls } = await measured(() => gateway.post({ documentId }));
      expect(codesOf(answer)).toEqual(['LIMIT_EXCEEDED']);
      expect(answer.errors![0]!.extensions).toMatchObject({ limit });
      expect(calls).toBe(0);
    },
  );

  it('needs credentials like any document: UNAUTHENTICATED without them, nothing sent', async () => {
    const { answer, calls } = await measured(() =>
      gateway.post({ documentId: PAGE_HASH }, { token: null }),
    );
    expect(codesOf(answer)).toEqual(['UNAUTHENTICATED']);
    expect(calls).toBe(0);
  });

  it('writes the audit line of a revoke run by id', async () => {
    gateway.logs.length = 0;
    const answer = await gateway.post({
      documentId: 'revoke',
      variables: { userPk: 15, dryRun: true },
    });
    expect(answer.errors).toBeUndefined();
    const lines = gateway.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.msg === 'audit')).toEqual([
      expect.objectContaining({
        mutation: 'revokeOAuth2Grants',
        outcome: 'dry_run',
        target: { userPk: 15 },
      }),
    ]);
  });
});

describe('rollout mode (ALLOW_ARBITRARY_DOCUMENTS=true) and /metrics', () => {
  let rollout: TrustedGateway;
  beforeAll(async () => {
    rollout = await startTrustedGateway(file, { ...LIMITS, ALLOW_ARBITRARY_DOCUMENTS: 'true' });
  });
  afterAll(() => rollout?.close());

  const counts = async (target: TrustedGateway) =>
    Object.fromEntries(
      await Promise.all(
        (['trusted', 'untrusted', 'refused'] as const).map(
          async (trust) =>
            [
              trust,
              await target.metric(`gateway_graphql_documents_total{document="${trust}"}`),
            ] as const,
        ),
      ),
    );

  it('runs free-form documents as well as listed ones, and counts which were trusted', async () => {
    const before = await counts(rollout);
    const free = await rollout.post({ query: '{ refreshTokens(first: 1) { totalCount } }' });
    expect(free.errors).toBeUndefined();
    expect((await rollout.post({ documentId: PAGE_HASH })).errors).toBeUndefined();
    expect((await rollout.post({ query: PAGE })).errors).toBeUndefined();
    // An unknown id is still an error: there is no text to fall back on.
    expect(codesOf(await rollout.post({ documentId: 'nope' }))).toEqual([
      'PERSISTED_QUERY_NOT_FOUND',
    ]);
    const after = await counts(rollout);
    expect({
      trusted: after.trusted! - before.trusted!,
      untrusted: after.untrusted! - before.untrusted!,
      refused: after.refused! - before.refused!,
    }).toEqual({ trusted: 2, untrusted: 1, refused: 1 });
    expect(await rollout.metric('gateway_trusted_documents')).toBe(Object.keys(MANIFEST).length);
  });

  it('counts refusals when enforcing', async () => {
    const before = await counts(gateway);
    await gateway.post({ query: '{ refreshTokens { totalCount } }' });
    await gateway.post({ documentId: PAGE_HASH });
    const after = await counts(gateway);
    expect(after.refused! - before.refused!).toBe(1);
    expect(after.trusted! - before.trusted!).toBe(1);
    expect(after.untrusted).toBe(0);
  });
});
