import type { ScheduleRef } from './model.ts';

export const Severity = { critical: 'critical', warning: 'warning', info: 'info' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

const RANK: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };

export function severityRank(severity: Severity): number {
  return RANK[severity];
}

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold];
}

export const FindingCode = {
  TARGET_CLUSTER_NOT_FOUND: 'TARGET_CLUSTER_NOT_FOUND',
  TARGET_CLUSTER_INACTIVE: 'TARGET_CLUSTER_INACTIVE',
  TASK_DEFINITION_NOT_ACTIVE: 'TASK_DEFINITION_NOT_ACTIVE',
  TARGET_ROLE_MISSING: 'TARGET_ROLE_MISSING',
  TARGET_FUNCTION_MISSING: 'TARGET_FUNCTION_MISSING',
  DEAD_LETTER_QUEUE_MISSING: 'DEAD_LETTER_QUEUE_MISSING',
  SCHEDULE_DISABLED: 'SCHEDULE_DISABLED',
  SCHEDULE_EXPIRED: 'SCHEDULE_EXPIRED',
  INVALID_EXPRESSION: 'INVALID_EXPRESSION',
  MISSED_RUNS: 'MISSED_RUNS',
  RUNS_UNVERIFIABLE: 'RUNS_UNVERIFIABLE',
  TARGET_ERRORS: 'TARGET_ERRORS',
  NO_DEAD_LETTER_QUEUE: 'NO_DEAD_LETTER_QUEUE',
  CHECK_INCOMPLETE: 'CHECK_INCOMPLETE',
  MONITOR_BLIND: 'MONITOR_BLIND',
  SCOPE_EMPTY: 'SCOPE_EMPTY',
  INVOCATION_FAILED: 'INVOCATION_FAILED',
} as const;
export type FindingCode = (typeof FindingCode)[keyof typeof FindingCode];

/** One problem, as data: what, where, how bad, what was seen, how to fix it, where to read more. */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** The schedule concerned; absent for group-level (TARGET_ERRORS) or run-level (CHECK_INCOMPLETE) findings. */
  schedule?: ScheduleRef;
  /** The schedule group for group-level findings. */
  group?: string;
  message: string;
  evidence: Record<string, unknown>;
  /** An exact command that fixes or confirms it. */
  fix: string;
  /** Path of the runbook, relative to the repository root. */
  runbook: string;
}
