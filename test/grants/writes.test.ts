import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { codesOf, useGateway } from '../helpers/gateway.js';
import { ALL_KINDS, restGrants } from './support.js';

// Every mutation that deletes in authentik leaves one audit line and a count in /metrics;
// MAX_REVOKE bounds a whole operation; a destructive default never deletes by accident.
// This file deletes rows: its own fake, and each test works on a user no other test uses.
// Every log line, debug too: the audit tests check that none carries the caller's token.
const gw = useGateway({ env: { MAX_REVOKE: '5', LOG_LEVEL: 'debug' } });

const ADMIN_FINGERPRINT = createHash('sha256').update(ADMIN_TOKEN).digest('hex').slice(0, 12);
const deletes = () => gw.fake.requests.filter((r) => r.method === 'DELETE');
const globalId = (typename: string, pk: number) =>
  Buffer.from(`${typename}:${pk}`).toString('base64url');
const grantsOfUser = (user: number) => ALL_KINDS.flatMap((kind) => restGrants(gw, kind, { user }));

function auditLines(): Record<string, unknown>[] {
  return gw.logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === 'audit');
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await gw.app.yoga.fetch('http://gw/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('every delete mutation is audited', () => {
  it.each(ALL_KINDS.map((kind) => [kind.typename, kind] as const))(
    'delete%s writes one audit line (request id, operation, pk, outcome, caller fingerprint) and counts',
    async (typename, kind) => {
      const pk = restGrants(gw, kind, { user: 23 })[0]!.pk;
      const before = await metric(
        'gateway_write_mutations_total',
        `mutation="delete${typename}",outcome="deleted"`,
      );
      gw.logs.length = 0;
      const mutation = `mutation Cleanup($id: ID!) { delete${typename}(input: { id: $id }) { deletedId } }`;
      const result = await gw.gql(
        mutation,
        { id: globalId(typename, pk) },
        { headers: { 'x-request-id': `audit-${typename}` } },
      );
      expect(result.errors).toBeUndefined();
      expect(auditLines()).toEqual([
        expect.objectContaining({
          level: 'info',
          requestId: `audit-${typename}`,
          mutation: `delete${typename}`,
          operationName: 'Cleanup',
          target: { kind: kind.segment, pk },
          outcome: 'deleted',
          caller: ADMIN_FINGERPRINT,
        }),
      ]);
      expect(gw.logs.join('\n')).not.toContain(ADMIN_TOKEN);
      expect(
        await metric(
          'gateway_write_mutations_total',
          `mutation="delete${typename}",outcome="deleted"`,
        ),
      ).toBe(before + 1);

      // Deleting it again: NOT_FOUND for the client, audited as such.
      gw.logs.length = 0;
      const again = await gw.gql(mutation, { id: globalId(typename, pk) });
      expect(codesOf(again)).toEqual(['NOT_FOUND']);
      expect(auditLines()).toEqual([
        expect.objectContaining({
          outcome: 'not_found',
          code: 'NOT_FOUND',
          target: { kind: kind.segment, pk },
        }),
      ]);
    },
  );

  it('audits a refused delete (an id of another type) without calling authentik', async () => {
    gw.logs.length = 0;
    gw.fake.resetRequests();
    const result = await gw.gql(
      'mutation { deleteRefreshToken(input: { id: "QWNjZXNzVG9rZW46MQ" }) { deletedId } }',
    );
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(deletes()).toEqual([]);
    expect(auditLines()).toEqual([
      expect.objectContaining({
        mutation: 'deleteRefreshToken',
        outcome: 'failed',
        code: 'BAD_USER_INPUT',
      }),
    ]);
  });
});

const REVOKE_TWICE = `mutation ($a: RevokeOAuth2GrantsInput!, $b: RevokeOAuth2GrantsInput!) {
  first: revokeOAuth2Grants(input: $a) { matchedCount deletedCount }
  second: revokeOAuth2Grants(input: $b) { matchedCount deletedCount }
}`;

