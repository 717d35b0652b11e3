/**
 * Every check, declared with its metadata. Tests walk this registry: each code has a runbook file,
 * and the healthcheck's IAM policy (infra) covers every action listed here.
 */
import { FindingCode, Severity, type FindingCode as Code, type Severity as Sev } from './finding.ts';

export interface CheckDeclaration {
  code: Code;
  /** The usual severity; MISSED_RUNS is raised to critical only while the market is open. */
  severity: Sev;
  title: string;
  /** Read-only IAM actions the collector needs for this check. */
  iamActions: readonly string[];
  runbook: string;
}

const runbook = (code: Code): string => `runbooks/${code}.md`;

export const CHECKS: readonly CheckDeclaration[] = [
  // ecs:ListClusters names the cluster a broken target evidently meant, so the alert gives the exact fix.
  { code: FindingCode.TARGET_CLUSTER_NOT_FOUND, severity: Severity.critical, title: 'Target ECS cluster does not exist', iamActions: ['scheduler:ListSchedules', 'scheduler:GetSchedule', 'ecs:DescribeClusters', 'ecs:ListClusters'], runbook: runbook(FindingCode.TARGET_CLUSTER_NOT_FOUND) },
  { code: FindingCode.TARGET_CLUSTER_INACTIVE, severity: Severity.critical, title: 'Target ECS cluster is not ACTIVE', iamActions: ['ecs:DescribeClusters'], runbook: runbook(FindingCode.TARGET_CLUSTER_INACTIVE) },
  { code: FindingCode.TASK_DEFINITION_NOT_ACTIVE, severity: Severity.critical, title: 'Task definition is not ACTIVE', iamActions: ['ecs:DescribeTaskDefinition'], runbook: runbook(FindingCode.TASK_DEFINITION_NOT_ACTIVE) },
  { code: FindingCode.TARGET_ROLE_MISSING, severity: Severity.critical, title: 'Schedule execution role does not exist', iamActions: ['iam:GetRole'], runbook: runbook(FindingCode.TARGET_ROLE_MISSING) },
  { code: FindingCode.TARGET_FUNCTION_MISSING, severity: Severity.critical, title: 'Target Lambda function does not exist', iamActions: ['lambda:GetFunction'], runbook: runbook(FindingCode.TARGET_FUNCTION_MISSING) },
  { code: FindingCode.DEAD_LETTER_QUEUE_MISSING, severity: Severity.warning, title: 'Dead-letter queue does not exist', iamActions: ['sqs:GetQueueUrl'], runbook: runbook(FindingCode.DEAD_LETTER_QUEUE_MISSING) },
  { code: FindingCode.SCHEDULE_DISABLED, severity: Severity.warning, title: 'Schedule is DISABLED', iamActions: ['scheduler:GetSchedule'], runbook: runbook(FindingCode.SCHEDULE_DISABLED) },
  { code: FindingCode.SCHEDULE_EXPIRED, severity: Severity.warning, title: 'Schedule is ENABLED but will never fire again', iamActions: ['scheduler:GetSchedule'], runbook: runbook(FindingCode.SCHEDULE_EXPIRED) },
  { code: FindingCode.INVALID_EXPRESSION, severity: Severity.critical, title: 'Schedule expression or timezone is invalid', iamActions: ['scheduler:GetSchedule'], runbook: runbook(FindingCode.INVALID_EXPRESSION) },
  { code: FindingCode.MISSED_RUNS, severity: Severity.warning, title: 'Schedule should have run but did not', iamActions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'ecs:ListTasks', 'ecs:DescribeTasks'], runbook: runbook(FindingCode.MISSED_RUNS) },
  { code: FindingCode.RUNS_UNVERIFIABLE, severity: Severity.info, title: 'Runs cannot be verified from the evidence available', iamActions: [], runbook: runbook(FindingCode.RUNS_UNVERIFIABLE) },
  { code: FindingCode.TARGET_ERRORS, severity: Severity.warning, title: 'Scheduler reports target errors for the group', iamActions: ['cloudwatch:GetMetricData'], runbook: runbook(FindingCode.TARGET_ERRORS) },
  { code: FindingCode.NO_DEAD_LETTER_QUEUE, severity: Severity.info, title: 'Schedule has no dead-letter queue', iamActions: [], runbook: runbook(FindingCode.NO_DEAD_LETTER_QUEUE) },
  { code: FindingCode.CHECK_INCOMPLETE, severity: Severity.warning, title: 'Part of the check could not run', iamActions: ['scheduler:ListScheduleGroups', 'scheduler:ListTagsForResource'], runbook: runbook(FindingCode.CHECK_INCOMPLETE) },
  { code: FindingCode.MONITOR_BLIND, severity: Severity.critical, title: 'The check could not see: schedules unlistable or an API unreachable', iamActions: ['scheduler:ListSchedules'], runbook: runbook(FindingCode.MONITOR_BLIND) },
  { code: FindingCode.SCOPE_EMPTY, severity: Severity.warning, title: 'No schedule matches the scope of the check', iamActions: ['scheduler:ListScheduleGroups'], runbook: runbook(FindingCode.SCOPE_EMPTY) },
];

export function declarationOf(code: Code): CheckDeclaration {
  const found = CHECKS.find((check) => check.code === code);
  if (!found) throw new Error(`No check declared for ${code}`);
  return found;
}

/** Every read-only action the collector may call, sorted and unique. */
export function requiredReadActions(): string[] {
  return [...new Set(CHECKS.flatMap((check) => check.iamActions))].sort();
}
