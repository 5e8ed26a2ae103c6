import { GraphQLScalarType } from 'graphql';
import { GraphQLDateTime, GraphQLJSON, GraphQLUUID } from 'graphql-scalars';

// What authentik sends (UTC, `Z`, optional fraction): served as is without the full parse.
const PLAIN_UTC_DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?Z$/;

/**
 * graphql-scalars' DateTime, except that a valid date-time string is served as authentik sent it:
 * its own serializer goes through `Date`, which would cut microseconds to milliseconds.
 */
export const DateTimeScalar = new GraphQLScalarType({
  ...GraphQLDateTime.toConfig(),
  description:
    'A date-time string at UTC in RFC 3339 form, such as 2026-03-01T10:20:30.123456Z, with the precision authentik reports.',
  serialize(value) {
    if (typeof value === 'string' && PLAIN_UTC_DATE_TIME.test(value)) return value;
    const validated = GraphQLDateTime.serialize(value);
    return typeof value === 'string' ? value : validated;
  },
});

export const JSONScalar = GraphQLJSON;
export const UUIDScalar = GraphQLUUID;
