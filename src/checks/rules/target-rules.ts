import type { EvaluateContext } from '../evaluate-context.ts';
import { FindingCode, type Finding } from '../finding.ts';
import type { ScheduleFacts } from '../model.ts';
import type { Emit } from '../rule.ts';
import { checkCommand, ref } from './schedule-ref.ts';

/** The ECS cluster the schedule targets: missing, or there but not ACTIVE. */
export function clusterFindings(schedule: ScheduleFacts, ctx: EvaluateContext, emit: Emit): Finding[] {
  const target = schedule.target;
  if (target.kind !== 'ecs') return [];
  const cluster = ctx.snapshot.clusters.get(target.arn);
  if (cluster?.status === 'missing') {
    return [
      emit(FindingCode.TARGET_CLUSTER_NOT_FOUND, {
        schedule: ref(schedule),
        message: `targets ECS cluster ${lastSegment(target.arn, '/')}, which does not exist; every run fails`,
        evidence: { clusterArn: target.arn, describeClusters: cluster.reason },
        fix: `ops check-schedulers --fix --group ${schedule.group} --name-prefix ${schedule.name}`,
      }),
    ];
  }
  if (cluster?.status === 'found' && cluster.value.status !== 'ACTIVE') {
    return [
      emit(FindingCode.TARGET_CLUSTER_INACTIVE, {
        schedule: ref(schedule),
        message: `targets ECS cluster ${cluster.value.name}, whose status is ${cluster.value.status}; tasks cannot start`,
        evidence: { clusterArn: target.arn, clusterStatus: cluster.value.status },
        fix: `aws ecs describe-clusters --clusters ${target.arn}`,
      }),
    ];
  }
  return [];
}

export function taskDefinitionFindings(schedule: ScheduleFacts, ctx: EvaluateContext, emit: Emit): Finding[] {
  const taskDefinitionArn = schedule.target.kind === 'ecs' ? schedule.target.ecs?.taskDefinitionArn : undefined;
  if (taskDefinitionArn === undefined) return [];
  const taskDefinition = ctx.snapshot.taskDefinitions.get(taskDefinitionArn);
  const status = taskDefinition?.status === 'missing' ? 'MISSING' : taskDefinition?.status === 'found' && taskDefinition.value.status !== 'ACTIVE' ? taskDefinition.value.status : undefined;
  if (status === undefined) return [];
  return [
    emit(FindingCode.TASK_DEFINITION_NOT_ACTIVE, {
      schedule: ref(schedule),
      message: `runs task definition ${lastSegment(taskDefinitionArn, '/')}, which is ${status}; RunTask will be rejected`,
      evidence: { taskDefinitionArn, status },
      fix: `aws ecs describe-task-definition --task-definition ${taskDefinitionArn}`,
    }),
  ];
}

export function functionFindings(schedule: ScheduleFacts, ctx: EvaluateContext, emit: Emit): Finding[] {
  const target = schedule.target;
  if (target.kind !== 'lambda' || ctx.snapshot.functions.get(target.arn)?.status !== 'missing') return [];
  return [
    emit(FindingCode.TARGET_FUNCTION_MISSING, {
      schedule: ref(schedule),
      message: `invokes Lambda function ${target.arn.split(':')[6] ?? target.arn}, which does not exist`,
      evidence: { functionArn: target.arn },
      fix: `aws lambda get-function --function-name ${target.arn}`,
    }),
  ];
}

export function roleFindings(schedule: ScheduleFacts, ctx: EvaluateContext, emit: Emit): Finding[] {
  const { roleArn } = schedule.target;
  if (ctx.snapshot.roles.get(roleArn)?.status !== 'missing') return [];
  const name = lastSegment(roleArn, '/');
  return [
    emit(FindingCode.TARGET_ROLE_MISSING, {
      schedule: ref(schedule),
      message: `uses execution role ${name}, which does not exist; Scheduler cannot call the target`,
      evidence: { roleArn },
      fix: `aws iam get-role --role-name ${name}`,
    }),
  ];
}

export function deadLetterFindings(schedule: ScheduleFacts, ctx: EvaluateContext, emit: Emit): Finding[] {
  const { deadLetterArn } = schedule.target;
  if (deadLetterArn === undefined || ctx.snapshot.queues.get(deadLetterArn)?.status !== 'missing') return [];
  const name = deadLetterArn.split(':')[5] ?? deadLetterArn;
  return [
    emit(FindingCode.DEAD_LETTER_QUEUE_MISSING, {
      schedule: ref(schedule),
      message: `sends failures to dead-letter queue ${name}, which does not exist`,
      evidence: { deadLetterArn },
      fix: `aws sqs get-queue-url --queue-name ${name}`,
    }),
  ];
}

export function noDeadLetterFindings(schedule: ScheduleFacts, _ctx: EvaluateContext, emit: Emit): Finding[] {
  if (schedule.target.deadLetterArn !== undefined) return [];
  return [
    emit(FindingCode.NO_DEAD_LETTER_QUEUE, {
      schedule: ref(schedule),
      message: 'has no dead-letter queue; failed invocations are dropped without a trace',
      evidence: {},
      fix: checkCommand(schedule),
    }),
  ];
}

function lastSegment(arn: string, separator: string): string {
  return arn.split(separator).pop() ?? arn;
}
