import { declarationOf } from '../registry.ts';
import { FindingCode, Severity, type Finding } from '../finding.ts';
import type { ScheduleFacts } from '../model.ts';
import type { EvaluateContext } from '../evaluate-context.ts';
import { checkCommand, ref } from './schedule-ref.ts';

/** Does every ARN the schedule depends on point at something that exists and is usable? */
export function targetFindings(schedule: ScheduleFacts, ctx: EvaluateContext): Finding[] {
  const findings: Finding[] = [];
  const { snapshot } = ctx;
  const target = schedule.target;

  if (target.kind === 'ecs') {
    const cluster = snapshot.clusters.get(target.arn);
    if (cluster?.status === 'missing') {
      findings.push({
        code: FindingCode.TARGET_CLUSTER_NOT_FOUND,
        severity: Severity.critical,
        schedule: ref(schedule),
        message: `targets ECS cluster ${clusterName(target.arn)}, which does not exist; every run fails`,
        evidence: { clusterArn: target.arn, describeClusters: cluster.reason },
        fix: `ops check-schedulers --fix --group ${schedule.group} --name-prefix ${schedule.name}`,
        runbook: declarationOf(FindingCode.TARGET_CLUSTER_NOT_FOUND).runbook,
      });
    } else if (cluster?.status === 'found' && cluster.value.status !== 'ACTIVE') {
      findings.push({
        code: FindingCode.TARGET_CLUSTER_INACTIVE,
        severity: Severity.critical,
        schedule: ref(schedule),
        message: `targets ECS cluster ${cluster.value.name}, whose status is ${cluster.value.status}; tasks cannot start`,
        evidence: { clusterArn: target.arn, clusterStatus: cluster.value.status },
        fix: `aws ecs describe-clusters --clusters ${target.arn}`,
        runbook: declarationOf(FindingCode.TARGET_CLUSTER_INACTIVE).runbook,
      });
    }
    const taskDefinitionArn = target.ecs?.taskDefinitionArn;
    const taskDefinition = taskDefinitionArn !== undefined ? snapshot.taskDefinitions.get(taskDefinitionArn) : undefined;
    if (taskDefinitionArn !== undefined && (taskDefinition?.status === 'missing' || (taskDefinition?.status === 'found' && taskDefinition.value.status !== 'ACTIVE'))) {
      const status = taskDefinition.status === 'found' ? taskDefinition.value.status : 'MISSING';
      findings.push({
        code: FindingCode.TASK_DEFINITION_NOT_ACTIVE,
        severity: Severity.critical,
        schedule: ref(schedule),
        message: `runs task definition ${shortTaskDefinition(taskDefinitionArn)}, which is ${status}; RunTask will be rejected`,
        evidence: { taskDefinitionArn, status },
        fix: `aws ecs describe-task-definition --task-definition ${taskDefinitionArn}`,
        runbook: declarationOf(FindingCode.TASK_DEFINITION_NOT_ACTIVE).runbook,
      });
    }
  }

  if (target.kind === 'lambda' && snapshot.functions.get(target.arn)?.status === 'missing') {
    findings.push({
      code: FindingCode.TARGET_FUNCTION_MISSING,
      severity: Severity.critical,
      schedule: ref(schedule),
      message: `invokes Lambda function ${target.arn.split(':')[6] ?? target.arn}, which does not exist`,
      evidence: { functionArn: target.arn },
      fix: `aws lambda get-function --function-name ${target.arn}`,
      runbook: declarationOf(FindingCode.TARGET_FUNCTION_MISSING).runbook,
    });
  }

  if (snapshot.roles.get(target.roleArn)?.status === 'missing') {
    findings.push({
      code: FindingCode.TARGET_ROLE_MISSING,
      severity: Severity.critical,
      schedule: ref(schedule),
      message: `uses execution role ${target.roleArn.split('/').pop() ?? target.roleArn}, which does not exist; Scheduler cannot call the target`,
      evidence: { roleArn: target.roleArn },
      fix: `aws iam get-role --role-name ${target.roleArn.split('/').pop() ?? target.roleArn}`,
      runbook: declarationOf(FindingCode.TARGET_ROLE_MISSING).runbook,
    });
  }

  if (target.deadLetterArn === undefined) {
    findings.push({
      code: FindingCode.NO_DEAD_LETTER_QUEUE,
      severity: Severity.info,
      schedule: ref(schedule),
      message: 'has no dead-letter queue; failed invocations are dropped without a trace',
      evidence: {},
      fix: checkCommand(schedule),
      runbook: declarationOf(FindingCode.NO_DEAD_LETTER_QUEUE).runbook,
    });
  } else if (snapshot.queues.get(target.deadLetterArn)?.status === 'missing') {
    findings.push({
      code: FindingCode.DEAD_LETTER_QUEUE_MISSING,
      severity: Severity.warning,
      schedule: ref(schedule),
      message: `sends failures to dead-letter queue ${target.deadLetterArn.split(':')[5] ?? target.deadLetterArn}, which does not exist`,
      evidence: { deadLetterArn: target.deadLetterArn },
      fix: `aws sqs get-queue-url --queue-name ${target.deadLetterArn.split(':')[5] ?? target.deadLetterArn}`,
      runbook: declarationOf(FindingCode.DEAD_LETTER_QUEUE_MISSING).runbook,
    });
  }
  return findings;
}

function clusterName(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

function shortTaskDefinition(arn: string): string {
  return arn.split('/').pop() ?? arn;
}
