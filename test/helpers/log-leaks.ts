import type { FakeAuthentik } from '../../src/fake-authentik/server.js';

/** Every credential the fake knows, for "never in a log line" checks. */
export function secretsOf(fake: FakeAuthentik): string[] {
  return [fake.tokens.admin, fake.tokens.expired, ...Object.values(fake.tokens.users)];
}

/** Log lines that mention a credential or an Authorization value. */
export function leakingLines(logs: string[], secrets: string[]): string[] {
  return logs.filter(
    (line) =>
      /authorization"\s*:\s*"(?!\[redacted\])/i.test(line) ||
      /Bearer\s+(?!\[redacted\])\S/i.test(line) ||
      secrets.some((secret) => line.includes(secret)),
  );
}
