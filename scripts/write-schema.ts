import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { buildSchema } from '../src/schema/index.js';

/** Writes the SDL the gateway serves to schema.graphql (`npm run schema`). */
const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
writeFileSync(target, `${printSchema(buildSchema())}\n`);
console.log(`wrote ${target}`);
