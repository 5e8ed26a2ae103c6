import { readFile } from 'node:fs/promises';
import type { GraphQLSchema } from 'graphql';
import {
  TrustedDocumentsError,
  parseManifest,
  validateDocuments,
} from './trusted-document-manifest.js';

/** Where a reload is reported (the gateway's logger). */
export interface ReloadLog {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

// One loaded list: lookups by id and by exact text.
interface Loaded {
  byId: ReadonlyMap<string, string>;
  texts: ReadonlySet<string>;
}

const SHA256_PREFIX = 'sha256:';

async function readManifest(file: string, schema: GraphQLSchema): Promise<Loaded> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TrustedDocumentsError(
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const byId = parseManifest(text);
  validateDocuments(byId, schema);
  return { byId, texts: new Set(byId.values()) };
}

// The one-line message that names the variable, the file and the problem.
function describe(file: string, error: unknown): string {
  const problem = error instanceof TrustedDocumentsError ? error.message : String(error);
  return `TRUSTED_DOCUMENTS ${JSON.stringify(file)} ${problem}`;
}

/**
 * The trusted documents (TRUSTED_DOCUMENTS): loaded and validated against the schema at start,
 * re-read on `reload()` (SIGHUP). A reload that fails keeps the previous list; a request holds
 * its document's text from the moment it was looked up, so a reload never changes it mid-flight.
 */
export class TrustedDocumentStore {
  private loaded: Loaded;
  private reloading: Promise<unknown> = Promise.resolve();

  private constructor(
    /** The manifest's path. */
    readonly file: string,
    private readonly schema: GraphQLSchema,
    loaded: Loaded,
  ) {
    this.loaded = loaded;
  }

  /**
   * Loads `file` and validates every document against `schema`. Throws TrustedDocumentsError
   * with one line naming TRUSTED_DOCUMENTS, the file and the problem.
   */
  static async load(file: string, schema: GraphQLSchema): Promise<TrustedDocumentStore> {
    try {
      return new TrustedDocumentStore(file, schema, await readManifest(file, schema));
    } catch (error) {
      throw new TrustedDocumentsError(describe(file, error));
    }
  }

  /** How many documents are listed. */
  get size(): number {
    return this.loaded.byId.size;
  }

  /**
   * The text of the document with this id. An id with the `sha256:` prefix also finds a bare
   * hash in the manifest, and a bare hash (Apollo's `sha256Hash`) a `sha256:` id.
   */
  documentById(id: string): string | undefined {
    const { byId } = this.loaded;
    const found = byId.get(id);
    if (found !== undefined) return found;
    return id.startsWith(SHA256_PREFIX)
      ? byId.get(id.slice(SHA256_PREFIX.length))
      : byId.get(SHA256_PREFIX + id);
  }

  /** True when `text` is exactly one of the listed documents. */
  lists(text: string): boolean {
    return this.loaded.texts.has(text);
  }

  /**
   * Re-reads the file (one reload at a time). On success the new list serves the next requests;
   * on failure the previous list stays and the error is logged. Resolves true when it loaded.
   */
  reload(log?: ReloadLog): Promise<boolean> {
    const next = this.reloading.then(async () => {
      try {
        this.loaded = await readManifest(this.file, this.schema);
        log?.info({ file: this.file, documents: this.size }, 'trusted documents reloaded');
        return true;
      } catch (error) {
        log?.error(
          { err: { message: describe(this.file, error) }, documents: this.size },
          'trusted documents not reloaded: keeping the previous list',
        );
        return false;
      }
    });
    this.reloading = next;
    return next;
  }
}
