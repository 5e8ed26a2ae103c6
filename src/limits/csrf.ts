import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin } from 'graphql-yoga';
import { csrfHeaderRequired } from '../errors.js';

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
        throw csrfHeaderRequired(CSRF_HEADER);
      }
    },
  };
}
