import { createHash } from 'node:crypto';
import { errorCodeOf } from '../errors.js';
import type { Logger } from './logger.js';

/** How a write ended: done, listed only, refused before any DELETE, nothing to delete, or failed. */
export type WriteOutcome = 'deleted' | 'dry_run' | 'refused' | 'not_found' | 'failed';

/** Counts of one kind of grant handled by a write. */
export interface WriteCounts {
  matched: number;
  deleted: number;
  alreadyGone: number;
  failed: number;
}

/** One mutation that deletes in authentik, as the resolver saw it end. */
export interface WriteEvent {
  /** The mutation field: `deleteRefreshToken`, `revokeOAuth2Grants`, ... */
  mutation: string;
  /** The operation's name, when the client gave it one. */
  operationName?: string;
  /** What it was asked to delete: one grant (`kind`, `pk`) or a revoke's filter. */
  target: Record<string, unknown>;
  outcome: WriteOutcome;
  /** The error code when it was refused or failed. */
  code?: string;
  /** A revoke's counts, by grant kind. */
  counts?: Record<string, WriteCounts>;
}

/**
 * How a write that threw ended, for its audit line: refused by a limit (LIMIT_EXCEEDED), nothing
 * to delete (NOT_FOUND), or failed; with the code the client got.
 */
export function failedWrite(error: unknown): Pick<WriteEvent, 'outcome' | 'code'> {
  const code = errorCodeOf(error);
  if (code === 'LIMIT_EXCEEDED') return { outcome: 'refused', code };
  if (code === 'NOT_FOUND') return { outcome: 'not_found', code };
  return { outcome: 'failed', code };
}

/** A write, with who asked: the request id and a fingerprint of the caller's token. */
export interface AuditedWrite extends WriteEvent {
  requestId: string;
  /** The first 12 hex digits of the SHA-256 of the caller's bearer token (never the token). */
  caller: string;
}

/** Where a write is reported: the audit log line and its counter. */
export type WriteSink = (write: AuditedWrite) => void;

/**
 * Who called, without the credential: the first 12 hex digits of the SHA-256 of the bearer
 * token (`printf %s "$TOKEN" | sha256sum | cut -c1-12` gives the same), `none` without one.
 */
export function callerFingerprint(authorization: string | undefined): string {
  if (!authorization) return 'none';
  const token = authorization.replace(/^\s*Bearer\s+/i, '').trim();
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

/**
 * The audit log: one info line (`msg: "audit"`) per write mutation, whatever its outcome, with
 * the request id, the operation, what it targeted, the outcome and the caller's fingerprint.
 */
export function auditLog(logger: Logger): WriteSink {
  const audit = logger.child({ audit: true });
  return (write) => audit.info(write, 'audit');
}
