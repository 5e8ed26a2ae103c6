import type { IncomingMessage } from 'node:http';

// A host name (letters, digits, `-`, `_`, dots) or a bracketed IPv6 address, with an optional port.
const HOST = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})?|\[[0-9A-Fa-f:.]{2,45}\])(?::(\d{1,5}))?$/;

/**
 * Why a request cannot be served as sent (undefined when it can): a request target that is not a
 * path (`*`, an absolute URL), or a Host header that is no host name or address with a port (such
 * a Host would break the request's URL, or move its path away from the request line's:
 * `Host: x/metrics?`).
 */
export function badRequestReason(req: IncomingMessage): string | undefined {
  const target = req.url ?? '/';
  if (!target.startsWith('/') || target.startsWith('//')) {
    return 'The request target must be a path such as /graphql';
  }
  const host = req.headers.host;
  if (host === undefined) return undefined;
  const match = HOST.exec(host);
  if (!match || Number(match[1] ?? 0) > 65535) {
    return 'The Host header must be a host name or address, with an optional port';
  }
  try {
    new URL(`http://${host}${target}`);
  } catch {
    return 'The Host header and the request target do not make a valid URL';
  }
  return undefined;
}
