import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import type { DocumentNode } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { generatePersistedQueryManifest } from '@apollo/generate-persisted-query-manifest';
import type { PersistedQueryManifest } from '@apollo/generate-persisted-query-manifest';
import {
  generatePersistedQueryIdsAtRuntime,
  generatePersistedQueryIdsFromManifest,
} from '@apollo/persisted-query-lists';
import { generate } from '@graphql-codegen/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { CSRF_HEADER } from '../../src/limits/csrf.js';
import type { TrustedGateway } from './support.js';
import { SCHEMA_FILE, startTrustedGateway, tempDir } from './support.js';
import { codesOf } from '../helpers/gateway.js';

// A client's operations, as its developers write them (a fragment shared by two queries).
const TOKEN_FIELDS = `fragment TokenFields on RefreshToken {
  pk
  scope
}
`;
const SOURCES = {
  TokenPage: `query TokenPage($first: Int!) {
  refreshTokens(first: $first) {
    totalCount
    nodes {
      ...TokenFields
    }
  }
}
`,
  TokenByPk: `query TokenByPk($pk: Int!) {
  refreshToken(pk: $pk) {
    ...TokenFields
    user {
      username
    }
  }
}
`,
  RevokeDryRun: `mutation RevokeDryRun($userPk: Int!) {
  revokeOAuth2Grants(input: { userPk: $userPk, dryRun: true }) {
    dryRun
    matchedCount
  }
}
`,
};
/** The app's whole source text of operations (one document per operation, as Apollo requires). */
const OPERATIONS = [...Object.values(SOURCES), TOKEN_FIELDS].join('\n');

// One .graphql file per definition, where the toolchains look for them.
function writeOperations(dir: ReturnType<typeof tempDir>): string {
  for (const [name, source] of Object.entries(SOURCES)) dir.file(`${name}.graphql`, source);
  dir.file('TokenFields.graphql', TOKEN_FIELDS);
  return path.join(dir.dir, '*.graphql');
}

/** One operation as the app's code holds it (with the fragment it spreads). */
const operation = (name: keyof typeof SOURCES): DocumentNode =>
  gql(name === 'RevokeDryRun' ? SOURCES[name] : SOURCES[name] + TOKEN_FIELDS);

/** An operation the app ships but the manifest was generated without. */
const UNLISTED = `query Unlisted { refreshTokens(first: 1) { totalCount } }`;

interface TokenPage {
  refreshTokens: { totalCount: number; nodes: { pk: number; scope: string[] }[] };
}

