import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { LogLevel } from '../config.js';

export type { Logger } from 'pino';

/** Header and field names whose values must never reach a log line, wherever they appear. */
const SECRET_PATHS = [
  'authorization',
  'cookie',
  'headers.authorization',
  'headers.cookie',
  '*.authorization',
  '*.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'token',
  '*.token',
];

/** `Bearer abc`, `Basic abc`, `Token abc` inside free text (error messages). */
const CREDENTIAL = /\b(Bearer|Basic|Token)\s+[^\s"',;]+/gi;

/** Replaces anything that looks like a credential in free text before it is logged. */
export function scrubCredentials(text: string): string {
  return text.replace(CREDENTIAL, '$1 [redacted]');
}

/**
 * The process's structured JSON logger: one object per line on stdout (or `destination`), ISO
 * time, `level` as a word, `service` on every line, credentials redacted by path.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'authentik-graphql-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: SECRET_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
