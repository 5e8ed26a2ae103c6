import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

/** The self-signed certificate (CN and SAN 127.0.0.1/localhost) of the TLS fake, for tests only. */
export const FAKE_CA_FILE = new URL('./fixtures/fake-authentik.crt', import.meta.url).pathname;
const FAKE_KEY_FILE = new URL('./fixtures/fake-authentik.key', import.meta.url).pathname;

/** A loopback server and how to stop it. */
export interface Running {
  url: string;
  close(): Promise<void>;
}

// Ends both sockets when either fails or closes, and keeps them for `close()` to destroy.
function tie(client: Socket, backend: Socket, sockets: Set<Socket>): void {
  sockets.add(client).add(backend);
  const drop = () => (client.destroy(), backend.destroy());
  client.on('error', drop).on('close', drop);
  backend.on('error', drop).on('close', drop);
}

// Listens on a free loopback port; resolves with it.
async function listen(server: {
  listen(port: number, host: string, cb: () => void): unknown;
  address(): unknown;
}): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function closer(server: { close(cb: () => void): void }, sockets: Set<Socket>) {
  return () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

/** Terminates TLS (with the self-signed certificate) in front of a plain HTTP upstream. */
export async function startTlsFront(upstreamUrl: string): Promise<Running> {
  const upstream = new URL(upstreamUrl);
  const sockets = new Set<Socket>();
  const server = createTlsServer(
    { cert: readFileSync(FAKE_CA_FILE), key: readFileSync(FAKE_KEY_FILE) },
    (client) => {
      const backend = connect(Number(upstream.port), upstream.hostname);
      tie(client, backend, sockets);
      client.pipe(backend).pipe(client);
    },
  );
  const port = await listen(server);
  return { url: `https://127.0.0.1:${port}`, close: closer(server, sockets) };
}

/** A forward proxy that tunnels CONNECT requests and records their targets. */
export async function startConnectProxy(): Promise<Running & { tunnels: string[] }> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const backend = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      backend.write(head);
      client.pipe(backend).pipe(client);
    });
    tie(client, backend, sockets);
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, tunnels, close: closer(server, sockets) };
}
