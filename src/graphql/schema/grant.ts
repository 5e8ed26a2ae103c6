import { builder } from '../builder.js';
import { positiveId, requirePositiveId } from '../../client-values.js';
import type { GatewayContext } from '../context.js';
import { badUserInput, errorCodeOf, notFound } from '../../errors.js';
import type { WriteEvent } from '../../observability/audit.js';
import type { NodeTypeName } from '../node-ids.js';
import { decodeNodeId, encodeNodeId } from '../node-ids.js';
import type { GrantEndpoint } from '../../upstream/authentik.js';
import type { UpstreamToken } from '../../upstream/types.js';
import { loadByPk } from './load-by-pk.js';
import { OAuth2ProviderRef } from './provider.js';
import { UserRef } from './user.js';

/**
 * What every OAuth2 grant kind shares: authentik serves refresh tokens, access tokens and
 * authorization codes from endpoints with one view configuration, and all three carry these.
 */
export const OAuth2GrantRef = builder.interfaceRef<UpstreamToken>('OAuth2Grant').implement({
  description:
    'An OAuth2 grant authentik issued to a user for a provider: a RefreshToken, AccessToken or AuthorizationCode.',
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
 * `GET /oauth2/<endpoint>/{pk}/` unless the request has already received it.
 */
export function grantNodeRef(typename: NodeTypeName, endpoint: GrantEndpoint) {
  return builder.loadableNodeRef(typename, {
    id: { resolve: (grant: UpstreamToken) => grant.pk, parse: (id: string) => Number(id) },
    load: (pks: number[], context: GatewayContext) =>
      // A node id or entity key may carry pk 0: no such grant, and no call to find out.
      loadByPk(pks, async (pk) =>
        isPositivePk(pk) ? context.authentik.getGrant(endpoint, pk) : null,
      ),
  });
}

/** A grant node ref (what {@link grantNodeRef} returns). */
export type GrantNodeRef = ReturnType<typeof grantNodeRef>;

/** How one grant kind appears in the schema. */
export interface GrantKindSchema {
  typename: NodeTypeName;
  endpoint: GrantEndpoint;
  ref: GrantNodeRef;
  /** Lookup field, e.g. `refreshToken`. */
  lookupField: string;
}

/** `<lookupField>(pk:)`: one grant by pk, null when authentik has none the caller may see. */
export function grantLookupField({ ref, lookupField, endpoint }: GrantKindSchema): void {
  builder.queryField(lookupField, (t) =>
    t.field({
      type: ref,
      nullable: true,
      description:
        `One ${endpoint.noun} by its integer id; null when authentik has none the caller may see. ` +
        `Several lookups in one operation run in parallel, and a ${endpoint.noun} already listed costs no call.`,
      args: {
        pk: t.arg.int({ required: true, description: `The ${endpoint.noun}'s integer ID.` }),
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
export function grantDeleteMutation({ ref, typename, endpoint }: GrantKindSchema): void {
  const permission = `delete_${typename.toLowerCase()}`;
  builder.relayMutationField(
    `delete${typename}`,
    {
      description: `Identifies the ${endpoint.noun} to delete.`,
      inputFields: (t) => ({
        id: t.id({
          required: true,
          description: `Global id of the ${endpoint.noun} (${typename}.id).`,
        }),
      }),
    },
    {
      description:
        `Deletes (revokes for good) ${article(endpoint.noun)} ${endpoint.noun}. Needs the ${permission} permission in authentik: ` +
        `FORBIDDEN without it, NOT_FOUND for ${article(endpoint.noun)} ${endpoint.noun} the caller cannot see.`,
      resolve: async (_root, { input }, context, info) => {
        const audit: Pick<WriteEvent, 'mutation' | 'operationName' | 'target'> = {
          mutation: `delete${typename}`,
          operationName: info.operation.name?.value,
          target: { kind: endpoint.segment, id: String(input.id).slice(0, 100) },
        };
        try {
          const pk = pkOfNodeId(String(input.id), typename);
          audit.target = { kind: endpoint.segment, pk };
          if ((await context.authentik.deleteGrant(endpoint, pk)) === 'gone') {
            throw notFound(`authentik has no ${endpoint.noun} ${pk} that you may delete`);
          }
          ref.getDataloader(context).clear(pk);
          const counts = {
            [endpoint.segment]: { matched: 1, deleted: 1, alreadyGone: 0, failed: 0 },
          };
          context.reportWrite({ ...audit, outcome: 'deleted', counts });
          return { deletedId: encodeNodeId(typename, pk) };
        } catch (error) {
          const code = errorCodeOf(error);
          context.reportWrite({
            ...audit,
            outcome: code === 'NOT_FOUND' ? 'not_found' : 'failed',
            code,
          });
          throw error;
        }
      },
    },
    {
      description: `The outcome of delete${typename}.`,
      outputFields: (t) => ({
        deletedId: t.id({
          description: `Global id of the deleted ${endpoint.noun}.`,
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
