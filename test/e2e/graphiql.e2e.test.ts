import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse, print } from 'graphql';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import type { DemoGateway } from './demo-gateway.js';
import { startDemoGateway } from './demo-gateway.js';
import type { OfflineContext } from './offline-browser.js';
import { launchChromium, openOfflineContext } from './offline-browser.js';

/** Where the screenshots go (the README points here; `test-results/` is git-ignored). */
const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));

const DEMO_PROVIDERS = ['Grafana', 'GitLab', 'Nextcloud', 'Acme Mobile App', 'Jenkins', 'Old Wiki'];

const SEARCH_QUERY =
  'query GitLabTokens { refreshTokens(first: 100, search: "gitlab") { totalCount nodes { pk scope ' +
  'provider { name assignedApplicationName assignedApplicationSlug } user { username name email } } } }';

interface TokenRow {
  pk: number;
  provider: { name: string } | null;
  [field: string]: unknown;
}

interface TokenList {
  data?: {
    refreshTokens: {
      totalCount: number;
      pageInfo?: { hasNextPage: boolean; endCursor: string | null };
      nodes: TokenRow[];
    };
  };
  errors?: unknown[];
}

// Monaco draws spaces as U+00A0 and only the lines in view, so this is what a person can read.
async function visibleText(page: Page, pane: string): Promise<string> {
  const text = await page.locator(pane).innerText();
  return text.replace(/\u00a0/g, ' ');
}

// Ready means the editor shows the demo query: the 9 MB page has parsed and Monaco has mounted.
async function openGraphiQL(offline: OfflineContext, url: string): Promise<Page> {
  const page = await offline.context.newPage();
  await page.goto(url);
  await page.locator('.graphiql-execute-button').waitFor();
  await expect
    .poll(() => visibleText(page, '.graphiql-query-editor'), { timeout: 30_000 })
    .toContain('query RefreshTokens');
  return page;
}

// The POST GraphiQL sends for this operation (not its schema introspection).
async function runOperation(page: Page, operationName: string): Promise<Response> {
  const response = page.waitForResponse(
    (candidate) =>
      candidate.request().method() === 'POST' &&
      candidate.request().postDataJSON()?.operationName === operationName,
  );
  await page.locator('.graphiql-execute-button').click();
  return response;
}

// Every token the admin can see, read through the gateway's API (the oracle for the search case).
async function allTokens(url: string): Promise<TokenRow[]> {
  const rows: TokenRow[] = [];
  let after: string | null = null;
  do {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${ADMIN_TOKEN}`,
      },
      body: JSON.stringify({
        query: `query ($after: String) { refreshTokens(first: 100, after: $after) {
          totalCount pageInfo { hasNextPage endCursor } nodes { pk scope
          provider { name assignedApplicationName assignedApplicationSlug }
          user { username name email } } } }`,
        variables: { after },
      }),
    });
    const body = (await response.json()) as TokenList;
    expect(body.errors).toBeUndefined();
    const connection = body.data!.refreshTokens;
    rows.push(...connection.nodes);
    after = connection.pageInfo!.hasNextPage ? connection.pageInfo!.endCursor : null;
  } while (after !== null);
  return rows;
}

const matchesGitlab = (row: TokenRow) => JSON.stringify(row).toLowerCase().includes('gitlab');

describe('GraphiQL in a real browser, offline, against the demo gateway', () => {
  let gateway: DemoGateway;
  let browser: Browser;
  let offline: OfflineContext;
  let pageErrors: string[];

  beforeAll(async () => {
    await mkdir(RESULTS_DIR, { recursive: true });
    // Browser first: a missing Chromium then fails before there is a gateway process to clean up.
    browser = await launchChromium();
    gateway = await startDemoGateway();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  beforeEach(async () => {
    offline = await openOfflineContext(browser);
    pageErrors = [];
    offline.context.on('page', (page) =>
      page.on('pageerror', (error) => pageErrors.push(error.message)),
    );
  });

  afterEach(async () => {
    await offline.context.close();
    // A closed network: nothing may leave the host, and nothing may have broken on the way.
    expect(offline.offHost()).toEqual([]);
    expect(offline.requested.length).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });

  it('opens with the demo query and token prefilled, and Run shows token rows', async () => {
    const page = await openGraphiQL(offline, gateway.url);
    await expect
      .poll(() => visibleText(page, '.graphiql-editor-tool[aria-label="Headers"]'))
      .toContain(`Bearer ${ADMIN_TOKEN}`);

    const response = await runOperation(page, 'RefreshTokens');
    expect(response.status()).toBe(200);
    expect(await response.request().headerValue('authorization')).toBe(`Bearer ${ADMIN_TOKEN}`);
    const body = (await response.json()) as TokenList;
    expect(body.errors).toBeUndefined();
    const nodes = body.data!.refreshTokens.nodes;
    expect(nodes).toHaveLength(10);
    const first = nodes[0]!;
    expect(DEMO_PROVIDERS).toContain(first.provider?.name);

    await expect
      .poll(() => visibleText(page, '.graphiql-response'), { timeout: 15_000 })
      .toContain('"refreshTokens"');
    const shown = await visibleText(page, '.graphiql-response');
    expect(shown).toContain(`"totalCount": ${body.data!.refreshTokens.totalCount}`);
    expect(shown).toContain(`"pk": ${first.pk}`);
    expect(shown).toContain(`"name": "${first.provider!.name}"`);
    expect(shown).not.toContain('"errors"');
    await page.screenshot({ path: `${RESULTS_DIR}graphiql.png` });
  });

  it('runs a typed query with search and shows only the matching tokens', async () => {
    const everyToken = await allTokens(gateway.url);
    const expected = everyToken.filter(matchesGitlab);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(everyToken.length);

    const page = await openGraphiQL(offline, gateway.url);
    await page.locator('.graphiql-query-editor .view-lines').first().click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    // Typed key by key, as a person would; Monaco's auto-closed brackets and quotes are typed over.
    await page.keyboard.type(SEARCH_QUERY, { delay: 5 });
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: /^Prettify query/ }).click();
    await expect
      .poll(() => visibleText(page, '.graphiql-query-editor'))
      .toContain('refreshTokens(first: 100, search: "gitlab") {');
    // GraphiQL re-reads the operation 100 ms after the last keystroke and then renames the tab;
    // Run before that would send the old operation name with the new text.
    await expect
      .poll(() => page.getByRole('tab', { selected: true }).innerText())
      .toBe('GitLabTokens');

    const response = await runOperation(page, 'GitLabTokens');
    const sent = response.request().postDataJSON() as { query: string };
    expect(print(parse(sent.query))).toBe(print(parse(SEARCH_QUERY)));
    const body = (await response.json()) as TokenList;
    expect(body.errors).toBeUndefined();
    const { totalCount, nodes } = body.data!.refreshTokens;
    expect(nodes.every(matchesGitlab)).toBe(true);
    expect(totalCount).toBe(expected.length);
    const pks = (rows: TokenRow[]) => rows.map((row) => row.pk).sort((a, b) => a - b);
    expect(pks(nodes)).toEqual(pks(expected));

    await expect
      .poll(() => visibleText(page, '.graphiql-response'), { timeout: 15_000 })
      .toContain(`"totalCount": ${expected.length}`);
    expect(await visibleText(page, '.graphiql-response')).toContain('"GitLab"');
    await page.screenshot({ path: `${RESULTS_DIR}graphiql-search.png` });
  });
});
