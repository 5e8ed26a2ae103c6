import { GraphQLError } from 'graphql';

/** `extensions.code` of every refusal by an operation or request limit. */
export const LIMIT_EXCEEDED = 'LIMIT_EXCEEDED';

/**
 * The error for a request over one of the configured limits: the message says which limit and
 * its value; `extensions.limit` names the environment variable that sets it.
 */
export function limitExceeded(
  limit: string,
  message: string,
  max: number,
  found?: number,
  httpStatus?: number,
): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: LIMIT_EXCEEDED,
      limit,
      max,
      ...(found === undefined ? {} : { found }),
      ...(httpStatus === undefined ? {} : { http: { status: httpStatus } }),
    },
  });
}
