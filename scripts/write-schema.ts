import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printClientSchemaSdl, printSchemaSdl } from '../src/schema/index.js';

/**
 * Writes the subgraph SDL the gateway serves to schema.graphql, and the client-facing SDL
 * (without federation) to schema.client.graphql (`npm run schema`).
 */
for (const [file, sdl] of [
  ['../schema.graphql', printSchemaSdl()],
  ['../schema.client.graphql', printClientSchemaSdl()],
] as const) {
  const target = fileURLToPath(new URL(file, import.meta.url));
  writeFileSync(target, sdl);
  console.log(`wrote ${target}`);
}
