import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitSearchTerms, termsOfBits } from '../../src/pagination/search-terms.js';

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
    ['"a b"c"d e', ['"a b"c', '"d', 'e']], // a closed string, then an unclosed quote starts a bit
    ['"a\\\nb" c', ['"a\\', 'b"', 'c']], // an escape cannot end a line
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

  // The regular expression the splitter used to be (Django's smart_split_re in JavaScript): the
  // reference for what the linear splitter must answer, on short texts where it is fast.
  const SMART_SPLIT = /((?:[^\s'"]*(?:(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')[^\s'"]*)+)|\S+)/g;
  function referenceSplit(search: string): string[] {
    return termsOfBits([...search.matchAll(SMART_SPLIT)].map(([bit]) => bit));
  }

  it('answers what the regular expression answered, for any mix of quotes, escapes and separators', () => {
    const unit = fc.constantFrom(
      'a',
      'B',
      ' ',
      ',',
      '"',
      "'",
      '\\',
      '\n',
      '\r',
      '\t',
      '\u00a0',
      '\u2028',
      '\u3000',
      'é',
      '😀',
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40 }), (units) => {
        const search = units.join('');
        expect(splitSearchTerms(search)).toEqual(referenceSplit(search));
      }),
      { numRuns: 3000 },
    );
  });

  // The regular expression rescanned to the end of the text for every quote that is never closed
  // (`\"a \"a ...`): 100 KB took ~8 s, 1 MB ~15 minutes. One pass takes milliseconds.
  const megabyteOf = (piece: string) => piece.repeat(Math.ceil(1_000_000 / piece.length));
  it.each([
    ['words behind escaped double quotes', megabyteOf('\\"a ')],
    ['words behind escaped single quotes', megabyteOf("\\'a ")],
    ['closed strings followed by an unclosed one', megabyteOf('"a"\'b ')],
    ['one run of commas', `${','.repeat(1_000_000)}x`],
  ])('splits 1 MB of %s in one pass', (_label, search) => {
    const started = performance.now();
    splitSearchTerms(search);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
