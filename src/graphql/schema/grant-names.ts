import type { GrantKind } from '../../upstream/grant-kinds.js';
import { GRANT_KINDS } from '../../upstream/grant-kinds.js';

/** A grant kind's lookup field on Query, e.g. `refreshToken`. */
export function lookupFieldOf(kind: GrantKind): string {
  return kind.typename.charAt(0).toLowerCase() + kind.typename.slice(1);
}

/** A grant kind's connection field on Query, User and OAuth2Provider, e.g. `refreshTokens`. */
export function listFieldOf(kind: GrantKind): string {
  return `${lookupFieldOf(kind)}s`;
}

/** A grant kind's value name in the OAuth2GrantKind enum, e.g. `REFRESH_TOKEN`. */
export function enumValueOf(kind: GrantKind): string {
  return kind.typename.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The connection fields every grant kind adds to User and OAuth2Provider. */
export const GRANT_LIST_FIELDS: readonly string[] = GRANT_KINDS.map(listFieldOf);

const COUNT_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** How many grant kinds there are, in words (`three`), for descriptions. */
export const GRANT_KIND_COUNT = COUNT_WORDS[GRANT_KINDS.length] ?? String(GRANT_KINDS.length);

/** Names joined as prose: `a, b or c`. */
export function listInProse(names: readonly string[], conjunction: string): string {
  return names.length < 2
    ? names.join('')
    : `${names.slice(0, -1).join(', ')} ${conjunction} ${names[names.length - 1]}`;
}
