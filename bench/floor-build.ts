import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from './processes.js';

const SOURCE = path.join(ROOT, 'bench/floor-proxy.ts');
// Under node_modules so that the file's `undici` import resolves to the project's copy.
const OUT = path.join(ROOT, 'node_modules/.cache/gateway-bench/floor-proxy.mjs');

/**
 * Transpiles bench/floor-proxy.ts (self-contained: node: built-ins and undici) to JavaScript and
 * returns the file, so that the floor runs on plain node with the gateway's flags, as the gateway
 * runs from dist/ (no TypeScript loader in either process).
 */
export function buildFloorProxy(): string {
  const { outputText, diagnostics } = ts.transpileModule(readFileSync(SOURCE, 'utf8'), {
    fileName: SOURCE,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  });
  if (diagnostics && diagnostics.length > 0) {
    const messages = diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    throw new Error(`bench/floor-proxy.ts does not transpile:\n${messages.join('\n')}`);
  }
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(OUT, outputText);
  return OUT;
}
