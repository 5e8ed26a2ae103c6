import type { CompletedCall } from '../upstream/http.js';
import type { AuditedWrite } from './audit.js';
import { auditLog } from './audit.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';

/**
 * What a request reports while it runs, in one object: built once by the composition root
 * (src/app.ts) and handed to every request's context, so that every upstream call and every
 * write is reported the same way, whoever makes it.
 */
export interface RequestEvents {
  /** An upstream call ended (its latency and outcome go to /metrics). */
  upstreamCall(call: CompletedCall): void;
  /** A mutation that deletes in authentik ended: one audit line, and /metrics. */
  write(write: AuditedWrite): void;
}

/** The events as the gateway reports them: the audit log (when logging) and /metrics (when on). */
export function createRequestEvents(sinks: {
  logger?: Logger;
  metrics?: GatewayMetrics;
}): RequestEvents {
  const { logger, metrics } = sinks;
  const audit = logger && auditLog(logger);
  return {
    upstreamCall: (call) => metrics?.observeUpstream(call),
    write(write) {
      audit?.(write);
      metrics?.countWrite(write);
    },
  };
}
