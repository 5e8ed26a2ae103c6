import { describe, expect, it } from 'vitest';
import { splitSearchTerms } from '../../src/pagination/search-terms.js';

// Expected values follow DRF's search_smart_split (Django smart_split, strip commas, quoted
// phrases unescaped and kept whole, other bits split on commas).
describe('splitSearchTerms (DRF SearchFilter semantics)', () => {
  it.each([
    ['grafana', ['grafana']],
    ['john smith', ['john', 'smith']],
    ['  john \t smith\n', ['john', 'smith']],
    ['john,smith', ['john', 'smith']],
    ['john, smith', ['john', 'smith']],
    [',john,,smith,', ['john', 'smith']],
    ['"john smith"', ['john smith']],
    ['"john smith" grafana', ['john smith', 'grafana']],
    ["'john smith' grafana", ['john smith', 'grafana']],
    ['"john, smith"', ['john, smith']],
    ['"john smith",', ['john smith']],
    ['"it\\"s"', ['it"s']],
    ["'it\\'s'", ["it's"]],
    ['"back\\\\slash"', ['back\\slash']],
    ['"grafana",gitlab', ['"grafana"', 'gitlab']], // not a phrase: the bit does not end in a quote
    ['pre"john smith"', ['pre"john smith"']],
    ['"unterminated phrase', ['"unterminated', 'phrase']],
    ['', []],
    ['   ', []],
    [',,,', []],
    ['""', []],
  ])('%j → %j', (search, terms) => {
    expect(splitSearchTerms(search)).toEqual(terms);
  });

  it('keeps the case of terms (matching is case-insensitive later)', () => {
    expect(splitSearchTerms('John SMITH')).toEqual(['John', 'SMITH']);
  });
});
