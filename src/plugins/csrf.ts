import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The header a GET or form request must carry (any value) to prove it is not a CSRF. */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

/**
 * graphql-yoga's CSRF prevention: a request a browser may send cross-site without a CORS
 * preflight (GET, form or text/plain POST) must carry {@link CSRF_HEADER}; JSON POSTs need
 * nothing. The refusal gets a stable code and says what to send.
 */
export function useCsrfPrevention(): Plugin {
  const inner = useCSRFPrevention({ requestHeaders: [CSRF_HEADER] });
  return {
    onRequestParse(payload) {
      try {
        return inner.onRequestParse?.(payload);
      } catch {
        throw new GraphQLError(
          `Refused as a possible cross-site request: send Content-Type: application/json, or the ` +
            `header ${CSRF_HEADER} with GET and form requests.`,
          { extensions: { code: 'CSRF_HEADER_REQUIRED', http: { status: 403 } } },
        );
      }
    },
  };
}
