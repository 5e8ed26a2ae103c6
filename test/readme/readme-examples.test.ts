import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { codesOf, gqlRequest, startApp } from '../helpers/gateway.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Every ```graphql block of the README, its indentation removed, with the line it starts on. */
function graphqlBlocks(markdown: string): { line: number; query: string }[] {
  const blocks: { line: number; query: string }[] = [];
  const fence = /^( *)```graphql\n([\s\S]*?)^\1```/gm;
  for (const match of markdown.matchAll(fence)) {
    const indent = match[1]!.length;
    const query = match[2]!
      .split('\n')
      .map((line) => line.slice(indent))
      .join('\n');
    blocks.push({ line: markdown.slice(0, match.index).split('\n').length, query });
  }
  return blocks;
}

const globalId = (type: string, pk: number) => Buffer.from(`${type}:${pk}`).toString('base64url');

describe('every GraphQL example of the README runs on the demo gateway under default limits', () => {
  let app: App;
  let url: string;
  beforeAll(async () => {
    // What `npm start` runs with no environment: demo mode, every default.
    const started = await startApp(loadConfig({ LOG_LEVEL: 'silent' }));
    app = started.app;
    url = `${started.origin}/graphql`;
  });
  afterAll(() => app.close(1000));

  const blocks = graphqlBlocks(README);

  it('finds the examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
  });

  it.each(blocks)('the example at README.md:$line', async ({ query }) => {
    const operation = parse(query).definitions.find(
      (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
    )!;
    // `$id` is a user to look up, or the last refresh token to delete (the lookups use others).
    const tokens = app.demo!.fake.data.refreshTokens;
    const variables: Record<string, unknown> = {
      id:
        operation.operation === 'mutation'
          ? globalId('RefreshToken', tokens.at(-1)!.pk)
          : globalId('User', 7),
    };
    const response = await fetch(url, gqlRequest(query, variables, { token: ADMIN_TOKEN }));
    const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
    expect(codesOf(body as Parameters<typeof codesOf>[0])).toEqual([]);
    expect(body.errors).toBeUndefined();
    expect(response.status).toBe(200);
    expect(body.data).toBeTruthy();
  });
});
