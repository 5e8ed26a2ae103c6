import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Child } from '../helpers/processes.js';
import { spawnFakeAuthentik, spawnGateway } from '../helpers/processes.js';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import type { TrustedGateway } from './support.js';
import { startTrustedGateway, tempDir } from './support.js';
import { codesOf } from '../helpers/gateway.js';

const A = '{ refreshTokens(first: 1) { nodes { pk } } }';
const B = '{ refreshTokens(first: 2) { totalCount } }';
const C = '{ accessTokens(first: 1) { totalCount } }';

const logged = (logs: string[], msg: string) =>
  logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === msg);

describe('reloading TRUSTED_DOCUMENTS (what SIGHUP calls)', () => {
  const dir = tempDir();
  const file = dir.file('persisted-documents.json', JSON.stringify({ a: A }));
  let gateway: TrustedGateway;
  beforeAll(async () => {
    gateway = await startTrustedGateway(file);
  });
  afterAll(async () => {
    await gateway?.close();
    dir.remove();
  });
  const run = (documentId: string) => gateway.post({ documentId });

  it('runs the documents of the new file without a restart', async () => {
    expect(codesOf(await run('b'))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    writeFileSync(file, JSON.stringify({ a: A, b: B }));
    expect(await gateway.app.reloadTrustedDocuments()).toBe(true);
    expect((await run('b')).errors).toBeUndefined();
    expect((await run('a')).errors).toBeUndefined();
    expect(logged(gateway.logs, 'trusted documents reloaded').at(-1)).toMatchObject({
      level: 'info',
      documents: 2,
    });
    expect(await gateway.metric('gateway_trusted_documents')).toBe(2);
  });

  it.each([
    ['is not JSON', '{"a": '],
    ['holds a document the schema rejects', JSON.stringify({ a: A, c: '{ nope }' })],
    ['is gone', null],
  ])('keeps the previous list when the file %s, and logs why', async (_, text) => {
    if (text === null) rmSync(file);
    else writeFileSync(file, text);
    gateway.logs.length = 0;
    expect(await gateway.app.reloadTrustedDocuments()).toBe(false);
    expect((await run('a')).errors).toBeUndefined();
    expect((await run('b')).errors).toBeUndefined();
    const [line] = logged(
      gateway.logs,
      'trusted documents not reloaded: keeping the previous list',
    );
    expect(line).toMatchObject({ level: 'error', documents: 2 });
    expect((line!.err as { message: string }).message).toMatch(/^TRUSTED_DOCUMENTS "/);
    expect(await gateway.metric('gateway_trusted_documents')).toBe(2);
  });

  it('leaves a request in flight alone: it finishes with the document it started with', async () => {
    writeFileSync(file, JSON.stringify({ a: A, b: B }));
    expect(await gateway.app.reloadTrustedDocuments()).toBe(true);
    gateway.fake.setOptions({ latencyMs: 300 });
    try {
      const calls = gateway.apiCalls();
      const inFlight = run('b');
      while (gateway.apiCalls() === calls) await new Promise((r) => setTimeout(r, 10));
      writeFileSync(file, JSON.stringify({ c: C }));
      expect(await gateway.app.reloadTrustedDocuments()).toBe(true);
      const answer = await inFlight;
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toMatchObject({ refreshTokens: { totalCount: expect.any(Number) } });
    } finally {
      gateway.fake.setOptions({ latencyMs: 0 });
    }
    expect(codesOf(await run('b'))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect((await run('c')).errors).toBeUndefined();
  });
});

describe('SIGHUP, on the gateway in its own process', () => {
  const dir = tempDir();
  const file = dir.file('persisted-documents.json', JSON.stringify({ a: A }));
  let fake: Child;
  let gateway: Child;
  let origin: string;
  beforeAll(async () => {
    const upstream = await spawnFakeAuthentik();
    fake = upstream.child;
    const started = await spawnGateway(upstream.url, { TRUSTED_DOCUMENTS: file });
    gateway = started.child;
    origin = started.origin;
  });
  afterAll(async () => {
    await gateway?.stop();
    await fake?.stop();
    dir.remove();
  });

  const run = async (documentId: string) => {
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ documentId }),
    });
    return codesOf((await response.json()) as { errors?: [] });
  };
  const hangUp = async (msg: string) => {
    const seen = gateway.lines.length;
    gateway.process.kill('SIGHUP');
    return gateway.waitForLine(
      (line) => gateway.lines.indexOf(line) >= seen && line.includes(`"msg":"${msg}`),
    );
  };

  it('re-reads the file: new documents run, and a broken file keeps the previous list', async () => {
    expect(gateway.lines.some((line) => line.includes('"msg":"trusted documents loaded"'))).toBe(
      true,
    );
    expect(await run('b')).toEqual(['PERSISTED_QUERY_NOT_FOUND']);

    writeFileSync(file, JSON.stringify({ a: A, b: B }));
    await hangUp('trusted documents reloaded');
    expect(await run('b')).toEqual([]);

    writeFileSync(file, 'not json');
    const line = await hangUp('trusted documents not reloaded');
    expect(line).toContain('TRUSTED_DOCUMENTS');
    expect(await run('a')).toEqual([]);
    expect(await run('b')).toEqual([]);
    expect(gateway.process.exitCode).toBeNull();
  });
});
