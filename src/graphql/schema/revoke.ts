import { builder } from '../builder.js';
import type { GatewayContext } from '../context.js';
import { badUserInput } from '../../errors.js';
import { encodeNodeId } from '../node-ids.js';
import type { RevokeFailure, RevokeRequest, RevokeResult } from '../../grants/revoke.js';
import { REVOKE_DELETES_IN_FLIGHT, revokeGrants } from '../../grants/revoke.js';
import { revokeListingFor } from './revoke-operation.js';
import { failedWrite } from '../../observability/audit.js';
import type { WriteEvent } from '../../observability/audit.js';
import type { GrantSegment } from '../../upstream/grant-kinds.js';
import { GRANT_KINDS, grantKindOf } from '../../upstream/grant-kinds.js';
import { GRANT_REFS } from './grant-types.js';
import { GRANT_KIND_COUNT, enumValueOf } from './grant-names.js';
import { requirePositiveId } from '../../client-values.js';

const ALL_KINDS: GrantSegment[] = GRANT_KINDS.map((kind) => kind.segment);

/** revokeOAuth2Grants' `kinds`: values are the endpoints' path segments. */
export const OAuth2GrantKind = builder.enumType('OAuth2GrantKind', {
  description: 'A kind of OAuth2 grant authentik keeps.',
  values: Object.fromEntries(
    GRANT_KINDS.map((kind) => [
      enumValueOf(kind),
      { value: kind.segment, description: `${kind.typename}.` },
    ]),
  ) as Record<string, { value: GrantSegment; description: string }>,
});

const RevokeFailureRef = builder.objectRef<RevokeFailure>('OAuth2GrantRevokeFailure').implement({
  description: 'A grant revokeOAuth2Grants could not delete (the others were still deleted).',
  fields: (t) => ({
    id: t.id({
      description: 'Global id of the grant.',
      resolve: (f) => encodeNodeId(f.endpoint.typename, f.pk),
    }),
    kind: t.field({
      type: OAuth2GrantKind,
      description: 'Its kind.',
      resolve: (f) => f.endpoint.segment,
    }),
    code: t.string({
      description:
        'FORBIDDEN (authentik answered 403: the delete permission is missing) or UPSTREAM_ERROR ' +
        '(5xx, connection reset, timeout): run the mutation again to retry.',
      resolve: (f) => f.code,
    }),
    message: t.exposeString('message', { description: 'What went wrong.' }),
  }),
});

// Identifies which grants; a revoke of every grant of the tenant is refused (not one click).
function readTarget(input: { userPk?: number | null; providerPk?: number | null }) {
  if (input.userPk == null && input.providerPk == null) {
    throw badUserInput(
      'revokeOAuth2Grants needs input.userPk or input.providerPk (or both): revoking every grant of the tenant at once is refused',
      { argument: 'input.userPk' },
    );
  }
  return {
    userPk: input.userPk == null ? undefined : requirePositiveId(input.userPk, 'input.userPk'),
    providerPk:
      input.providerPk == null
        ? undefined
        : requirePositiveId(input.providerPk, 'input.providerPk'),
  };
}

function readKinds(kinds: readonly GrantSegment[] | null | undefined): GrantSegment[] {
  if (kinds == null) return ALL_KINDS;
  if (kinds.length === 0) {
    throw badUserInput(
      `input.kinds must name at least one kind (omit it for all ${GRANT_KIND_COUNT})`,
      {
        argument: 'input.kinds',
      },
    );
  }
  return ALL_KINDS.filter((kind) => kinds.includes(kind));
}

interface RevokeInput {
  userPk?: number | null;
  providerPk?: number | null;
  kinds?: readonly GrantSegment[] | null;
  dryRun: boolean;
}

// The revoke one field's input asks for (also read for the operation's other revokes).
function revokeRequestOf(input: RevokeInput, maxRevoke: number): RevokeRequest {
  return {
    ...readTarget(input),
    endpoints: readKinds(input.kinds).map(grantKindOf),
    dryRun: input.dryRun,
    maxRevoke,
  };
}

