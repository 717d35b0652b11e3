/**
 * Every remediation, declared with its metadata, like the checks in src/checks/registry.ts: the
 * finding it repairs, the one field it changes, the IAM actions it needs (the healthcheck's auto-fix
 * policy in infra must cover them) and its runbook.
 */
import { FindingCode, type Finding, type FindingCode as Code } from '../checks/finding.ts';

export interface RemediationDeclaration {
  code: Code;
  title: string;
  /** The only field the remediation writes. */
  field: 'Target.Arn';
  /** Every IAM action a fix, its verification, its audit and a rollback call. */
  iamActions: readonly string[];
  runbook: string;
}

export const REMEDIATIONS: readonly RemediationDeclaration[] = [
  {
    code: FindingCode.TARGET_CLUSTER_NOT_FOUND,
    title: 'Point the schedule at the cluster it meant (Target.Arn only)',
    field: 'Target.Arn',
    iamActions: [
      'scheduler:GetSchedule',
      'scheduler:UpdateSchedule',
      // UpdateSchedule passes the schedule's execution role again.
      'iam:PassRole',
      'ecs:ListClusters',
      'ecs:DescribeClusters',
      'ecs:ListTasks',
      'ecs:DescribeTasks',
      'sts:GetCallerIdentity',
    ],
    runbook: `runbooks/${FindingCode.TARGET_CLUSTER_NOT_FOUND}.md`,
  },
];

/** Every action the remediations may call, sorted and unique. */
export function requiredRemediationActions(): string[] {
  return [...new Set(REMEDIATIONS.flatMap((r) => r.iamActions))].sort();
}

/**
 * The findings a remediation is declared for: what `--fix` plans and auto-fix acts on. None, and
 * neither needs to list (or be allowed to list) the account's clusters.
 */
export function repairableFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => REMEDIATIONS.some((r) => r.code === finding.code));
}