describe("graphql-codegen's client preset with persistedDocuments", () => {
  const dir = tempDir();
  let gateway: TrustedGateway;
  let manifest: Record<string, string>;
  // The documents the generated client code exports, each with the hash it sends as documentId.
  let documents: Record<string, { __meta__: { hash: string } }>;

  beforeAll(async () => {
    const sources = writeOperations(dir);
    const out = path.join(dir.dir, 'gql');
    await generate(
      {
        schema: SCHEMA_FILE,
        documents: [sources],
        silent: true,
        generates: {
          [`${out}/`]: { preset: 'client', presetConfig: { persistedDocuments: true } },
        },
      },
      true,
    );
    const file = path.join(out, 'persisted-documents.json');
    manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    // graphql.ts exports `const XDocument = {"__meta__":{"hash":...},"kind":"Document",...} as unknown as ...`
    const code = readFileSync(path.join(out, 'graphql.ts'), 'utf8');
    documents = Object.fromEntries(
      [...code.matchAll(/export const (\w+)Document = (\{.*?\}) as unknown as/g)].map(
        ([, name, json]) => [name!, JSON.parse(json!) as { __meta__: { hash: string } }],
      ),
    );
    gateway = await startTrustedGateway(file);
  });
  afterAll(async () => {
    await gateway?.close();
    dir.remove();
  });

  const hashOf = (name: string) => documents[name]!.__meta__.hash;

  it('runs each operation by the documentId the generated code sends: POST, and GET for queries', async () => {
    // One sha256: id per operation; the generated document carries it as __meta__.hash.
    expect(Object.keys(documents).sort()).toEqual(['RevokeDryRun', 'TokenByPk', 'TokenPage']);
    for (const name of Object.keys(documents)) {
      expect(hashOf(name)).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(manifest[hashOf(name)]).toContain(name);
    }
    const page = await gateway.post({
      documentId: hashOf('TokenPage'),
      operationName: 'TokenPage',
      variables: { first: 3 },
    });
    expect(page.errors).toBeUndefined();
    const { nodes } = (page.data as unknown as TokenPage).refreshTokens;
    expect(nodes).toHaveLength(3);

    const byPk = await gateway.get({
      documentId: hashOf('TokenByPk'),
      variables: JSON.stringify({ pk: nodes[0]!.pk }),
    });
    expect(byPk).toMatchObject({ status: 200, data: { refreshToken: { pk: nodes[0]!.pk } } });

    const revoke = await gateway.post({
      documentId: hashOf('RevokeDryRun'),
      variables: { userPk: 7 },
    });
    expect(revoke.errors).toBeUndefined();
    expect(revoke.data).toMatchObject({ revokeOAuth2Grants: { dryRun: true } });
  });

  it('runs a query text that is exactly a listed document, and refuses the same operation written otherwise', async () => {
    const listed = manifest[hashOf('TokenPage')]!;
    const exact = await gateway.post({ query: listed, variables: { first: 2 } });
    expect(exact.errors).toBeUndefined();

    const before = gateway.apiCalls();
    // The text as the developer wrote it (line breaks, indentation): not what the manifest lists.
    const asWritten = await gateway.post({ query: OPERATIONS, operationName: 'TokenPage' });
    expect(asWritten.status).toBe(400);
    expect(codesOf(asWritten)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    expect(gateway.apiCalls()).toBe(before);
  });
});

describe("Apollo's generate-persisted-query-manifest and Apollo Client's persisted-queries link", () => {
  const dir = tempDir();
  let gateway: TrustedGateway;
  let manifest: PersistedQueryManifest;
  // Every request Apollo Client sent: its method and, for POSTs, its JSON body.
  let sent: { method: string; body: Record<string, unknown> | undefined }[] = [];

  beforeAll(async () => {
    manifest = await generatePersistedQueryManifest(
      { documents: [writeOperations(dir)] },
      undefined,
    );
    gateway = await startTrustedGateway(
      dir.file('persisted-query-manifest.json', JSON.stringify(manifest)),
    );
  });
  afterAll(async () => {
    await gateway?.close();
    dir.remove();
  });

  function apolloClient(link: PersistedQueryLink, headers: Record<string, string> = {}) {
    const http = new HttpLink({
      uri: `${gateway.url}/graphql`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
      fetch: (input, init) => {
        const body = typeof init?.body === 'string' ? init.body : undefined;
        sent.push({
          method: init?.method ?? 'GET',
          body: body === undefined ? undefined : (JSON.parse(body) as Record<string, unknown>),
        });
        return fetch(input, init);
      },
    });
    return new ApolloClient({ link: link.concat(http), cache: new InMemoryCache() });
  }
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  it('writes a version 1 manifest with bare sha256 ids, which run as extensions.persistedQuery (POST, GET) and as documentId', async () => {
    expect(manifest).toMatchObject({ format: 'apollo-persisted-query-manifest', version: 1 });
    expect(manifest.operations.map((o) => o.name).sort()).toEqual([
      'RevokeDryRun',
      'TokenByPk',
      'TokenPage',
    ]);
    const page = manifest.operations.find((o) => o.name === 'TokenPage')!;
    expect(page.id).toMatch(/^[0-9a-f]{64}$/);
    const persistedQuery = { version: 1, sha256Hash: page.id };

    const byPost = await gateway.post({ extensions: { persistedQuery }, variables: { first: 2 } });
    expect(byPost.errors).toBeUndefined();
    const byGet = await gateway.get({
      extensions: JSON.stringify({ persistedQuery }),
      variables: JSON.stringify({ first: 2 }),
    });
    expect(byGet).toEqual({ ...byPost, status: 200 });
    // The GraphQL-over-HTTP form of the same id.
    const byDocumentId = await gateway.post({
      documentId: `sha256:${page.id}`,
      variables: { first: 2 },
    });
    expect(byDocumentId).toEqual(byPost);
  });

  it('Apollo Client with the ids from the manifest runs queries and a mutation without sending their text', async () => {
    sent = [];
    const client = apolloClient(
      new PersistedQueryLink(
        generatePersistedQueryIdsFromManifest({ loadManifest: () => manifest }),
      ),
    );
    const page = await client.query<TokenPage>({
      query: operation('TokenPage'),
      variables: { first: 3 },
    });
    const pk = page.data!.refreshTokens.nodes[0]!.pk;
    const byPk = await client.query({ query: operation('TokenByPk'), variables: { pk } });
    expect(byPk.data).toMatchObject({
      refreshToken: { pk, user: { username: expect.any(String) } },
    });
    const revoke = await client.mutate({
      mutation: operation('RevokeDryRun'),
      variables: { userPk: 7 },
    });
    expect(revoke.data).toMatchObject({ revokeOAuth2Grants: { dryRun: true } });

    expect(sent).toHaveLength(3);
    for (const request of sent) {
      expect(request.body).not.toHaveProperty('query');
      expect(request.body).toHaveProperty('extensions.persistedQuery.sha256Hash');
    }
  });

  it('Apollo Client hashing at runtime finds the same bare ids, and sends queries over GET', async () => {
    sent = [];
    const client = apolloClient(
      new PersistedQueryLink({
        ...generatePersistedQueryIdsAtRuntime({ sha256 }),
        useGETForHashedQueries: true,
      }),
      { [CSRF_HEADER]: '1' },
    );
    const page = await client.query<TokenPage>({
      query: operation('TokenPage'),
      variables: { first: 2 },
    });
    expect(page.data!.refreshTokens.nodes).toHaveLength(2);
    expect(sent).toEqual([{ method: 'GET', body: undefined }]);
  });

  it('an operation missing from the manifest: the link retries with its text, which is refused before any upstream call', async () => {
    sent = [];
    const client = apolloClient(
      new PersistedQueryLink(generatePersistedQueryIdsAtRuntime({ sha256 })),
    );
    const before = gateway.apiCalls();
    const failure = await client.query({ query: gql(UNLISTED) }).then(
      () => undefined,
      (error: unknown) => error as { errors?: { extensions?: Record<string, unknown> }[] },
    );
    expect(codesOf(failure?.errors)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    // First the hash (PERSISTED_QUERY_NOT_FOUND), then the text with it.
    expect(sent.map((request) => Object.keys(request.body ?? {}).includes('query'))).toEqual([
      false,
      true,
    ]);
    expect(gateway.apiCalls()).toBe(before);
  });
});

describe("Relay's persisted queries (persistConfig.file: md5 id to text)", () => {
  // relay-compiler needs a Relay project (React, its Babel plugin, its own directives), so the
  // file is written here in the exact shape it writes: {"<md5 of the text>": "<text>"}.
  const dir = tempDir();
  let gateway: TrustedGateway;
  const text =
    'query RelayTokensQuery {\n  refreshTokens(first: 2) {\n    nodes {\n      pk\n      id\n    }\n  }\n}\n';
  const id = createHash('md5').update(text).digest('hex');

  beforeAll(async () => {
    gateway = await startTrustedGateway(
      dir.file('persisted-queries.json', JSON.stringify({ [id]: text })),
    );
  });
  afterAll(async () => {
    await gateway?.close();
    dir.remove();
  });

  it('runs the operation by its md5 id, as Relay sends it (documentId)', async () => {
    const answer = await gateway.post({ documentId: id, variables: {} });
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toMatchObject({
      refreshTokens: { nodes: [{ pk: expect.any(Number) }, {}] },
    });
  });
});
