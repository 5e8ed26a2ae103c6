import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { FakeAuthentik } from '../src/fake-authentik/server.js';
import { probeUpstreamCalls } from './probe.js';
import { ROOT } from './processes.js';
import { QUERIES } from './scenarios.js';

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

/**
 * The one upstream call the gateway makes for the bench's page, recorded from the running gateway
 * (not assumed): the call the floor makes for every request.
 */
export async function page20UpstreamCall(gatewayUrl: string, fake: FakeAuthentik): Promise<string> {
  const calls = await probeUpstreamCalls(gatewayUrl, QUERIES.nodes, fake);
  if (calls.length !== 1) {
    throw new Error(
      `the floor expects one upstream call for the page, the gateway made:\n${calls}`,
    );
  }
  return calls[0]!;
}
