/**
 * The 2026-01-29 freeze was 12 schedules pointing at a cluster name typed by hand. These tests hold
 * every ECS schedule to the cluster resource's own ARN, and to the failure handling the incident lacked.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { JOBS } from '../../infra/jobs.ts';
import { asList, BASE_CONFIG, roleNamed, roleStatements, runProgram, WORKER_IMAGES, type StackUnderTest } from './program.ts';
import type { RecordedResource } from './mocks.ts';

interface EcsTarget {
  arn: string;
  roleArn: string;
  retryPolicy?: { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number };
  deadLetterConfig?: { arn?: string };
  ecsParameters?: {
    taskDefinitionArn: string;
    group?: string;
    launchType?: string;
    networkConfiguration?: { subnets: string[]; securityGroups?: string[]; assignPublicIp?: boolean };
  };
}

const target = (schedule: RecordedResource) => schedule.inputs.target as EcsTarget;

let stack: StackUnderTest;
let cluster: RecordedResource;
let ecsSchedules: RecordedResource[];

beforeAll(async () => {
  stack = await runProgram({ assignPublicIp: true });
  cluster = stack.one('aws:ecs/cluster:Cluster');
  ecsSchedules = stack.ofType('aws:scheduler/schedule:Schedule').filter((s) => target(s).ecsParameters !== undefined);
});

describe('ECS schedules', () => {
  it('has one schedule per job in the table', () => {
    expect(ecsSchedules.map((s) => s.inputs.name).sort()).toEqual(JOBS.map((job) => `ops-pipeline-${job.name}`).sort());
    expect(stack.outputs.scheduleNames).toEqual(JOBS.map((job) => `ops-pipeline-${job.name}`));
  });

  it('targets the cluster resource’s ARN output, the one the stack exports', () => {
    const clusterArn = cluster.state.arn;
    expect(clusterArn).toBe('arn:aws:ecs:us-east-1:123456789012:cluster/ops-pipeline-cluster');
    expect(stack.outputs.clusterArn).toBe(clusterArn);
    for (const schedule of ecsSchedules) expect(target(schedule).arn, String(schedule.inputs.name)).toBe(clusterArn);
  });

  it('runs the task definition resource of its own job', () => {
    const taskDefinitions = stack.ofType('aws:ecs/taskDefinition:TaskDefinition');
    for (const schedule of ecsSchedules) {
      const family = String(schedule.inputs.name);
      const taskDefinition = taskDefinitions.find((td) => td.inputs.family === family);
      expect(taskDefinition, family).toBeDefined();
      expect(target(schedule).ecsParameters!.taskDefinitionArn).toBe(taskDefinition!.state.arn);
    }
  });

  it('has an explicit retry policy and a dead-letter queue that the stack creates', () => {
    const queueArns = new Set(stack.ofType('aws:sqs/queue:Queue').map((q) => q.state.arn));
    for (const schedule of stack.ofType('aws:scheduler/schedule:Schedule')) {
      const { retryPolicy, deadLetterConfig } = target(schedule);
      expect(retryPolicy?.maximumRetryAttempts, `${String(schedule.inputs.name)} retries`).toEqual(expect.any(Number));
      expect(retryPolicy?.maximumEventAgeInSeconds, `${String(schedule.inputs.name)} event age`).toEqual(expect.any(Number));
      expect(queueArns.has(deadLetterConfig?.arn), `${String(schedule.inputs.name)} dead-letter queue`).toBe(true);
    }
  });

  it('tags each run with group schedule:<name>, so the run ledger attributes it exactly', () => {
    for (const schedule of ecsSchedules) expect(target(schedule).ecsParameters!.group).toBe(`schedule:${String(schedule.inputs.name)}`);
  });

  it('takes networking from config and runs on Fargate', () => {
    for (const schedule of ecsSchedules) {
      const params = target(schedule).ecsParameters!;
      expect(params.launchType).toBe('FARGATE');
      expect(params.networkConfiguration).toEqual({ subnets: ['subnet-0aaa1111', 'subnet-0bbb2222'], securityGroups: ['sg-0ccc3333'], assignPublicIp: true });
    }
  });

  it('keeps each job’s timezone and flexible window', () => {
    for (const job of JOBS) {
      const schedule = ecsSchedules.find((s) => s.inputs.name === `ops-pipeline-${job.name}`)!;
      expect(schedule.inputs.scheduleExpression).toBe(job.expression);
      expect(schedule.inputs.scheduleExpressionTimezone).toBe(job.timezone);
      expect(schedule.inputs.flexibleTimeWindow).toEqual(
        job.flexibleWindowMinutes === undefined ? { mode: 'OFF' } : { mode: 'FLEXIBLE', maximumWindowInMinutes: job.flexibleWindowMinutes },
      );
    }
  });

  it('puts market-critical jobs in the group tagged ops:market-critical=true and the rest in the 24x7 group', () => {
    const groups = stack.ofType('aws:scheduler/scheduleGroup:ScheduleGroup');
    const tagged = groups.filter((g) => (g.inputs.tags as Record<string, string>)['ops:market-critical'] === 'true').map((g) => g.inputs.name);
    expect(tagged).toEqual(['ops-pipeline-market']);
    expect(stack.outputs.pipelineScheduleGroups).toEqual(['ops-pipeline-market', 'ops-pipeline']);
    for (const job of JOBS) {
      const schedule = ecsSchedules.find((s) => s.inputs.name === `ops-pipeline-${job.name}`)!;
      expect(schedule.inputs.groupName, job.name).toBe(job.marketCritical ? 'ops-pipeline-market' : 'ops-pipeline');
    }
  });
});

describe('task definitions', () => {
  interface Container {
    image: string;
    command: string[];
    logConfiguration: { options: Record<string, string> };
  }
  const containerOf = (td: RecordedResource) => (JSON.parse(String(td.inputs.containerDefinitions)) as Container[])[0]!;

  it('run the project image, or the job’s own image from config, and log to the job’s log group', () => {
    for (const job of JOBS) {
      const td = stack.one('aws:ecs/taskDefinition:TaskDefinition', (t) => t.inputs.family === `ops-pipeline-${job.name}`);
      const container = containerOf(td);
      expect(container.image, job.name).toBe(WORKER_IMAGES[job.name] ?? BASE_CONFIG.imageUri);
      expect(container.command).toEqual(job.command);
      expect(container.logConfiguration.options['awslogs-group']).toBe(`/ecs/ops-pipeline/${job.name}`);
      expect(td.inputs).toMatchObject({ cpu: String(job.cpu), memory: String(job.memory), networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'] });
    }
  });

  it('let the execution role pull from exactly the repositories of those images', () => {
    const repositories = stack.calls.filter((c) => c.token === 'aws:ecr/getRepository:getRepository').map((c) => String(c.result.name));
    const images = [String(BASE_CONFIG.imageUri), ...Object.values(WORKER_IMAGES)];
    const expected = [...new Set(images.map((image) => image.split('/')[1]!.split(':')[0]!))];
    expect(repositories.sort()).toEqual(expected.sort());
    const pull = roleStatements(stack).filter((s) => asList(s.statement.Action).includes('ecr:BatchGetImage'));
    expect(pull).toHaveLength(1);
    expect(asList(pull[0]!.statement.Resource).sort()).toEqual(expected.map((name) => `arn:aws:ecr:us-east-1:123456789012:repository/${name}`).sort());
  });
});

describe('the pipeline scheduler role', () => {
  it('may run only the pipeline’s task-definition families, every revision, on the pipeline cluster', () => {
    const schedulerRoleArn = target(ecsSchedules[0]!).roleArn;
    for (const schedule of ecsSchedules) expect(target(schedule).roleArn).toBe(schedulerRoleArn);
    const role = stack.one('aws:iam/role:Role', (r) => r.state.arn === schedulerRoleArn);
    const statements = roleStatements(stack).filter((s) => roleNamed(stack, s.role) === role);

    const runTask = statements.filter((s) => asList(s.statement.Action).includes('ecs:RunTask'));
    expect(runTask).toHaveLength(1);
    const expected = stack.ofType('aws:ecs/taskDefinition:TaskDefinition').map((td) => `${String(td.state.arnWithoutRevision)}:*`);
    expect(asList(runTask[0]!.statement.Resource).sort()).toEqual(expected.sort());
    expect(runTask[0]!.statement.Condition).toEqual({ ArnEquals: { 'ecs:cluster': cluster.state.arn } });
  });

  it('may pass only the task execution role and the task role', () => {
    const schedulerRoleArn = target(ecsSchedules[0]!).roleArn;
    const role = stack.one('aws:iam/role:Role', (r) => r.state.arn === schedulerRoleArn);
    const passRole = roleStatements(stack).filter((s) => roleNamed(stack, s.role) === role && asList(s.statement.Action).includes('iam:PassRole'));
    expect(passRole).toHaveLength(1);
    const taskDefinition = stack.ofType('aws:ecs/taskDefinition:TaskDefinition')[0]!;
    expect(asList(passRole[0]!.statement.Resource).sort()).toEqual([taskDefinition.inputs.executionRoleArn, taskDefinition.inputs.taskRoleArn].sort());
    expect(new Set(asList(passRole[0]!.statement.Resource)).size).toBe(2);
  });
});

describe('the healthcheck schedule', () => {
  it('invokes the healthcheck Lambda every 5 minutes from its own group', () => {
    const schedule = stack.one('aws:scheduler/schedule:Schedule', (s) => s.inputs.name === stack.outputs.healthcheckScheduleName);
    const fn = stack.one('aws:lambda/function:Function', (f) => f.inputs.name === stack.outputs.healthcheckFunctionName);
    expect(schedule.inputs.scheduleExpression).toBe('rate(5 minutes)');
    expect(target(schedule).arn).toBe(fn.state.arn);
    expect(schedule.inputs.groupName).toBe('ops-pipeline-monitoring');
  });

  it('exports the remediation table the auto-fix backs up into, for `ops rollback --from-table`', () => {
    const table = stack.one('aws:dynamodb/table:Table', (t) => t.inputs.name === stack.outputs.remediationTableName);
    expect(table.inputs.name).toBe('ops-pipeline-remediation');
  });

  it('uses a role that may invoke that one function only', () => {
    const schedule = stack.one('aws:scheduler/schedule:Schedule', (s) => s.inputs.name === stack.outputs.healthcheckScheduleName);
    const fn = stack.one('aws:lambda/function:Function', (f) => f.inputs.name === stack.outputs.healthcheckFunctionName);
    const role = stack.one('aws:iam/role:Role', (r) => r.state.arn === target(schedule).roleArn);
    const invoke = roleStatements(stack).filter((s) => roleNamed(stack, s.role) === role && asList(s.statement.Action).includes('lambda:InvokeFunction'));
    expect(invoke.map((s) => s.statement.Resource)).toEqual([[fn.state.arn]]);
  });
});
