/**
 * Every check: the rule that judges it, registered with the codes it emits and their metadata.
 * `evaluate` runs exactly these rules; tests walk the same list: each code has a runbook file, and the
 * healthcheck's IAM policy (infra) covers every action listed here.
 *
 * The order of the codes is the order metrics, emails and indexes list them in.
 */
import { FindingCode as Code, Severity } from './finding.ts';
import { declareCheck as check, type CheckDeclaration, type CheckRule } from './rule.ts';
import { incompleteFindings } from './rules/incomplete-rules.ts';
import { metricFindings } from './rules/metric-rules.ts';
import { runFindings } from './rules/run-rules.ts';
import { blindFindings, scopeFindings } from './rules/sight-rules.ts';
import { disabledFindings, expiredFindings, expressionFindings } from './rules/state-rules.ts';
import { clusterFindings, deadLetterFindings, functionFindings, noDeadLetterFindings, roleFindings, taskDefinitionFindings } from './rules/target-rules.ts';

const { critical, warning, info } = Severity;

export const RULES: readonly CheckRule[] = [
  {
    kind: 'schedule',
    evaluate: clusterFindings,
    checks: [
      // ecs:ListClusters names the cluster a broken target evidently meant, so the alert gives the exact fix.
      check(Code.TARGET_CLUSTER_NOT_FOUND, critical, 'Target ECS cluster does not exist', ['scheduler:ListSchedules', 'scheduler:GetSchedule', 'ecs:DescribeClusters', 'ecs:ListClusters']),
      check(Code.TARGET_CLUSTER_INACTIVE, critical, 'Target ECS cluster is not ACTIVE', ['ecs:DescribeClusters']),
    ],
  },
  { kind: 'schedule', evaluate: taskDefinitionFindings, checks: [check(Code.TASK_DEFINITION_NOT_ACTIVE, critical, 'Task definition is not ACTIVE', ['ecs:DescribeTaskDefinition'])] },
  { kind: 'schedule', evaluate: roleFindings, checks: [check(Code.TARGET_ROLE_MISSING, critical, 'Schedule execution role does not exist', ['iam:GetRole'])] },
  { kind: 'schedule', evaluate: functionFindings, checks: [check(Code.TARGET_FUNCTION_MISSING, critical, 'Target Lambda function does not exist', ['lambda:GetFunction'])] },
  { kind: 'schedule', evaluate: deadLetterFindings, checks: [check(Code.DEAD_LETTER_QUEUE_MISSING, warning, 'Dead-letter queue does not exist', ['sqs:GetQueueUrl'])] },
  { kind: 'timing', evaluate: disabledFindings, checks: [check(Code.SCHEDULE_DISABLED, warning, 'Schedule is DISABLED', ['scheduler:GetSchedule'])] },
  { kind: 'timing', evaluate: expiredFindings, checks: [check(Code.SCHEDULE_EXPIRED, warning, 'Schedule is ENABLED but will never fire again', ['scheduler:GetSchedule'])] },
  { kind: 'schedule', evaluate: expressionFindings, checks: [check(Code.INVALID_EXPRESSION, critical, 'Schedule expression or timezone is invalid', ['scheduler:GetSchedule'])] },
  {
    kind: 'timing',
    evaluate: runFindings,
    checks: [
      // Raised to critical only for a market-critical schedule while the market is open.
      check(Code.MISSED_RUNS, warning, 'Schedule should have run but did not', ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'ecs:ListTasks', 'ecs:DescribeTasks']),
      check(Code.RUNS_UNVERIFIABLE, info, 'Runs cannot be verified from the evidence available', []),
    ],
  },
  { kind: 'run', evaluate: metricFindings, checks: [check(Code.TARGET_ERRORS, warning, 'Scheduler reports target errors for the group', ['cloudwatch:GetMetricData'])] },
  { kind: 'schedule', evaluate: noDeadLetterFindings, checks: [check(Code.NO_DEAD_LETTER_QUEUE, info, 'Schedule has no dead-letter queue', [])] },
  {
    kind: 'run',
    evaluate: incompleteFindings,
    checks: [check(Code.CHECK_INCOMPLETE, warning, 'Part of the check could not run', ['scheduler:ListScheduleGroups', 'scheduler:ListTagsForResource'])],
  },
  {
    kind: 'run',
    evaluate: blindFindings,
    checks: [check(Code.MONITOR_BLIND, critical, 'The check could not see: schedules unlistable or an API unreachable', ['scheduler:ListSchedules'])],
  },
  { kind: 'run', evaluate: scopeFindings, checks: [check(Code.SCOPE_EMPTY, warning, 'No schedule matches the scope of the check', ['scheduler:ListScheduleGroups'])] },
];

/**
 * Findings no snapshot can show, raised from what AWS reports as it happens: Scheduler's dead-letter
 * events (src/healthcheck/dead-letter-alerts.ts). The alert policy keeps them failing for a while after
 * the last occurrence, since no later check can see them resolve (see EVENT_SOURCED_CODES).
 */
export const EVENT_CHECKS: readonly CheckDeclaration[] = [
  check(Code.INVOCATION_FAILED, critical, 'Scheduler gave up invoking the target (dead-letter event)', ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']),
];

export const CHECKS: readonly CheckDeclaration[] = [...RULES.flatMap((rule) => rule.checks), ...EVENT_CHECKS];

/** Codes only events raise: a check that does not see one has not seen it resolve. */
export const EVENT_SOURCED_CODES: ReadonlySet<string> = new Set(EVENT_CHECKS.map((c) => c.code));

export function declarationOf(code: Code): CheckDeclaration {
  const found = CHECKS.find((check) => check.code === code);
  if (!found) throw new Error(`No check declared for ${code}`);
  return found;
}

/** Every read-only action the collector may call, sorted and unique (the dead-letter consumer has its own role). */
export function requiredReadActions(): string[] {
  return [...new Set(RULES.flatMap((rule) => rule.checks).flatMap((check) => check.iamActions))].sort();
}
