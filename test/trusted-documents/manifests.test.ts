import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { testEnv } from '../helpers/gateway.js';
import { tempDir } from './support.js';

// Never contacted: a bad manifest stops the start before anything else happens.
const AUTHENTIK_URL = 'http://127.0.0.1:9';
const PAGE = '{ refreshTokens(first: 1) { nodes { pk } } }';
const apollo = (operations: unknown) =>
  JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations });

const dir = tempDir();
afterAll(() => dir.remove());

/** The error createApp fails with for a manifest of this text (or for this path). */
async function startError(file: string): Promise<unknown> {
  return createApp(loadConfig(testEnv(AUTHENTIK_URL, { TRUSTED_DOCUMENTS: file }))).then(
    async (app) => {
      await app.close(0);
      return undefined;
    },
    (error: unknown) => error,
  );
}

describe('a manifest that cannot be used stops the start, with one line naming TRUSTED_DOCUMENTS', () => {
  it.each([
    ['a missing file', null, /cannot be read \(ENOENT\)/],
    ['a directory', 'dir', /cannot be read \(EISDIR\)/],
    ['an empty file', '', /is not valid JSON/],
    ['text that is not JSON', 'query { a }', /is not valid JSON/],
    ['a JSON array', '["{ a }"]', /must be a JSON object .* not an array/],
    ['a JSON string', '"{ a }"', /must be a JSON object .* not a string/],
    ['an empty object', '{}', /lists no documents/],
    ['an id mapped to a number', '{"a": 1}', /maps the id "a" to a number/],
    [
      'an Apollo manifest of version 2',
      apollo([]).replace('"version":1', '"version":2'),
      /version 2; only version 1/,
    ],
    [
      'an Apollo manifest without operations',
      apollo(undefined),
      /"operations" is missing, not an array/,
    ],
    [
      'an Apollo operation without a body',
      apollo([{ id: 'a', name: 'A', type: 'query' }]),
      /operations\[0\] must have/,
    ],
    [
      'an Apollo manifest with one id twice',
      apollo([
        { id: 'a', body: PAGE },
        { id: 'a', body: `${PAGE} ` },
      ]),
      /lists the id "a" twice/,
    ],
    ['an Apollo manifest with no operations', apollo([]), /lists no documents/],
    [
      'a document that is not GraphQL',
      '{"a": "query {"}',
      /document "a" is not valid: Syntax Error/,
    ],
    [
      'a field the schema lacks',
      '{"a": "{ nope }"}',
      /document "a" is not valid: Cannot query field "nope" on type "Query"/,
    ],
    [
      'a wrong argument type',
      '{"a": "{ refreshTokens(first: \\"ten\\") { totalCount } }"}',
      /document "a" is not valid: Int cannot represent/,
    ],
    [
      'a fragment no operation uses',
      '{"a": "fragment F on Query { __typename }"}',
      /document "a" is not valid: Fragment "F" is never used/,
    ],
    [
      'several bad documents',
      `{"ok": "${PAGE}", "a": "{ x }", "b": "{ y }"}`,
      /document "a" is not valid: .* \(2 documents fail\)/,
    ],
  ])('%s', async (_, text, problem) => {
    const file =
      text === null
        ? `${dir.dir}/missing.json`
        : text === 'dir'
          ? dir.dir
          : dir.file(`m${Math.random()}.json`, text);
    const error = await startError(file);
    expect(error).toBeInstanceOf(ConfigError);
    const { message } = error as ConfigError;
    expect(message.startsWith(`TRUSTED_DOCUMENTS ${JSON.stringify(file)} `)).toBe(true);
    expect(message).toMatch(problem);
    expect(message).not.toMatch(/\n/);
  });

  it.each([
    ['a missing file', `${'/nonexistent'}/persisted-documents.json`, /cannot be read \(ENOENT\)/],
    [
      'a document the schema rejects',
      dir.file('bad-document.json', '{"x": "{ nope }"}'),
      /is not valid: Cannot query field "nope"/,
    ],
  ])('the process exits 2 with one line on stderr: %s', (_, file, problem) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, AUTHENTIK_URL, TRUSTED_DOCUMENTS: file, PORT: '0' },
      encoding: 'utf8',
      // A gateway that starts anyway (it should not) is killed outright.
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^configuration error: TRUSTED_DOCUMENTS "/);
    expect(lines[0]).toMatch(problem);
    // Nothing was served: the listening line never came.
    expect(run.stdout).not.toContain('listening');
  });
});

describe('configuration', () => {
  it('is off by default: no manifest, free-form documents refused only when one is set', () => {
    const config = loadConfig({ AUTHENTIK_URL });
    expect(config.trustedDocuments).toBeUndefined();
    expect(config.allowArbitraryDocuments).toBe(false);
    expect(
      loadConfig({
        AUTHENTIK_URL,
        TRUSTED_DOCUMENTS: ' /etc/gw/docs.json ',
        ALLOW_ARBITRARY_DOCUMENTS: 'true',
      }),
    ).toMatchObject({ trustedDocuments: '/etc/gw/docs.json', allowArbitraryDocuments: true });
  });

  it('refuses an ALLOW_ARBITRARY_DOCUMENTS that is not a boolean, naming it', () => {
    expect(() => loadConfig({ AUTHENTIK_URL, ALLOW_ARBITRARY_DOCUMENTS: 'maybe' })).toThrow(
      /ALLOW_ARBITRARY_DOCUMENTS must be true or false, got "maybe"/,
    );
  });
});
