import { GraphQLScalarType } from 'graphql';
import { GraphQLDateTime, GraphQLJSON, GraphQLUUID } from 'graphql-scalars';

/**
 * graphql-scalars' DateTime, except that a valid date-time string is served as authentik sent it:
 * its own serializer goes through `Date`, which would cut microseconds to milliseconds.
 */
export const DateTimeScalar = new GraphQLScalarType({
  ...GraphQLDateTime.toConfig(),
  description:
    'A date-time string at UTC in RFC 3339 form, such as 2026-03-01T10:20:30.123456Z, with the precision authentik reports.',
  serialize(value) {
    const validated = GraphQLDateTime.serialize(value);
    return typeof value === 'string' ? value : validated;
  },
});

export const JSONScalar = GraphQLJSON;
export const UUIDScalar = GraphQLUUID;
