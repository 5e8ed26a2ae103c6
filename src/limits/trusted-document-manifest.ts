import type { GraphQLSchema } from 'graphql';
import { parse, validate } from 'graphql';

/** A manifest that cannot be used; the message says what is wrong with it, on one line. */
export class TrustedDocumentsError extends Error {
  override name = 'TrustedDocumentsError';
}

/** The trusted documents of one manifest: document text by id. */
export type TrustedDocumentList = ReadonlyMap<string, string>;

const APOLLO_FORMAT = 'apollo-persisted-query-manifest';

// A value from the file in a message: short, on one line.
function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

// Apollo's manifest: {"format": ..., "version": 1, "operations": [{"id", "name", "type", "body"}]}.
function fromApolloManifest(manifest: Record<string, unknown>): Map<string, string> {
  if (manifest.version !== 1) {
    throw new TrustedDocumentsError(
      `is an Apollo persisted query manifest of version ${JSON.stringify(manifest.version)}; only version 1 is supported`,
    );
  }
  if (!Array.isArray(manifest.operations)) {
    throw new TrustedDocumentsError(
      `is an Apollo persisted query manifest whose "operations" is ${kindOf(manifest.operations)}, not an array`,
    );
  }
  const documents = new Map<string, string>();
  manifest.operations.forEach((operation: unknown, index) => {
    const { id, body } = (operation ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || id === '' || typeof body !== 'string') {
      throw new TrustedDocumentsError(
        `operations[${index}] must have a non-empty string "id" and a string "body"`,
      );
    }
    const listed = documents.get(id);
    if (listed !== undefined && listed !== body) {
      throw new TrustedDocumentsError(`lists the id ${shown(id)} twice, with different bodies`);
    }
    documents.set(id, body);
  });
  return documents;
}

// graphql-codegen's persisted-documents.json and Relay's persisted queries: {"<id>": "<text>"}.
function fromIdToTextObject(manifest: Record<string, unknown>): Map<string, string> {
  const documents = new Map<string, string>();
  for (const [id, text] of Object.entries(manifest)) {
    if (typeof text !== 'string') {
      throw new TrustedDocumentsError(
        `maps the id ${shown(id)} to ${kindOf(text)}; every value must be a document's text`,
      );
    }
    if (id === '') throw new TrustedDocumentsError('has an empty id');
    documents.set(id, text);
  }
  return documents;
}

/**
 * Reads a manifest in either format the client toolchains write: a JSON object of id to document
 * text (graphql-codegen's client preset, Relay), or Apollo's persisted query manifest.
 */
export function parseManifest(text: string): Map<string, string> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new TrustedDocumentsError(`is not valid JSON (${(error as Error).message})`);
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new TrustedDocumentsError(
      `must be a JSON object (id to document text, or an Apollo persisted query manifest), not ${kindOf(manifest)}`,
    );
  }
  const record = manifest as Record<string, unknown>;
  const documents =
    record.format === APOLLO_FORMAT ? fromApolloManifest(record) : fromIdToTextObject(record);
  if (documents.size === 0) throw new TrustedDocumentsError('lists no documents');
  return documents;
}

/**
 * Parses and validates every document against the schema; the first failure is thrown, naming
 * the document's id and graphql-js's message, with the number of documents that fail.
 */
export function validateDocuments(documents: TrustedDocumentList, schema: GraphQLSchema): void {
  const failures: string[] = [];
  for (const [id, text] of documents) {
    let problem: string | undefined;
    try {
      problem = validate(schema, parse(text))[0]?.message;
    } catch (error) {
      problem = (error as Error).message;
    }
    if (problem !== undefined) failures.push(`document ${shown(id)} is not valid: ${problem}`);
  }
  const [first] = failures;
  if (first === undefined) return;
  const more = failures.length > 1 ? ` (${failures.length} documents fail)` : '';
  throw new TrustedDocumentsError(`${first}${more}`.replace(/\s+/g, ' '));
}
