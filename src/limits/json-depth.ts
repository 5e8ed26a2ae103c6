import type { ASTNode, ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { jsonTooDeep } from '../errors.js';

/**
 * True when `value` nests objects or arrays more than `max` levels deep (`{}` and `[]` are one
 * level, a scalar none). Walked with an explicit stack, never recursion: any depth is measured
 * without a RangeError, in one visit per value at most, stopping at the first level too deep.
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: { value: object; depth: number }[] = [];
  if (typeof value === 'object' && value !== null) stack.push({ value, depth: 1 });
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    if (entry.depth > max) return true;
    const children = Array.isArray(entry.value) ? entry.value : Object.values(entry.value);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        stack.push({ value: child as object, depth: entry.depth + 1 });
      }
    }
  }
  return false;
}

// Literal lists and input objects in the document, counted as they are entered (graphql-js visits
// with its own stack); validation results are cached per document, so this runs once per text.
function maxJsonDepthRule(max: number): ValidationRule {
  return function MaxJsonDepth(context) {
    let depth = 0;
    let reported = false;
    const enter = (node: ASTNode) => {
      depth++;
      if (depth > max && !reported) {
        reported = true;
        context.reportError(jsonTooDeep('A literal value in the document', max, [node]));
      }
    };
    const leave = () => {
      depth--;
    };
    return { ListValue: { enter, leave }, ObjectValue: { enter, leave } };
  };
}

/**
 * Refuses client JSON nested deeper than `maxDepth` with BAD_USER_INPUT (400) before anything
 * else reads it: each variable and the request's extensions before the document is parsed, and
 * literal values in the document while it is validated. Resolvers, the cost estimate and error
 * messages may then walk or stringify what they get without running out of stack.
 */
export function useJsonDepthLimit(maxDepth: number): Plugin {
  const rule = maxJsonDepthRule(maxDepth);
  return {
    onParams({ params }) {
      const { variables, extensions } = params as { variables?: unknown; extensions?: unknown };
      if (typeof variables === 'object' && variables !== null && !Array.isArray(variables)) {
        for (const [name, value] of Object.entries(variables)) {
          if (nestedDeeperThan(value, maxDepth)) {
            throw jsonTooDeep(`Variable "$${name.slice(0, 60)}"`, maxDepth);
          }
        }
      } else if (nestedDeeperThan(variables, maxDepth)) {
        throw jsonTooDeep('The variables', maxDepth);
      }
      if (nestedDeeperThan(extensions, maxDepth)) throw jsonTooDeep('The extensions', maxDepth);
    },
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
