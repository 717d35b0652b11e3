/** In-memory firer ports: a schedule store, scripted target results, captured metrics. */
import type { FirerPorts, MetricDatumModel, RunTaskRequest, TargetError, TargetResult } from '../../../src/sandbox/firer-ports.ts';
import type { ScheduleDefinition } from '../../../src/sandbox/schedule-model.ts';

export const ACCOUNT = '123456789012';
export const REGION = 'us-west-2';
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/ops-pipeline-cluster`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/scheduler-role`;
export const DLQ_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:dlq`;
export const TASK_DEF = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/job:1`;

export function ecsSchedule(name: string, overrides: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  return {
    group: 'g',
    name,
    arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${overrides.group ?? 'g'}/${name}`,
    expression: 'cron(0/5 * * * ? *)',
    timezone: 'UTC',
    state: 'ENABLED',
    flexibleWindow: { mode: 'OFF' },
    creationDate: new Date('2026-01-01T00:00:00Z'),
    lastModificationDate: new Date('2026-01-01T00:00:00Z'),
    target: {
      arn: CLUSTER_ARN,
      roleArn: ROLE_ARN,
      retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      ecs: { taskDefinitionArn: TASK_DEF, launchType: 'FARGATE', taskCount: 1, network: { subnets: ['subnet-1'], securityGroups: ['sg-1'] } },
    },
    ...overrides,
  };
}

export interface FakeWorld {
  ports: FirerPorts;
  schedules: Map<string, ScheduleDefinition>;
  runTasks: RunTaskRequest[];
  calls: string[];
  metricBatches: MetricDatumModel[][];
  sent: { queueArn: string; body: string; attributes?: Record<string, string> }[];
  deleted: string[];
  /** Scripted RunTask results, consumed in order; default: one RUNNING task. */
  runTaskResults: TargetResult<never>[];
  missingRoles: Set<string>;
  clusterStatus: Map<string, string>;
  taskDefinitionStatus: Map<string, string>;
  missingFunctions: Set<string>;
  failingQueues: Set<string>;
}

export function fakeWorld(initial: ScheduleDefinition[]): FakeWorld {
  let taskCounter = 0;
  const world: FakeWorld = {
    schedules: new Map(initial.map((s) => [`${s.group}/${s.name}`, s])),
    runTasks: [],
    calls: [],
    metricBatches: [],
    sent: [],
    deleted: [],
    runTaskResults: [],
    missingRoles: new Set(),
    clusterStatus: new Map(),
    taskDefinitionStatus: new Map(),
    missingFunctions: new Set(),
    failingQueues: new Set(),
    ports: undefined as unknown as FirerPorts,
  };
  const err = (code: string, httpStatus: number, message = code): { ok: false; error: TargetError } => ({ ok: false, error: { code, message, httpStatus } });
  world.ports = {
    schedules: {
      listSummaries: () => {
        world.calls.push('ListSchedules');
        return Promise.resolve(
          [...world.schedules.values()].map((s) => ({ group: s.group, name: s.name, arn: s.arn, state: s.state, targetArn: s.target.arn, lastModificationDate: s.lastModificationDate })),
        );
      },
      get: (group, name) => {
        world.calls.push(`GetSchedule ${group}/${name}`);
        return Promise.resolve(world.schedules.get(`${group}/${name}`));
      },
      delete: (group, name) => {
        world.deleted.push(`${group}/${name}`);
        world.schedules.delete(`${group}/${name}`);
        return Promise.resolve();
      },
    },
    targets: {
      roleExists: (arn) => Promise.resolve(!world.missingRoles.has(arn)),
      clusterStatus: (arn) => Promise.resolve(world.clusterStatus.get(arn) ?? 'ACTIVE'),
      taskDefinitionStatus: (arn) => Promise.resolve(world.taskDefinitionStatus.get(arn) ?? 'ACTIVE'),
      runTask: (request) => {
        world.runTasks.push(request);
        const scripted = world.runTaskResults.shift();
        if (scripted) return Promise.resolve(scripted);
        taskCounter++;
        return Promise.resolve({
          ok: true,
          value: {
            tasks: Array.from({ length: request.count }, (_, i) => ({
              taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/ops-pipeline-cluster/t${taskCounter}-${i}`,
              clusterArn: request.cluster,
              taskDefinitionArn: request.taskDefinition,
              lastStatus: 'RUNNING',
              desiredStatus: 'RUNNING',
              launchType: 'FARGATE',
              ...(request.group ? { group: request.group } : {}),
              startedBy: request.startedBy,
              containers: [{ name: 'app' }],
            })),
            failures: [],
          },
        });
      },
      getFunction: (arn) => Promise.resolve(world.missingFunctions.has(arn) ? err('ResourceNotFoundException', 404) : { ok: true, value: { functionArn: arn } }),
      sendMessage: (queueArn, body, options) => {
        if (world.failingQueues.has(queueArn)) return Promise.resolve(err('AWS.SimpleQueueService.NonExistentQueue', 400));
        world.sent.push({ queueArn, body, ...(options?.attributes ? { attributes: options.attributes } : {}) });
        return Promise.resolve({ ok: true, value: { messageId: `m${world.sent.length}` } });
      },
      publish: () => Promise.resolve({ ok: true, value: { messageId: 'sns-1' } }),
      putEvent: () => Promise.resolve({ ok: true, value: { eventId: 'ev-1' } }),
    },
    metrics: {
      putMetricData: (_namespace, datums) => {
        world.metricBatches.push([...datums]);
        return Promise.resolve();
      },
    },
  };
  return world;
}

/** Sum of a metric over all captured batches, optionally for one group. */
export function metricTotal(world: FakeWorld, metric: string, group?: string): number {
  return world.metricBatches
    .flat()
    .filter((d) => d.metricName === metric && (group === undefined || d.dimensions.ScheduleGroup === group))
    .reduce((n, d) => n + d.value, 0);
}
