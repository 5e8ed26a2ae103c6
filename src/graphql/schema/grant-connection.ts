import { createContextCache } from '@pothos/core';
import type { GraphQLResolveInfo } from 'graphql';
import { builder } from '../builder.js';
import type { GatewayContext } from '../context.js';
import { badUserInput } from '../../errors.js';
import type { GrantConnection } from '../../pagination/connection-result.js';
import type { GrantConnectionArgs, GrantFilter } from '../../pagination/grant-connection.js';
import { fetchGrantConnection } from '../../pagination/grant-connection.js';
import { OrderDirection } from './enums.js';
import type { GrantKindSchema } from './grant.js';
import { listFieldOf } from './grant-names.js';
import { isFullProvider } from '../../upstream/normalize.js';
import { OAuth2ProviderRef } from './provider.js';
import { operationSelects, selectsChild } from './selection.js';
import { UserRef } from './user.js';

// authentik's ordering terms (a foreign key orders by its integer id).
const ORDER_FIELDS = {
  PK: { value: 'pk', description: "The grant's id." },
  PROVIDER: { value: 'provider', description: "The provider's id." },
  USER: { value: 'user', description: "The user's id." },
  EXPIRES: { value: 'expires', description: 'Expiry date.' },
} as const;
const REVOKED_ORDER = {
  REVOKED: { value: 'revoked', description: 'Revocation flag (false first when ascending).' },
} as const;

// Connections this request has read, by what decides their answer: a connection asked again in
// the same operation (the same user's tokens on several rows of a page) is read once.
const connectionsRead = createContextCache(() => new Map<string, Promise<GrantConnection>>());

/**
 * Resolves one grant connection for the arguments a client gave, and primes the request's loaders
 * with the page's grants, users and (when embedded whole) providers, so that a lookup of any of
 * them in the same operation costs no call. Lookups wait for it (`context.lists`). An identical
 * connection of the same operation gets the same answer without a call.
 */
export function resolveGrantConnection(
  { kind, ref }: GrantKindSchema,
  args: GrantConnectionArgs,
  context: GatewayContext,
  info: GraphQLResolveInfo,
): Promise<GrantConnection> {
  const needsTotalCount = selectsChild(info, 'totalCount');
  const read = connectionsRead(context);
  const key = JSON.stringify([kind.segment, needsTotalCount, args]);
  const known = read.get(key);
  if (known) return known;
  const page = fetchGrantConnection(context.authentik, kind, args, {
    maxPageSize: context.limits.maxPageSize,
    scanLimit: context.limits.searchScanLimit,
    searchLimits: {
      maxLength: context.limits.maxSearchLength,
      maxTerms: context.limits.maxSearchTerms,
    },
    needsTotalCount,
    includeGroups: operationSelects(info, 'groupsObj'),
    includeRoles: operationSelects(info, 'rolesObj'),
  }).then((connection) => {
    const grants = ref.getDataloader(context);
    const users = UserRef.getDataloader(context);
    const providers = OAuth2ProviderRef.getDataloader(context);
    for (const { node } of connection.edges) {
      grants.prime(node.pk, node);
      users.prime(node.user.pk, node.user);
      if (isFullProvider(node.provider)) providers.prime(node.provider.pk, node.provider);
    }
    return connection;
  });
  read.set(key, page);
  return context.lists.track(page);
}

// A parent (user or provider) fixes one filter; a different value from the client is a mistake.
function withFixedFilter(
  args: GrantConnectionArgs,
  key: 'userPk' | 'providerPk',
  pk: number,
): GrantConnectionArgs {
  const given = args.filter?.[key];
  if (given != null && given !== pk) {
    throw badUserInput(
      `filter.${key} is ${given} but this connection belongs to ${key.replace('Pk', '')} ${pk}`,
      { argument: `filter.${key}` },
    );
  }
  const filter: GrantFilter = { ...args.filter, [key]: pk };
  return { ...args, filter };
}

/**
 * Defines one grant kind's connection: `<Type>OrderField`, `<Type>Order`, `<Type>Filter`,
 * `<Type>Connection` (with totalCount) and the `<listField>` connection on Query, User and
 * OAuth2Provider, all resolved by the same machinery with the kind's endpoint.
 */
