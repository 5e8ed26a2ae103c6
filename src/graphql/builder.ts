import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import DirectivesPlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import RelayPlugin from '@pothos/plugin-relay';
import type { GatewayContext } from './context.js';
import { DateTimeScalar, JSONScalar, UUIDScalar } from './scalars.js';
import { decodeNodeId, encodeNodeId } from './node-ids.js';
import { DEFAULT_PAGE_ROWS } from '../pagination/window-args.js';

/** The one Pothos builder: plugins, context and scalars. Types live in `src/graphql/schema/`. */
export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    UUID: { Input: string; Output: string };
  };
}>({
  plugins: [DirectivesPlugin, RelayPlugin, DataloaderPlugin, FederationPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    encodeGlobalID: encodeNodeId,
    idFieldOptions: { description: 'Global id (Relay Node): base64url of "<Type>:<pk>".' },
    nodeTypeOptions: { description: 'An object with a global id, fetchable with Query.node.' },
    nodeQueryOptions: {
      description:
        'Fetches a RefreshToken, AccessToken, AuthorizationCode, User or OAuth2Provider by its global id.',
      args: {
        id: {
          description: 'A global id (the id field of an OAuth2Grant, User or OAuth2Provider).',
        },
      },
      // In a supergraph, node/nodes are hidden (@inaccessible): see "Federation" in the README.
      shareable: true,
      inaccessible: true,
      // After the operation's lists have landed: an object they delivered costs no call.
      resolve: async (_root, args, context, _info, resolveNode) => {
        await context.lists.settled();
        return resolveNode(args.id);
      },
    },
    nodesQueryOptions: {
      description: 'Fetches several objects by global id, in parallel; unknown ids give null.',
      args: { ids: { description: 'Global ids, as for node(id:).' } },
      shareable: true,
      inaccessible: true,
      resolve: async (_root, args, context, _info, resolveNodes) => {
        await context.lists.settled();
        return resolveNodes(args.ids);
      },
    },
    mutationInputArgOptions: { description: 'The mutation input.' },
    decodeGlobalID: decodeNodeId,
    cursorType: 'String',
    nodesOnConnection: { description: 'The nodes of the edges, for clients that need no cursors.' },
    edgesFieldOptions: {
      nullable: { list: false, items: false },
      description: 'The page, one edge per row.',
    },
    nodeFieldOptions: { nullable: false, description: 'The row.' },
    cursorFieldOptions: { description: 'Opaque position of the row, for after/before.' },
    pageInfoFieldOptions: { description: 'Where this page sits in the whole list.' },
    pageInfoTypeOptions: {
      description: 'Relay page information, true to the data in both directions.',
      // A value type every Relay subgraph defines: each resolves its own (federation @shareable).
      shareable: true,
    },
    hasNextPageFieldOptions: { description: 'Whether rows follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Whether rows precede this page.' },
    startCursorFieldOptions: {
      description: 'Cursor of the first row of the page (null when empty).',
    },
    endCursorFieldOptions: { description: 'Cursor of the last row of the page (null when empty).' },
    firstArgOptions: {
      description: `Rows from the start of the range (0 to MAX_PAGE_SIZE, default ${DEFAULT_PAGE_ROWS}).`,
    },
    lastArgOptions: { description: 'Rows from the end of the range (0 to MAX_PAGE_SIZE).' },
    afterArgOptions: { description: 'Only rows after this cursor.' },
    beforeArgOptions: { description: 'Only rows before this cursor.' },
  },
});

builder.addScalarType('DateTime', DateTimeScalar);
builder.addScalarType('JSON', JSONScalar);
builder.addScalarType('UUID', UUIDScalar);
