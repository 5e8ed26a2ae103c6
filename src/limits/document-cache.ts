import type { DocumentNode, Token } from 'graphql';
import type { YogaServerOptions } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';

type ParserCacheOptions = Exclude<
  YogaServerOptions<object, object>['parserAndValidationCache'],
  boolean | undefined
>;

/**
 * Heap one token of a parsed document holds: the token, its AST node and location (measured at
 * 300-500 bytes; a 2,000-token document takes about 1 MB).
 */
const BYTES_PER_TOKEN = 512;
/** Heap a cached parse error holds besides its text: the error, its location and message. */
const BYTES_PER_ERROR = 1024;
/** yoga's own entry count and lifetime, kept: the byte bound comes on top. */
const MAX_ENTRIES = 1024;
const TTL_MS = 3_600_000;

// Tokens of the document, comments included (the lexer links them all from the first).
function tokensOf(document: DocumentNode, text: string): number {
  let token: Token | null | undefined = document.loc?.startToken;
  if (!token) return text.length;
  let count = 0;
  for (; token; token = token.next) count++;
  return count;
}

// A JavaScript string may take two bytes per character.
const textBytes = (text: string) => 2 * text.length;

/**
 * yoga's parse and validation caches, bounded in bytes as well as in entries: what a document
 * holds is estimated from its text and its tokens (the text of a comment stays in memory with the
 * document, and every token costs an AST node), so that no client can pin more than `maxBytes`
 * with large or dense documents. Parsed documents get three quarters, parse errors the rest; a
 * document larger than an eighth of its cache is parsed every time instead. The validation cache
 * is keyed by the cached documents and goes with them. `maxBytes` 0 turns the caches off.
 */
export function boundedParserCache(maxBytes: number): ParserCacheOptions | false {
  if (maxBytes <= 0) return false;
  const documentBytes = Math.max(1, Math.floor((maxBytes * 3) / 4));
  const errorBytes = Math.max(1, maxBytes - documentBytes);
  return {
    documentCache: new LRUCache<string, DocumentNode>({
      max: MAX_ENTRIES,
      ttl: TTL_MS,
      maxSize: documentBytes,
      maxEntrySize: Math.max(1, Math.floor(documentBytes / 8)),
      sizeCalculation: (document, text) =>
        textBytes(text) + BYTES_PER_TOKEN * tokensOf(document, text),
    }),
    errorCache: new LRUCache<string, object>({
      max: MAX_ENTRIES,
      ttl: TTL_MS,
      maxSize: errorBytes,
      maxEntrySize: Math.max(1, Math.floor(errorBytes / 8)),
      sizeCalculation: (_error, text) => textBytes(text) + BYTES_PER_ERROR,
    }),
  };
}
