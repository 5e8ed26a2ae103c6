/**
 * A gateway in this process, sent documents a client chose, with the heap measured before and
 * after (run with `node --expose-gc --import tsx`): how much of what clients send yoga's caches
 * keep. Prints one JSON line: `{"heapGrowthBytes": n, "answered": n}` (answers without an
 * internal error). PROBE_KIND: `comment` (a 95 KB comment and `{ __typename }`) or `dense`
 * (~2,000 tokens in a list literal, refused by MAX_COST once parsed); PROBE_COUNT: how many
 * distinct documents.
 */
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

const kind = process.env.PROBE_KIND ?? 'comment';
const count = Number(process.env.PROBE_COUNT ?? '100');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const app = await createApp(
  loadConfig({ AUTHENTIK_URL: 'http://127.0.0.1:9', LOG_LEVEL: 'silent', METRICS: 'false' }),
);
const numbers = Array.from({ length: 1980 }, (_, i) => `"${i}"`).join(' ');
const documentOf = (i: number) =>
  kind === 'comment'
    ? `# ${i} ${'x'.repeat(95_000)}\n{ __typename }`
    : `# ${i}\n{ nodes(ids: [${numbers}]) { __typename } }`;

const heapUsed = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const send = async (query: string) => {
  const response = await app.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  return response.status < 500 && !text.includes('INTERNAL_SERVER_ERROR');
};

await send(documentOf(-1));
const before = heapUsed();
let answered = 0;
for (let i = 0; i < count; i++) if (await send(documentOf(i))) answered++;
const heapGrowthBytes = heapUsed() - before;
console.log(JSON.stringify({ heapGrowthBytes, answered }));
await app.release();
