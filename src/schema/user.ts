import { builder } from '../builder.js';
import type { GatewayContext } from '../context.js';
import { isPermissionDenied } from '../errors.js';
import type { UpstreamGroup, UpstreamRole, UpstreamUser } from '../upstream/types.js';
import { UserType } from './enums.js';
import { referenceNeedsLoad } from './entity-reference.js';
import { loadByPk } from './load-by-pk.js';

export const GroupRef = builder.objectRef<UpstreamGroup>('Group').implement({
  description:
    "A group the user belongs to: authentik's PartialGroup (2025.10+) or UserGroup (older, with parent).",
  fields: (t) => ({
    pk: t.field({ type: 'UUID', description: 'Group uuid.', resolve: (g) => g.pk }),
    numPk: t.int({
      nullable: true,
      description: 'A numerical, int32 ID for the group.',
      resolve: (g) => g.num_pk ?? null,
    }),
    name: t.exposeString('name', { description: "The group's name." }),
    isSuperuser: t.boolean({
      nullable: true,
      description: 'Users added to this group will be superusers.',
      resolve: (g) => g.is_superuser ?? null,
    }),
    parent: t.field({
      type: 'UUID',
      nullable: true,
      description: 'Parent group (authentik up to 2025.8 only; null otherwise).',
      resolve: (g) => g.parent ?? null,
    }),
    parentName: t.string({
      nullable: true,
      description: "Parent group's name (authentik up to 2025.8 only; null otherwise).",
      resolve: (g) => g.parent_name ?? null,
    }),
    attributes: t.field({
      type: 'JSON',
      nullable: true,
      description: "The group's attributes.",
      resolve: (g) => g.attributes ?? null,
    }),
  }),
});

export const RoleRef = builder.objectRef<UpstreamRole>('Role').implement({
  description: 'An RBAC role assigned to the user (authentik 2025.12+).',
  fields: (t) => ({
    pk: t.field({ type: 'UUID', description: 'Role uuid.', resolve: (r) => r.pk }),
    name: t.exposeString('name', { description: "The role's name." }),
  }),
});

/** Users: one object per pk per request, loaded by `GET /core/users/{pk}/` when not seen yet. */
export const UserRef = builder.loadableNodeRef('User', {
  id: { resolve: (user: UpstreamUser) => user.pk, parse: (id: string) => Number(id) },
  load: (pks: number[], context: GatewayContext) =>
    loadByPk(
      pks,
      context,
      () => context.seen.users,
      (pk) => context.authentik.getUser(pk),
    ),
});

// What a key-only `{ pk }` reference answers: `uuid` lazily (see the field), the rest from pk.
const ANSWERED_BY_PK = new Set([
  'pk',
  'id',
  'uuid',
  'refreshTokens',
  'accessTokens',
  'authorizationCodes',
]);

/**
 * User as a federation entity, by `pk` or `uuid`. A `pk` reference that asks only for `pk`, `id`,
 * `uuid` or `refreshTokens` is answered from the key, with no lookup; otherwise the loader fetches
 * the user. A `uuid` reference is looked up with `GET /core/users/?uuid=`.
 */
builder.asEntity(UserRef, {
  key: [builder.selection<{ pk: number }>('pk'), builder.selection<{ uuid: string }>('uuid')],
  resolveReference: async (ref, context, info) => {
    if (!('pk' in ref)) {
      const user = await context.authentik.findUserByUuid(ref.uuid);
      return user && context.seen.user(user);
    }
    if (referenceNeedsLoad(info, 'User', ANSWERED_BY_PK)) {
      return UserRef.getDataloader(context).load(ref.pk);
    }
    return { pk: ref.pk } as UpstreamUser;
  },
});

// A key-only reference has no uuid, and routers that ask every reference for all its keys (Hive
// Gateway) want it: the loader finds it, in the user embedded in a token list when there is one.
// A caller who may not look the user up gets null rather than a failed answer.
async function uuidOfReference(pk: number, context: GatewayContext): Promise<string | null> {
  try {
    return (await UserRef.getDataloader(context).load(pk)).uuid ?? null;
  } catch (error) {
    if (isPermissionDenied(error)) return null;
    throw error;
  }
}

UserRef.implement({
  description:
    'An authentik user, as embedded in the refresh tokens (or loaded from /core/users/{pk}/).',
  fields: (t) => ({
    pk: t.exposeInt('pk', { description: "The user's integer ID." }),
    uuid: t.field({
      type: 'UUID',
      nullable: true,
      description:
        "The user's UUID (always set on users from token lists; null for a federation key-only reference " +
        'to a user the caller may not look up).',
      resolve: (u, _, context) => u.uuid ?? uuidOfReference(u.pk, context),
    }),
    username: t.exposeString('username', { description: 'Username, unique.' }),
    name: t.string({ description: "User's display name.", resolve: (u) => u.name ?? '' }),
    isActive: t.boolean({
      nullable: true,
      description: 'Designates whether this user should be treated as active.',
      resolve: (u) => u.is_active ?? null,
    }),
    lastLogin: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Last login.',
      resolve: (u) => u.last_login ?? null,
    }),
    dateJoined: t.field({
      type: 'DateTime',
      description: 'When the account was created.',
      resolve: (u) => u.date_joined!,
    }),
    isSuperuser: t.boolean({
      description: 'Whether the user is a superuser.',
      resolve: (u) => u.is_superuser ?? false,
    }),
    groups: t.field({
      type: ['UUID'],
      description: 'UUIDs of the groups the user is in.',
      resolve: (u) => u.groups ?? [],
    }),
    groupsObj: t.field({
      type: [GroupRef],
      nullable: true,
      description: 'The groups the user is in (null when authentik leaves them out).',
      resolve: (u) => u.groups_obj ?? null,
    }),
    roles: t.field({
      type: ['UUID'],
      nullable: true,
      description: 'UUIDs of the roles the user has (authentik 2025.12+; null before).',
      resolve: (u) => u.roles ?? null,
    }),
    rolesObj: t.field({
      type: [RoleRef],
      nullable: true,
      description: 'The roles the user has (authentik 2025.12+; null before, or when left out).',
      resolve: (u) => u.roles_obj ?? null,
    }),
    email: t.string({
      nullable: true,
      description: 'Email address.',
      resolve: (u) => u.email ?? null,
    }),
    avatar: t.string({
      description: "User's avatar: an http(s) URL or a data URI.",
      resolve: (u) => u.avatar ?? '',
    }),
    attributes: t.field({
      type: 'JSON',
      nullable: true,
      description: "The user's attributes.",
      resolve: (u) => u.attributes ?? null,
    }),
    uid: t.string({
      description: "The user's unique hashed identifier (64 hex digits).",
      resolve: (u) => u.uid ?? '',
    }),
    path: t.string({
      nullable: true,
      description: 'Path of the user in the directory.',
      resolve: (u) => u.path ?? null,
    }),
    type: t.field({
      type: UserType.ref,
      nullable: true,
      description: 'Kind of user.',
      resolve: (u) => UserType.parse(u.type),
    }),
    passwordChangeDate: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the password was last changed.',
      resolve: (u) => u.password_change_date ?? null,
    }),
    lastUpdated: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the user was last updated.',
      resolve: (u) => u.last_updated ?? null,
    }),
  }),
});
