import { builder } from '../builder.js';
import { positiveId, requirePositiveId } from '../../client-values.js';
import type { GatewayContext } from '../context.js';
import { badUserInput, notFound } from '../../errors.js';
import { failedWrite } from '../../observability/audit.js';
import type { WriteEvent } from '../../observability/audit.js';
import type { NodeTypeName } from '../node-ids.js';
import { decodeNodeId, encodeNodeId } from '../node-ids.js';
import type { GrantKind } from '../../upstream/grant-kinds.js';
import { GRANT_KINDS } from '../../upstream/grant-kinds.js';
import type { UpstreamGrant } from '../../upstream/types.js';
import { listInProse, lookupFieldOf } from './grant-names.js';
import { loadByPk } from './load-by-pk.js';
import { OAuth2ProviderRef } from './provider.js';
import { UserRef } from './user.js';

/**
 * What every OAuth2 grant kind shares: authentik serves them from endpoints with one view
 * configuration (upstream/grant-kinds.ts), and every kind carries these.
 */
export const OAuth2GrantRef = builder.interfaceRef<UpstreamGrant>('OAuth2Grant').implement({
  description: `An OAuth2 grant authentik issued to a user for a provider: a ${listInProse(
    GRANT_KINDS.map((kind) => kind.typename),
    'or',
  )}.`,
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    pk: t.exposeInt('pk', { description: "The grant's integer ID (unique within its kind)." }),
    provider: t.expose('provider', {
      type: OAuth2ProviderRef,
      description: 'The provider that issued the grant.',
    }),
    user: t.expose('user', { type: UserRef, description: 'The user the grant belongs to.' }),
    isExpired: t.exposeBoolean('is_expired', {
      description: 'Whether the grant had expired when authentik answered.',
    }),
    expires: t.expose('expires', {
      type: 'DateTime',
      nullable: true,
      description: 'When the grant expires (null: never).',
    }),
    scope: t.exposeStringList('scope', { description: 'Scopes the grant carries.' }),
  }),
});

const isPositivePk = (value: number) => positiveId(value) !== undefined;

/**
 * A grant kind as a Relay node: one object per pk per request, loaded by
 * `GET /oauth2/<segment>/{pk}/` unless the request has already received it.
 */
export function grantNodeRef(kind: GrantKind) {
  return builder.loadableNodeRef(kind.typename, {
    id: { resolve: (grant: UpstreamGrant) => grant.pk, parse: (id: string) => Number(id) },
    load: (pks: number[], context: GatewayContext) =>
      // A node id or entity key may carry pk 0: no such grant, and no call to find out.
      loadByPk(pks, async (pk) => (isPositivePk(pk) ? context.authentik.getGrant(kind, pk) : null)),
  });
}

/** A grant node ref (what {@link grantNodeRef} returns). */
export type GrantNodeRef = ReturnType<typeof grantNodeRef>;

/** How one grant kind appears in the schema: its row of GRANT_KINDS and its node ref. */
export interface GrantKindSchema {
  kind: GrantKind;
  ref: GrantNodeRef;
}

/** `<lookupField>(pk:)`: one grant by pk, null when authentik has none the caller may see. */
export function grantLookupField({ ref, kind }: GrantKindSchema): void {
  const { noun } = kind;
  builder.queryField(lookupFieldOf(kind), (t) =>
    t.field({
      type: ref,
      nullable: true,
      description:
        `One ${noun} by its integer id; null when authentik has none the caller may see. ` +
        `Several lookups in one operation run in parallel, and a ${noun} already listed costs no call.`,
      args: {
        pk: t.arg.int({ required: true, description: `The ${noun}'s integer ID.` }),
      },
      // After the operation's lists have landed: a grant they delivered costs no call.
      resolve: async (_root, { pk }, context) => {
        requirePositiveId(pk, 'pk');
        await context.lists.settled();
        return pk;
      },
    }),
  );
}

/**
 * `delete<Type>(input: { id })`: deletes one grant by global id. Never retried; NOT_FOUND for a
 * grant the caller cannot see (or already gone), FORBIDDEN without authentik's delete permission.
 */
export function grantDeleteMutation({ ref, kind }: GrantKindSchema): void {
  const { typename, noun, permission } = kind;
  builder.relayMutationField(
    `delete${typename}`,
    {
      description: `Identifies the ${noun} to delete.`,
      inputFields: (t) => ({
        id: t.id({
          required: true,
          description: `Global id of the ${noun} (${typename}.id).`,
        }),
      }),
    },
    {
      description:
        `Deletes (revokes for good) ${article(noun)} ${noun}. Needs the ${permission} permission in authentik: ` +
        `FORBIDDEN without it, NOT_FOUND for ${article(noun)} ${noun} the caller cannot see.`,
      resolve: async (_root, { input }, context, info) => {
        const audit: Pick<WriteEvent, 'mutation' | 'operationName' | 'target'> = {
          mutation: `delete${typename}`,
          operationName: info.operation.name?.value,
          target: { kind: kind.segment, id: String(input.id).slice(0, 100) },
        };
        try {
          const pk = pkOfNodeId(String(input.id), typename);
          audit.target = { kind: kind.segment, pk };
          if ((await context.authentik.deleteGrant(kind, pk)) === 'gone') {
            throw notFound(`authentik has no ${noun} ${pk} that you may delete`);
          }
          ref.getDataloader(context).clear(pk);
          const counts = {
            [kind.segment]: { matched: 1, deleted: 1, alreadyGone: 0, failed: 0 },
          };
          context.reportWrite({ ...audit, outcome: 'deleted', counts });
          return { deletedId: encodeNodeId(typename, pk) };
        } catch (error) {
          context.reportWrite({ ...audit, ...failedWrite(error) });
          throw error;
        }
      },
    },
    {
      description: `The outcome of delete${typename}.`,
      outputFields: (t) => ({
        deletedId: t.id({
          description: `Global id of the deleted ${noun}.`,
          resolve: (payload) => payload.deletedId,
        }),
      }),
    },
  );
}

const article = (noun: string) => (/^[aeiou]/.test(noun) ? 'an' : 'a');

// A mutation takes a global id; it must be one of `typename`, with a positive pk.
function pkOfNodeId(globalId: string, typename: NodeTypeName): number {
  const decoded = decodeNodeId(globalId);
  if (decoded.typename !== typename) {
    throw badUserInput(`"${globalId}" is the id of a ${decoded.typename}, not of a ${typename}`, {
      argument: 'input.id',
    });
  }
  return requirePositiveId(Number(decoded.id), 'input.id');
}