export function defineGrantConnection(schema: GrantKindSchema): void {
  const { kind, ref } = schema;
  const { typename, noun } = kind;
  const listField = listFieldOf(kind);
  // `TokenModel` rows have `revoked` (filter and ordering); `ExpiringBaseGrantModel` rows not.
  const hasRevoked = kind.model === 'TokenModel';
  const nouns = `${noun}s`;
  const orderField = builder.enumType(`${typename}OrderField`, {
    description: `A field ${nouns} can be ordered by (authentik orders foreign keys by their integer id).`,
    values: hasRevoked ? { ...ORDER_FIELDS, ...REVOKED_ORDER } : ORDER_FIELDS,
  });
  const orderInput = builder.inputType(`${typename}Order`, {
    description: `One ordering term. Terms apply in the order given; the ${noun} id always breaks ties last.`,
    fields: (t) => ({
      field: t.field({ type: orderField, required: true, description: 'What to order by.' }),
      direction: t.field({
        type: OrderDirection,
        required: true,
        defaultValue: 'asc',
        description: 'Ascending or descending.',
      }),
    }),
  });
  const filterInput = builder.inputType(`${typename}Filter`, {
    description:
      `Narrows the list. providerPk and userPk are applied by authentik; ` +
      `${hasRevoked ? 'isExpired and revoked' : 'isExpired'} by the gateway while it reads the list.`,
    fields: (t) => ({
      providerPk: t.int({ description: `Only ${nouns} of this provider.` }),
      userPk: t.int({ description: `Only ${nouns} of this user.` }),
      isExpired: t.boolean({
        description: `Only expired (true) or unexpired (false) ${nouns}, as authentik reports them.`,
      }),
      ...(hasRevoked
        ? {
            revoked: t.boolean({
              description: `Only revoked (true) or unrevoked (false) ${nouns}.`,
            }),
          }
        : {}),
    }),
  });
  const connection = builder.connectionObject(
    {
      type: ref,
      name: `${typename}Connection`,
      description: `A page of ${nouns}.`,
      fields: (t) => ({
        totalCount: t.int({
          description:
            `Number of ${nouns} the arguments select (all pages). ` +
            `With search${hasRevoked ? ', isExpired or revoked' : ' or isExpired'} this reads the whole list.`,
          resolve: (page) => {
            const { totalCount } = page as unknown as GrantConnection;
            if (totalCount === undefined) throw new Error('totalCount was not computed');
            return totalCount;
          },
        }),
      }),
    },
    {
      name: `${typename}Edge`,
      description: `${article(noun)} ${noun} and its cursor.`,
    },
  );
  const listArgs = builder.args((t) => ({
    search: t.string({
      description:
        'Words (whitespace or comma separated, "quoted phrases" kept whole) that must each appear, case-insensitively, ' +
        "in the user's username, name or email, the provider's name, its application's name or slug, or a scope. " +
        'At most 256 characters and 10 words by default (MAX_SEARCH_LENGTH, MAX_SEARCH_TERMS).',
    }),
    orderBy: t.field({
      type: [orderInput],
      description: `Ordering terms; default authentik's (provider, expires). The ${noun} id always breaks ties.`,
    }),
    filter: t.field({ type: filterInput, description: 'Narrows the list.' }),
  }));
  const resolve = (args: unknown, context: GatewayContext, info: GraphQLResolveInfo) =>
    resolveGrantConnection(schema, args as GrantConnectionArgs, context, info);

  builder.queryField(listField, (t) =>
    t.connection(
      {
        type: ref,
        description:
          `The caller's OAuth2 ${nouns} (all of them for an authentik superuser, else the caller's own), ` +
          '20 per page unless first/last say otherwise.',
        args: listArgs,
        resolve: (_root, args, context, info) => resolve(args, context, info),
      },
      connection,
    ),
  );
  builder.objectField(UserRef, listField, (t) =>
    t.connection(
      {
        type: ref,
        description: `This user's ${nouns}, with the same arguments as Query.${listField}.`,
        args: listArgs,
        resolve: (user, args, context, info) =>
          resolve(withFixedFilter(args as GrantConnectionArgs, 'userPk', user.pk), context, info),
      },
      connection,
    ),
  );
  builder.objectField(OAuth2ProviderRef, listField, (t) =>
    t.connection(
      {
        type: ref,
        description: `This provider's ${nouns}, with the same arguments as Query.${listField}.`,
        args: listArgs,
        resolve: (provider, args, context, info) =>
          resolve(
            withFixedFilter(args as GrantConnectionArgs, 'providerPk', provider.pk),
            context,
            info,
          ),
      },
      connection,
    ),
  );
}

const article = (noun: string) => (/^[aeiou]/.test(noun) ? 'An' : 'A');
