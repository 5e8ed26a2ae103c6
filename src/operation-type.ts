import type { DocumentNode, OperationTypeNode } from 'graphql';
import { getOperationAST } from 'graphql';

// Documents are cached by yoga's parser, so each is looked at once per operation name.
const operationTypes = new WeakMap<DocumentNode, Map<string, OperationTypeNode | undefined>>();

/**
 * The type of the operation a request runs (`query`, `mutation`, ...), or undefined when the
 * document names no such operation (several operations and no or an unknown operationName).
 * Cached per document: the metrics and the request log both ask.
 */
export function operationTypeOf(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationTypeNode | undefined {
  let byName = operationTypes.get(document);
  if (!byName) operationTypes.set(document, (byName = new Map()));
  const key = operationName ?? '';
  if (!byName.has(key)) byName.set(key, getOperationAST(document, operationName)?.operation);
  return byName.get(key);
}
