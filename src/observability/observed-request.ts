/** Upstream calls one operation made, for its log line and metrics. */
export interface UpstreamStats {
  calls: number;
  totalMs: number;
}

/**
 * What observability reads of a GraphQL request's context: the narrow part of the gateway's
 * context that logs, metrics and traces need (the context implements it).
 */
export interface ObservedRequest {
  requestId: string;
  /** Calls this operation made to authentik, and their time. */
  upstreamStats: UpstreamStats;
}
