import { loadConfig } from '../../src/config.js';
import fc from 'fast-check';
import type { DocumentNode, FragmentDefinitionNode, SelectionSetNode } from 'graphql';
import { Kind, Lexer, Source, TokenKind, parse, visit } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/graphql/schema/index.js';
import { estimateUpstreamCalls } from '../../src/limits/upstream-cost.js';
import { gqlRequest, useGateway } from '../helpers/gateway.js';

// A fixed seed keeps the suite deterministic; FC_SEED=<n> explores other inputs locally.
const SEED = Number(process.env.FC_SEED ?? 20_261_211);

/** Where the fan-out ends: what the innermost fragment selects. */
const BASES = {
  'a connection': { type: 'Query', body: 'refreshTokens(first: 1) { totalCount }', top: '' },
  'a lookup': { type: 'Query', body: 'nodes(ids: ["VXNlcjo3"]) { id }', top: '' },
  'the rows of a connection': {
    type: 'RefreshToken',
    body: 'pk user { username }',
    top: 'refreshTokens(first: 1) { nodes { % } }',
  },
} as const;
type Base = keyof typeof BASES;

interface FanOut {
  base: Base;
  /** Levels of fragments above the innermost one. */
  levels: number;
  /** Spreads in each fragment (of the fragments one level down, in turn). */
  spreads: number;
  /** Fragments per level. */
  width: number;
}

// `fragment F1_0 on Query { ...F0_0 ...F0_0 ... }`: each level spreads the one below `spreads` times.
function fanOutDocument({ base, levels, spreads, width }: FanOut): string {
  const { type, body, top } = BASES[base];
  const names = (level: number) =>
    Array.from({ length: level === 0 ? 1 : width }, (_, i) => `F${level}_${i}`);
  const fragments = [`fragment F0_0 on ${type} { ${body} }`];
  for (let level = 1; level <= levels; level++) {
    const below = names(level - 1);
    for (const name of names(level)) {
      const body = Array.from({ length: spreads }, (_, i) => `...${below[i % below.length]}`);
      fragments.push(`fragment ${name} on ${type} { ${body.join(' ')} }`);
    }
  }
  const spreadTop = names(levels)
    .map((name) => `...${name}`)
    .join(' ');
  return `{ ${top ? top.replace('%', spreadTop) : spreadTop} } ${fragments.join(' ')}`;
}

function tokensOf(text: string): number {
  const lexer = new Lexer(new Source(text));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count++;
  return count;
}

// The depth graphql-armor's MAX_DEPTH sees: a field adds 1, a fragment (spread or inline) 2.
function armorDepthOf(document: DocumentNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  const ofFragment = new Map<string, number>();
  const depthOf = (set: SelectionSetNode | undefined): number => {
    let deepest = 0;
    for (const selection of set?.selections ?? []) {
      let below: number;
      if (selection.kind === Kind.FIELD) below = 1 + depthOf(selection.selectionSet);
      else if (selection.kind === Kind.INLINE_FRAGMENT) below = 2 + depthOf(selection.selectionSet);
      else {
        const name = selection.name.value;
        if (!ofFragment.has(name)) ofFragment.set(name, depthOf(fragments.get(name)?.selectionSet));
        below = 2 + ofFragment.get(name)!;
      }
      deepest = Math.max(deepest, below);
    }
    return deepest;
  };
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  return operation?.kind === Kind.OPERATION_DEFINITION ? depthOf(operation.selectionSet) : 0;
}

// Fields, inline fragments and fragment spreads written in the document.
function selectionsOf(document: DocumentNode): number {
  let count = 0;
  const one = () => void count++;
  visit(document, { Field: one, InlineFragment: one, FragmentSpread: one });
  return count;
}

// Documents the armor lets through: at most MAX_TOKENS tokens, at most MAX_DEPTH deep.
const withinArmor = (text: string) =>
  tokensOf(text) <= loadConfig({}).operationLimits.maxTokens &&
  armorDepthOf(parse(text)) <= loadConfig({}).operationLimits.maxDepth;

const fanOuts = fc
  .record({
    base: fc.constantFrom(...(Object.keys(BASES) as Base[])),
    levels: fc.integer({ min: 1, max: 6 }),
    spreads: fc.integer({ min: 1, max: 300 }),
    width: fc.integer({ min: 1, max: 3 }),
  })
  .map((shape) => ({ shape, text: fanOutDocument(shape) }))
  .filter(({ text }) => withinArmor(text));

describe('the MAX_COST count is linear in the document', () => {
  const schema = buildSchema();

  it('visits each selection of a fragment fan-out document at most once', () => {
    fc.assert(
      fc.property(fanOuts, ({ shape, text }) => {
        const document = parse(text);
        const { calls, visits } = estimateUpstreamCalls(schema, document, undefined, {});
        expect(visits).toBeLessThanOrEqual(selectionsOf(document));
        // A fragment spread again in one selection set is collected once by graphql-js.
        if (shape.width === 1) expect(calls).toBe(1);
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  it('four fragments each spreading the one below 300 times take a few hundred visits', () => {
    const text = fanOutDocument({ base: 'a connection', levels: 3, spreads: 300, width: 1 });
    expect(withinArmor(text)).toBe(true);
    const { calls, visits } = estimateUpstreamCalls(schema, parse(text), undefined, {});
    expect(calls).toBe(1);
    expect(visits).toBeLessThanOrEqual(3 * 300 + 3);
  });

  it('counts representations too deeply nested to compare instead of failing', () => {
    let deep: unknown = { __typename: 'User', pk: 7 };
    for (let i = 0; i < 30_000; i++) deep = [deep];
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }';
    const representations = [deep, deep, { __typename: 'User', pk: 7 }];
    const estimate = () =>
      estimateUpstreamCalls(schema, parse(query), undefined, { r: representations });
    expect(estimate).not.toThrow();
    expect(estimate().calls).toBe(3);
  });
});

describe('a fan-out document in flight does not stall the gateway', () => {
  const gateway = useGateway();

  // Time to answer /healthz over a real socket: generous bounds, far below the stalls of old.
  async function healthzMs(): Promise<number> {
    const started = performance.now();
    const response = await fetch(`${gateway.url}/healthz`);
    expect(response.status).toBe(200);
    return performance.now() - started;
  }

  it.each<[Base, number]>([
    ['a connection', 3],
    ['the rows of a connection', 2],
  ])(
    'fanning out to %s (%i levels of 300 spreads): answered, and /healthz stays prompt meanwhile',
    async (base, levels) => {
      const text = fanOutDocument({ base, levels, spreads: 300, width: 1 });
      expect(withinArmor(text)).toBe(true);
      gateway.fake.resetRequests();
      const answer = fetch(`${gateway.url}/graphql`, gqlRequest(text, {})).then(
        async (response) => ({
          status: response.status,
          body: (await response.json()) as { data?: unknown; errors?: unknown },
        }),
      );
      const probes = [await healthzMs(), await healthzMs(), await healthzMs()];
      expect(Math.max(...probes)).toBeLessThan(2_000);
      const { status, body } = await answer;
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data).toBeTruthy();
      expect(gateway.apiCalls()).toBe(1);
    },
    20_000,
  );
});
