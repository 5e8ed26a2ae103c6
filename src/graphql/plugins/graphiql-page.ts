import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

/** What GraphiQL opens with (demo mode prefills a working query and the demo token). */
export interface GraphiQLDefaults {
  defaultQuery?: string;
  /** JSON object of headers, e.g. `{"Authorization": "Bearer ..."}`. */
  headers?: string;
}

type Encoding = 'br' | 'gzip' | 'identity';

// The same bytes as a plain Uint8Array (what a fetch Response takes), without a copy.
const bytesOf = (buffer: Buffer) =>
  new Uint8Array(buffer.buffer as ArrayBuffer, buffer.byteOffset, buffer.byteLength);

const compressors: Record<Exclude<Encoding, 'identity'>, (page: Buffer) => Promise<Buffer>> = {
  // Quality 5: ~0.5 s once, on libuv's thread pool, for 9 MB; within 15 % of the best size (11 takes 16 s).
  br: (page) =>
    promisify(brotliCompress)(page, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_SIZE_HINT]: page.length,
      },
    }),
  gzip: (page) => promisify(gzip)(page),
};

// The best encoding the client accepts (RFC 9110: a q of 0 refuses, `*` stands for the rest).
function preferredEncoding(acceptEncoding: string | null): Encoding {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name = '', ...params] = part.split(';').map((piece) => piece.trim());
    const q = params.find((param) => param.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (name) weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const accepts = (name: string) => (weights.get(name) ?? weights.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return 'identity';
}

/**
 * Serves GraphiQL to a browser's GET of `endpoint` (instead of yoga's renderer, which builds the
 * ~9 MB page again for every request): the page is rendered once, on its first request, and kept
 * in each encoding once a client asks for it (brotli ~1.9 MB, gzip ~2.4 MB), so that every later
 * request sends the same bytes and allocates nothing. GraphiQL's bundle (~35 MB in memory) is
 * loaded by that first request, not by every gateway.
 */
export function useGraphiQLPage(
  options: GraphiQLDefaults & { title: string },
  endpoint: string,
): Plugin {
  let rendered: Promise<Buffer> | undefined;
  const encoded = new Map<Encoding, Promise<Uint8Array<ArrayBuffer>>>();
  const render = () =>
    (rendered ??= import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) =>
      Buffer.from(renderGraphiQL(options)),
    ));
  const pageIn = (encoding: Encoding) => {
    let page = encoded.get(encoding);
    if (!page) {
      page = render()
        .then((raw) => (encoding === 'identity' ? raw : compressors[encoding](raw)))
        .then(bytesOf);
      // A failure is not kept: the next request tries again.
      page.catch(() => {
        encoded.delete(encoding);
        rendered = undefined;
      });
      encoded.set(encoding, page);
    }
    return page;
  };
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (request.method !== 'GET' || !request.headers.get('accept')?.includes('text/html')) return;
      if (url.pathname !== endpoint && url.pathname !== `${endpoint}/`) return;
      const encoding = preferredEncoding(request.headers.get('accept-encoding'));
      return pageIn(encoding).then((page) => {
        const headers: Record<string, string> = {
          'content-type': 'text/html; charset=utf-8',
          'content-length': String(page.length),
          vary: 'accept-encoding',
        };
        if (encoding !== 'identity') headers['content-encoding'] = encoding;
        endResponse(new fetchAPI.Response(page, { status: 200, headers }));
      });
    },
  };
}
