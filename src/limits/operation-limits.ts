import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { limitExceeded } from '../errors.js';
import { useUpstreamCostLimit } from './upstream-cost.js';

/**
 * Per-request limits on what a client may ask for; each is set by the variable in its doc, whose
 * default `src/config.ts` owns.
 */
export interface OperationLimits {
  /** Deepest field nesting (MAX_DEPTH). */
  maxDepth: number;
  /** Aliased fields per operation (MAX_ALIASES). */
  maxAliases: number;
  /** Lexical tokens in the query text (MAX_TOKENS). */
  maxTokens: number;
  /** Directives per operation (MAX_DIRECTIVES). */
  maxDirectives: number;
  /**
   * Calls to authentik per operation (MAX_COST): refused before any call when the document
   * certainly needs more (upstream-cost.ts), else counted while it runs
   * (upstream/request-budget.ts).
   */
  maxCost: number;
  /** Largest request body in bytes (MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Operations per batched request; 0 turns batching off (MAX_BATCH_SIZE). */
  maxBatchSize: number;
  /** Deepest nesting of a client's JSON: variables, extensions, literals (MAX_JSON_DEPTH). */
  maxJsonDepth: number;
}

// graphql-armor says "Syntax Error: Query depth limit of 10 exceeded, found 12."; keep its
// wording, drop the misleading prefix, name the variable and put the numbers in extensions.
function armorRejection(limit: string, max: number) {
  return (error: GraphQLError): GraphQLError => {
    const text = error.message.replace(/^Syntax Error:\s*/, '').replace(/\.$/, '');
    const found = /found (\d+)/.exec(text)?.[1];
    return limitExceeded(
      limit,
      `${text} (${limit}).`,
      max,
      found === undefined ? undefined : Number(found),
      400,
    );
  };
}

// Validation rules report into the validation context (a 400 with the other validation errors).
function reportTo(limit: string, max: number) {
  const toError = armorRejection(limit, max);
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) =>
        context?.reportError(toError(error)),
    ],
  };
}

/**
 * graphql-armor's depth, alias, token and directive limits, and the gateway's upstream-call
 * count in place of armor's cost limit (which cannot see variables or which fields call
 * authentik). Field suggestions ("Did you mean ...") are hidden when introspection is off.
 */
export function useOperationLimits(
  limits: OperationLimits,
  options: { introspection: boolean },
): Plugin[] {
  const tokensError = armorRejection('MAX_TOKENS', limits.maxTokens);
  return [
    EnvelopArmorPlugin({
      costLimit: { enabled: false },
      blockFieldSuggestion: { enabled: !options.introspection },
      maxDepth: { n: limits.maxDepth, ...reportTo('MAX_DEPTH', limits.maxDepth) },
      maxAliases: { n: limits.maxAliases, ...reportTo('MAX_ALIASES', limits.maxAliases) },
      maxDirectives: {
        n: limits.maxDirectives,
        ...reportTo('MAX_DIRECTIVES', limits.maxDirectives),
      },
      maxTokens: {
        n: limits.maxTokens,
        // Counted while parsing, before there is a validation context: the error is thrown.
        onReject: [
          (_context, error) => {
            throw tokensError(error);
          },
        ],
      },
    }),
    useUpstreamCostLimit({ maxCost: limits.maxCost }),
  ];
}
