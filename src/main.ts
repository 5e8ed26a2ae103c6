import { createServer } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import type { GatewayConfig } from './config.js';
import { startDemo } from './demo.js';
import type { Demo } from './demo.js';
import { createGateway } from './gateway.js';
import { AuthentikClient } from './upstream/authentik.js';
import { UpstreamHttp } from './upstream/http.js';

/** Entry point: reads the configuration, starts the demo upstream if needed, and listens. */
async function main(config: GatewayConfig): Promise<void> {
  const displayHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const publicUrl = `http://${displayHost}:${config.port}/graphql`;
  let demo: Demo | undefined;
  if (!config.authentikUrl) demo = await startDemo(publicUrl);
  const http = new UpstreamHttp(config.authentikUrl ?? demo!.fake.url, {
    timeoutMs: config.upstreamTimeoutMs,
  });
  const yoga = createGateway({
    authentik: new AuthentikClient(http),
    limits: { maxPageSize: config.maxPageSize, searchScanLimit: config.searchScanLimit },
    graphiql: demo?.graphiql ?? {},
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  if (demo) console.log(demo.banner);
  console.log(
    `authentik GraphQL gateway listening on ${publicUrl} (upstream ${http.origin}${http.basePath})`,
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeIdleConnections();
    await http.close();
    await demo?.fake.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

try {
  await main(loadConfig());
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`configuration error: ${error.message}`);
    process.exit(2);
  }
  const code = (error as NodeJS.ErrnoException).code;
  console.error(`could not start: ${code ?? ''} ${(error as Error).message}`.trim());
  process.exit(1);
}
