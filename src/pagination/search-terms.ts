import { badUserInput } from '../errors.js';
import type { UpstreamGrant } from '../upstream/types.js';

/** How much search text one connection argument may carry. */
export interface SearchLimits {
  /** Most characters (code points) in `search` (MAX_SEARCH_LENGTH). */
  maxLength: number;
  /** Most words and phrases in `search` (MAX_SEARCH_TERMS). */
  maxTerms: number;
}

// JavaScript's `\s`: what the splitter treats as a separator (besides commas, later).
function isSpace(code: number): boolean {
  return (
    code === 0x20 ||
    (code >= 0x09 && code <= 0x0d) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

const DOUBLE = 0x22;
const SINGLE = 0x27;
const BACKSLASH = 0x5c;
const isQuote = (code: number) => code === DOUBLE || code === SINGLE;
// What `.` does not match in a JavaScript regular expression: an escape cannot end a line.
const isLineTerminator = (code: number) =>
  code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029;

/**
 * For every index k, where a `quote` string whose content starts at k is closed (the index of its
 * closing quote), or -1 when it never is. Computed right to left in one pass, so that finding the
 * end of any quoted string later costs one look-up instead of a scan to the end of the text.
 */
function closingQuotes(text: string, quote: number): Int32Array {
  const n = text.length;
  const closing = new Int32Array(n + 2).fill(-1);
  for (let k = n - 1; k >= 0; k--) {
    const code = text.charCodeAt(k);
    if (code === quote) closing[k] = k;
    else if (code !== BACKSLASH) closing[k] = closing[k + 1]!;
    else if (k + 1 < n && !isLineTerminator(text.charCodeAt(k + 1))) closing[k] = closing[k + 2]!;
  }
  return closing;
}

/**
 * Django's `smart_split`, without its backtracking regular expression: the bits of `text`
 * separated by whitespace, where a bit is a run of non-whitespace that may contain whole quoted
 * strings (with backslash escapes) and the whitespace inside them. A quote that is never closed
 * is an ordinary character. Linear in the length of `text`.
 */
function smartSplit(text: string): string[] {
  const n = text.length;
  // Only texts with quotes need the tables.
  let doubles: Int32Array | undefined;
  let singles: Int32Array | undefined;
  const closingOf = (quote: number, contentStart: number) =>
    quote === DOUBLE
      ? (doubles ??= closingQuotes(text, DOUBLE))[contentStart]!
      : (singles ??= closingQuotes(text, SINGLE))[contentStart]!;
  const plainRunEnd = (from: number) => {
    let i = from;
    while (i < n && !isSpace(text.charCodeAt(i)) && !isQuote(text.charCodeAt(i))) i++;
    return i;
  };
  const bits: string[] = [];
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    // Plain characters, then one or more closed quoted strings each followed by plain characters.
    let end = -1;
    let j = plainRunEnd(i);
    while (j < n) {
      const quote = text.charCodeAt(j);
      const close = isQuote(quote) ? closingOf(quote, j + 1) : -1;
      if (close < 0) break;
      j = plainRunEnd(close + 1);
      end = j;
    }
    // Else the bit is everything up to the next whitespace.
    if (end < 0) {
      end = i;
      while (end < n && !isSpace(text.charCodeAt(end))) end++;
    }
    bits.push(text.slice(i, end));
    i = end;
  }
  return bits;
}

// Commas around a bit are dropped (DRF: `term.strip(',')`), without a regular expression.
function trimCommas(bit: string): string {
  let start = 0;
  let end = bit.length;
  while (start < end && bit[start] === ',') start++;
  while (end > start && bit[end - 1] === ',') end--;
  return bit.slice(start, end);
}

/**
 * The terms of smart_split's bits: commas trimmed, a "quoted phrase" unquoted and unescaped, any
 * other bit split on its commas. Exported for the test that checks the splitter against a reference.
 */
export function termsOfBits(bits: Iterable<string>): string[] {
  const terms: string[] = [];
  for (const bit of bits) {
    const term = trimCommas(bit);
    const quote = term[0];
    if ((quote === '"' || quote === "'") && term.length >= 2 && term.endsWith(quote)) {
      terms.push(term.slice(1, -1).replaceAll(`\\${quote}`, quote).replaceAll('\\\\', '\\'));
    } else {
      for (const part of term.split(',')) if (part) terms.push(part.trim());
    }
  }
  return terms.filter((term) => term !== '');
}

/**
 * Splits a search string the way Django REST Framework's SearchFilter does: on whitespace and
 * commas, with "quoted phrases" (single or double quotes) kept whole. Linear in its length.
 */
export function splitSearchTerms(search: string): string[] {
  return termsOfBits(smartSplit(search));
}

// Characters as a reader counts them (code points, not UTF-16 units).
function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++, count++) {
    const code = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return count;
}

/**
 * The lower-case terms of a `search` argument, after its limits: more than `maxLength`
 * characters, a NUL character or more than `maxTerms` terms is BAD_USER_INPUT naming the limit,
 * decided before the text is split.
 */
export function searchTermsOf(search: string, limits: SearchLimits): string[] {
  const length = search.length <= limits.maxLength ? search.length : codePoints(search);
  if (length > limits.maxLength) {
    throw badUserInput(
      `Argument "search" must be at most ${limits.maxLength} characters (MAX_SEARCH_LENGTH), got ${length}`,
      { argument: 'search', limit: 'MAX_SEARCH_LENGTH', max: limits.maxLength, found: length },
    );
  }
  if (search.includes('\0')) {
    throw badUserInput('Argument "search" must not contain NUL characters', { argument: 'search' });
  }
  const terms = splitSearchTerms(search);
  if (terms.length > limits.maxTerms) {
    throw badUserInput(
      `Argument "search" must have at most ${limits.maxTerms} words or "quoted phrases" ` +
        `(MAX_SEARCH_TERMS), got ${terms.length}`,
      { argument: 'search', limit: 'MAX_SEARCH_TERMS', max: limits.maxTerms, found: terms.length },
    );
  }
  return terms.map((term) => term.toLowerCase());
}

/** The texts one search term may match: user names and email, provider and application names, scopes. */
function searchableTexts(token: UpstreamGrant): string[] {
  const { user, provider } = token;
  const texts = [
    user.username,
    user.name,
    user.email,
    provider.name,
    provider.assigned_application_name,
    provider.assigned_application_slug,
    ...token.scope,
  ];
  return texts
    .filter((text): text is string => typeof text === 'string')
    .map((text) => text.toLowerCase());
}

/** True when every term is a case-insensitive substring of at least one searchable text. */
export function matchesSearch(token: UpstreamGrant, lowerCaseTerms: readonly string[]): boolean {
  if (lowerCaseTerms.length === 0) return true;
  const texts = searchableTexts(token);
  return lowerCaseTerms.every((term) => texts.some((text) => text.includes(term)));
}
