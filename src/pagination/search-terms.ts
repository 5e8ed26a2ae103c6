import type { UpstreamToken } from '../upstream/types.js';

// Django's smart_split: whitespace-separated bits, quoted strings (with backslash escapes) kept whole.
const SMART_SPLIT = /((?:[^\s'"]*(?:(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')[^\s'"]*)+)|\S+)/g;

/**
 * Splits a search string the way Django REST Framework's SearchFilter does: on whitespace and
 * commas, with "quoted phrases" (single or double quotes) kept whole.
 */
export function splitSearchTerms(search: string): string[] {
  const terms: string[] = [];
  for (const [bit] of search.matchAll(SMART_SPLIT)) {
    const term = bit.replace(/^,+|,+$/g, '');
    const quote = term[0];
    if ((quote === '"' || quote === "'") && term.length >= 2 && term.endsWith(quote)) {
      terms.push(term.slice(1, -1).replaceAll(`\\${quote}`, quote).replaceAll('\\\\', '\\'));
    } else {
      for (const part of term.split(',')) if (part) terms.push(part.trim());
    }
  }
  return terms.filter((term) => term !== '');
}

/** The texts one search term may match: user names and email, provider and application names, scopes. */
function searchableTexts(token: UpstreamToken): string[] {
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
export function matchesSearch(token: UpstreamToken, lowerCaseTerms: readonly string[]): boolean {
  if (lowerCaseTerms.length === 0) return true;
  const texts = searchableTexts(token);
  return lowerCaseTerms.every((term) => texts.some((text) => text.includes(term)));
}