// The audit event of one revoke: its filter, outcome and counts by kind.
function revokeEvent(
  input: RevokeInput,
  operationName: string | undefined,
  outcome: { result: RevokeResult } | { error: unknown },
): WriteEvent {
  const target = { userPk: input.userPk ?? undefined, providerPk: input.providerPk ?? undefined };
  const base = { mutation: 'revokeOAuth2Grants', operationName, target };
  if ('error' in outcome) return { ...base, ...failedWrite(outcome.error) };
  const { result } = outcome;
  const counts = Object.fromEntries(result.byKind);
  if (result.dryRun) return { ...base, outcome: 'dry_run', counts };
  const failed = result.failures.length > 0;
  return {
    ...base,
    outcome: failed ? 'failed' : 'deleted',
    ...(failed ? { code: result.failures[0]!.code } : {}),
    counts,
  };
}

// Deleted (or already gone) grants must not be answered from this request's caches afterwards.
function forgetRemoved(context: GatewayContext, result: RevokeResult): void {
  for (const { endpoint, pk } of result.removed) {
    GRANT_REFS[endpoint.typename].getDataloader(context).clear(pk);
  }
}

builder.relayMutationField(
  'revokeOAuth2Grants',
  {
    description:
      'Which grants to revoke: those of a user, of a provider, or of a user at a provider. ' +
      'At least one of userPk and providerPk is required.',
    inputFields: (t) => ({
      userPk: t.int({ description: 'Only grants of this user.' }),
      providerPk: t.int({ description: 'Only grants of this provider.' }),
      kinds: t.field({
        type: [OAuth2GrantKind],
        defaultValue: [...ALL_KINDS],
        description: `Which kinds of grant (default all ${GRANT_KIND_COUNT}).`,
      }),
      dryRun: t.boolean({
        // Non-null: an explicit `dryRun: null` is refused, never taken for a delete.
        required: true,
        defaultValue: false,
        description: 'List and count what would be revoked; delete nothing (null is refused).',
      }),
    }),
  },
  {
    description:
      'Revokes (deletes) every OAuth2 grant of a user and/or provider that the caller can see: a superuser ' +
      'every matching grant, anyone else only their own. It lists what matches, then deletes each grant ' +
      `(at most ${REVOKE_DELETES_IN_FLIGHT} deletes at once, none retried)` +
      ': one already gone counts in alreadyGoneCount, one that ' +
      'fails is reported in failures and the rest go on, so running it again finishes the job. ' +
      'More matches than MAX_REVOKE allows, counted over every revokeOAuth2Grants of the operation, ' +
      'are refused with LIMIT_EXCEEDED before anything is deleted. Every call writes an audit log line.',
    // MAX_COST counts the first list page of each kind; the DELETEs are bounded by MAX_REVOKE.
    extensions: { upstreamCost: GRANT_KINDS.length },
    resolve: async (_root, { input }, context, info) => {
      const operationName = info.operation.name?.value;
      const { maxRevoke } = context.limits;
      try {
        const request = revokeRequestOf(input, maxRevoke);
        const listing = await revokeListingFor(info, context, request, (other) =>
          revokeRequestOf(other as RevokeInput, maxRevoke),
        );
        const result = await revokeGrants(context.authentik, listing);
        forgetRemoved(context, result);
        context.reportWrite(revokeEvent(input, operationName, { result }));
        return result;
      } catch (error) {
        context.reportWrite(revokeEvent(input, operationName, { error }));
        throw error;
      }
    },
  },
  {
    description: 'The outcome of revokeOAuth2Grants.',
    outputFields: (t) => ({
      dryRun: t.boolean({ description: 'Whether this was a dry run.', resolve: (r) => r.dryRun }),
      matchedCount: t.int({
        description: 'Grants that matched (and were to be deleted).',
        resolve: (r) => r.matchedCount,
      }),
      deletedCount: t.int({ description: 'Grants deleted now.', resolve: (r) => r.deletedCount }),
      alreadyGoneCount: t.int({
        description: 'Matched grants that were gone by the time of their delete (authentik 404).',
        resolve: (r) => r.alreadyGoneCount,
      }),
      failures: t.field({
        type: [RevokeFailureRef],
        description: 'Grants that could not be deleted, with the reason.',
        resolve: (r) => r.failures,
      }),
    }),
  },
);
