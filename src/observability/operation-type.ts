import type { DocumentNode, OperationTypeNode } from 'graphql';
import { getOperationAST } from 'graphql';

// Documents are cached by yoga's parser, so each is looked at once per operation it names (a name
// it does not have is not kept: clients choose those, and the document may live for an hour).
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
  if (byName.has(key)) return byName.get(key);
  const type = getOperationAST(document, operationName)?.operation;
  if (type !== undefined || key === '') byName.set(key, type);
  return type;
}
