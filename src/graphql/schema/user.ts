import { builder } from '../builder.js';
import type { GatewayContext } from '../context.js';
import { isPermissionDenied } from '../../errors.js';
import type { UpstreamGroup, UpstreamRole, UpstreamUser } from '../../upstream/types.js';
import { UserType } from './enums.js';
import { referenceNeedsLoad } from './entity-reference.js';
import { GRANT_LIST_FIELDS } from './grant-names.js';
import { loadByPk } from './load-by-pk.js';

export const GroupRef = builder.objectRef<UpstreamGroup>('Group').implement({
  description:
    "A group the user belongs to: authentik's PartialGroup (2025.10+) or UserGroup (older, with parent).",
  fields: (t) => ({
    pk: t.expose('pk', { type: 'UUID', description: 'Group uuid.' }),
    numPk: t.exposeInt('num_pk', {
      nullable: true,
      description: 'A numerical, int32 ID for the group.',
    }),
    name: t.exposeString('name', { description: "The group's name." }),
    isSuperuser: t.exposeBoolean('is_superuser', {
      nullable: true,
      description: 'Users added to this group will be superusers.',
    }),
    parent: t.expose('parent', {
      type: 'UUID',
      nullable: true,
      description: 'Parent group (authentik up to 2025.8 only; null otherwise).',
    }),
    parentName: t.exposeString('parent_name', {
      nullable: true,
      description: "Parent group's name (authentik up to 2025.8 only; null otherwise).",
    }),
    attributes: t.expose('attributes', {
      type: 'JSON',
      nullable: true,
      description: "The group's attributes.",
    }),
  }),
});

export const RoleRef = builder.objectRef<UpstreamRole>('Role').implement({
  description: 'An RBAC role assigned to the user (authentik 2025.12+).',
  fields: (t) => ({
    pk: t.expose('pk', { type: 'UUID', description: 'Role uuid.' }),
    name: t.exposeString('name', { description: "The role's name." }),
  }),
});

/**
 * Users: loaded by `GET /core/users/{pk}/`, once per pk per request; users embedded in a list
 * answer are primed into the loader and cost no call.
 */
export const UserRef = builder.loadableNodeRef('User', {
  id: { resolve: (user: UpstreamUser) => user.pk, parse: (id: string) => Number(id) },
  load: (pks: number[], context: GatewayContext) =>
    loadByPk(pks, (pk) => context.authentik.getUser(pk)),
});

// What a key-only `{ pk }` reference answers: `uuid` lazily (see the field), the rest from pk.
const ANSWERED_BY_PK = new Set(['pk', 'id', 'uuid', ...GRANT_LIST_FIELDS]);

/**
 * User as a federation entity, by `pk` or `uuid`. A `pk` reference that asks only for `pk`, `id`,
 * `uuid` or a grant connection is answered from the key, with no lookup; otherwise the loader fetches
 * the user. A `uuid` reference is looked up with `GET /core/users/?uuid=`.
 */
builder.asEntity(UserRef, {
  key: [builder.selection<{ pk: number }>('pk'), builder.selection<{ uuid: string }>('uuid')],
  resolveReference: async (ref, context, info) => {
    if (!('pk' in ref)) {
      const user = await context.authentik.findUserByUuid(ref.uuid);
      if (user) UserRef.getDataloader(context).prime(user.pk, user);
      return user;
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
  // A sibling `refreshTokens` list may deliver (and prime) the user: wait for it first.
  await context.lists.settled();
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
    name: t.exposeString('name', { description: "User's display name." }),
    isActive: t.exposeBoolean('is_active', {
      nullable: true,
      description: 'Designates whether this user should be treated as active.',
    }),
    lastLogin: t.expose('last_login', {
      type: 'DateTime',
      nullable: true,
      description: 'Last login.',
    }),
    dateJoined: t.field({
      type: 'DateTime',
      description: 'When the account was created.',
      // Not defaulted at the boundary: every version sends it, and there is no honest default.
      resolve: (u) => u.date_joined!,
    }),
    isSuperuser: t.exposeBoolean('is_superuser', {
      description: 'Whether the user is a superuser.',
    }),
    groups: t.expose('groups', {
      type: ['UUID'],
      description: 'UUIDs of the groups the user is in.',
    }),
    groupsObj: t.expose('groups_obj', {
      type: [GroupRef],
      nullable: true,
      description: 'The groups the user is in (null when authentik leaves them out).',
    }),
    roles: t.expose('roles', {
      type: ['UUID'],
      nullable: true,
      description: 'UUIDs of the roles the user has (authentik 2025.12+; null before).',
    }),
    rolesObj: t.expose('roles_obj', {
      type: [RoleRef],
      nullable: true,
      description: 'The roles the user has (authentik 2025.12+; null before, or when left out).',
    }),
    email: t.exposeString('email', { nullable: true, description: 'Email address.' }),
    avatar: t.exposeString('avatar', {
      description: "User's avatar: an http(s) URL or a data URI.",
    }),
    attributes: t.expose('attributes', {
      type: 'JSON',
      nullable: true,
      description: "The user's attributes.",
    }),
    uid: t.exposeString('uid', {
      description: "The user's unique hashed identifier (64 hex digits).",
    }),
    path: t.exposeString('path', {
      nullable: true,
      description: 'Path of the user in the directory.',
    }),
    type: t.field({
      type: UserType.ref,
      nullable: true,
      description: 'Kind of user.',
      resolve: (u) => UserType.parse(u.type),
    }),
    passwordChangeDate: t.expose('password_change_date', {
      type: 'DateTime',
      nullable: true,
      description: 'When the password was last changed.',
    }),
    lastUpdated: t.expose('last_updated', {
      type: 'DateTime',
      nullable: true,
      description: 'When the user was last updated.',
    }),
  }),
});