describe('MAX_REVOKE bounds the whole operation (MAX_REVOKE=5 here)', () => {
  it('refuses two aliased revokes that match more than MAX_REVOKE together, before any DELETE', async () => {
    const a = restGrants(gw, ALL_KINDS[0]!, { user: 77 }).length;
    const b = restGrants(gw, ALL_KINDS[1]!, { user: 77 }).length;
    expect(a).toBeLessThanOrEqual(5);
    expect(b).toBeLessThanOrEqual(5);
    expect(a + b).toBeGreaterThan(5);
    gw.fake.resetRequests();
    gw.logs.length = 0;
    const result = await gw.gql(REVOKE_TWICE, {
      a: { userPk: 77, kinds: ['REFRESH_TOKEN'] },
      b: { userPk: 77, kinds: ['ACCESS_TOKEN'] },
    });
    // The payload is non-null: the first refusal ends the operation (graphql-js runs mutation
    // fields one after the other), so the second never runs.
    expect(codesOf(result)).toEqual(['LIMIT_EXCEEDED']);
    expect(result.data).toBeNull();
    expect(result.errors![0]!.extensions).toMatchObject({ limit: 'MAX_REVOKE', found: a + b });
    expect(deletes()).toEqual([]);
    expect(grantsOfUser(77).length).toBeGreaterThanOrEqual(a + b);
    expect(auditLines().map((line) => [line.mutation, line.outcome, line.code])).toEqual([
      ['revokeOAuth2Grants', 'refused', 'LIMIT_EXCEEDED'],
    ]);
  });

  it('runs aliased revokes that fit together, each deleting its own grants', async () => {
    const a = restGrants(gw, ALL_KINDS[1]!, { user: 31 }).length;
    const c = restGrants(gw, ALL_KINDS[2]!, { user: 31 }).length;
    expect(a + c).toBeLessThanOrEqual(5);
    gw.fake.resetRequests();
    const result = await gw.gql<Record<string, { matchedCount: number; deletedCount: number }>>(
      REVOKE_TWICE,
      {
        a: { userPk: 31, kinds: ['ACCESS_TOKEN'] },
        b: { userPk: 31, kinds: ['AUTHORIZATION_CODE'] },
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      first: { matchedCount: a, deletedCount: a },
      second: { matchedCount: c, deletedCount: c },
    });
    expect(deletes()).toHaveLength(a + c);
  });

  it('a dry run beside a revoke does not count against it', async () => {
    const a = restGrants(gw, ALL_KINDS[1]!, { user: 58 }).length;
    const dry = restGrants(gw, ALL_KINDS[2]!, { user: 61 }).length;
    expect(a).toBeLessThanOrEqual(5);
    expect(a + dry).toBeGreaterThan(5);
    const result = await gw.gql<Record<string, { matchedCount: number; deletedCount: number }>>(
      REVOKE_TWICE,
      {
        a: { userPk: 58, kinds: ['ACCESS_TOKEN'] },
        b: { userPk: 61, kinds: ['AUTHORIZATION_CODE'], dryRun: true },
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      first: { matchedCount: a, deletedCount: a },
      second: { matchedCount: dry, deletedCount: 0 },
    });
  });
});

describe('destructive defaults fail safe', () => {
  it.each([
    [
      'a literal dryRun: null',
      'mutation { revokeOAuth2Grants(input: { userPk: 16, dryRun: null }) { deletedCount } }',
      undefined,
    ],
    [
      'a variable dryRun: null',
      'mutation ($input: RevokeOAuth2GrantsInput!) { revokeOAuth2Grants(input: $input) { deletedCount } }',
      { input: { userPk: 16, dryRun: null } },
    ],
  ])('%s is refused and deletes nothing', async (_name, query, variables) => {
    const before = grantsOfUser(16).length;
    expect(before).toBeGreaterThan(0);
    gw.fake.resetRequests();
    const result = await gw.gql(query, variables);
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(result.data?.revokeOAuth2Grants ?? null).toBeNull();
    expect(deletes()).toEqual([]);
    expect(grantsOfUser(16)).toHaveLength(before);
  });
});
