import { badUserInput } from '../errors.js';
import { positiveId } from '../client-values.js';
import type { GrantTypename } from '../upstream/grant-kinds.js';
import { GRANT_KINDS } from '../upstream/grant-kinds.js';

export type NodeTypeName = GrantTypename | 'OAuth2Provider' | 'User';
/** Types that implement Node, and so can be fetched by `node(id:)`: every grant kind, providers, users. */
export const NODE_TYPES: readonly NodeTypeName[] = [
  ...GRANT_KINDS.map((kind) => kind.typename),
  'OAuth2Provider',
  'User',
];

/** Global ids are base64url of `<Type>:<pk>`, e.g. `User:7`. */
export function encodeNodeId(typename: string, pk: bigint | number | string): string {
  return Buffer.from(`${typename}:${pk}`).toString('base64url');
}

/** Decodes a global id; BAD_USER_INPUT when it is not one this gateway issues. */
export function decodeNodeId(globalId: string): { typename: NodeTypeName; id: string } {
  const text = /^[A-Za-z0-9_=+/-]{1,200}$/.test(globalId)
    ? Buffer.from(globalId, 'base64url').toString('utf8')
    : '';
  // The pk must be a valid pk (client-values.ts): anything else can name no object and is never
  // sent on.
  const match = /^([A-Za-z0-9]+):(\d{1,10})$/.exec(text);
  const typename = match?.[1] as NodeTypeName | undefined;
  if (!match || !typename || !NODE_TYPES.includes(typename) || positiveId(match[2]) === undefined) {
    throw badUserInput(`"${globalId.slice(0, 60)}" is not a node id issued by this gateway`, {
      argument: 'id',
    });
  }
  return { typename, id: match[2]! };
}
