import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { badDocumentRequest, persistedQueryNotFound, persistedQueryNotInList } from '../errors.js';
import type { TrustedDocumentStore } from './trusted-document-store.js';

/**
 * How a request's document was judged: `trusted` (listed, by id or exact text), `untrusted`
 * (free-form text run because ALLOW_ARBITRARY_DOCUMENTS is on) or `refused`.
 */
export type DocumentTrust = 'trusted' | 'untrusted' | 'refused';

export interface TrustedDocumentsOptions {
  /** The listed documents (TRUSTED_DOCUMENTS). */
  store: TrustedDocumentStore;
  /** Free-form documents run as well: the rollout mode (ALLOW_ARBITRARY_DOCUMENTS). */
  allowArbitrary: boolean;
  /** Called once per operation with how its document was judged (the /metrics counter). */
  onDocument?: (trust: DocumentTrust) => void;
}

// What a request names its document by: nothing, an id, or something that cannot be an id.
type RequestedId =
  | { kind: 'none' }
  | { kind: 'id'; id: string; documentId: boolean }
  | { kind: 'invalid'; message: string };

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function ownValue(object: unknown, key: string): unknown {
  return object !== null && typeof object === 'object' && Object.hasOwn(object, key)
    ? (object as Record<string, unknown>)[key]
    : undefined;
}

// `documentId` (a POST body's, or a GET query string's: yoga's GET parser keeps only the four
// standard parameters), else Apollo's `extensions.persistedQuery: { version: 1, sha256Hash }`.
function requestedId(params: GraphQLParams, request: Request): RequestedId {
  let documentId = ownValue(params, 'documentId');
  if (documentId == null && request.method === 'GET') {
    documentId = new URL(request.url).searchParams.get('documentId');
  }
  if (documentId != null) {
    return typeof documentId === 'string' && documentId !== ''
      ? { kind: 'id', id: documentId, documentId: true }
      : {
          kind: 'invalid',
          message: `documentId must be a non-empty string, got ${kindOf(documentId)}.`,
        };
  }
  const persisted = ownValue(params.extensions, 'persistedQuery');
  if (persisted == null) return { kind: 'none' };
  const version = ownValue(persisted, 'version');
  const hash = ownValue(persisted, 'sha256Hash');
  if (version !== 1 || typeof hash !== 'string' || hash === '') {
    return {
      kind: 'invalid',
      message:
        'extensions.persistedQuery must be { version: 1, sha256Hash: "<non-empty string>" }, got ' +
        `version ${kindOf(version)} and sha256Hash ${kindOf(hash)}.`,
    };
  }
  return { kind: 'id', id: hash, documentId: false };
}

/**
 * Only trusted documents run (TRUSTED_DOCUMENTS). A request names one by id (`documentId`, POST
 * or GET, or Apollo's `extensions.persistedQuery.sha256Hash`) and The Guild's persisted-operations
 * plugin swaps in its text; a `query` text runs only if it is exactly a listed document, or in
 * rollout mode (ALLOW_ARBITRARY_DOCUMENTS). Anything else is refused here, before it is parsed:
 * PERSISTED_QUERY_NOT_IN_LIST for text, PERSISTED_QUERY_NOT_FOUND for an unknown id, BAD_REQUEST
 * for an id that is not a string. A listed document then goes through every other plugin as
 * usual (parse and validation cache, limits, cost, introspection, mutations only over POST).
 */
export function useTrustedDocuments(options: TrustedDocumentsOptions): Plugin[] {
  const { store, onDocument } = options;
  const { allowArbitrary } = options;
  const refuse = (error: Error): never => {
    onDocument?.('refused');
    throw error;
  };
  // Decides every request that carries text (the persisted-operations plugin can only judge text
  // by its request, which a batch shares), and every request whose id is malformed.
  const guard: Plugin = {
    onParams({ params, request }) {
      const requested = requestedId(params, request);
      if (requested.kind === 'invalid') refuse(badDocumentRequest(requested.message));
      if (params.query == null) {
        if (requested.kind === 'none') {
          refuse(
            badDocumentRequest(
              'Send a documentId (or extensions.persistedQuery.sha256Hash) naming a trusted document.',
            ),
          );
        }
        return;
      }
      if (requested.kind === 'id' && requested.documentId) {
        refuse(badDocumentRequest('Send either query or documentId, not both.'));
      }
      if (typeof params.query === 'string' && store.lists(params.query)) {
        onDocument?.('trusted');
      } else if (allowArbitrary) {
        onDocument?.('untrusted');
      } else {
        refuse(persistedQueryNotInList());
      }
    },
  };
  const persisted = usePersistedOperations({
    // The guard above has already refused every text that may not run.
    allowArbitraryOperations: true,
    extractPersistedOperationId: (params, request) => {
      const requested = requestedId(params, request);
      return requested.kind === 'id' ? requested.id : null;
    },
    getPersistedOperation(id) {
      const text = store.documentById(id);
      onDocument?.(text === undefined ? 'refused' : 'trusted');
      return text ?? null;
    },
    customErrors: {
      notFound: ({ params, request }) => {
        const requested = requestedId(params, request);
        return persistedQueryNotFound(requested.kind === 'id' ? requested.id : '');
      },
    },
  });
  return [guard, persisted as Plugin];
}
