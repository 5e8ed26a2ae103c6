import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchemaSdl } from '../src/schema/index.js';

/** Writes the subgraph SDL the gateway serves to schema.graphql (`npm run schema`). */
const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
writeFileSync(target, printSchemaSdl());
console.log(`wrote ${target}`);
