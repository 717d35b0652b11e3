/**
 * The shape of a sandbox scenario (scenarios/*.yaml): the AWS resources to create and the schedules
 * pointing at them, including deliberately broken ones. Names, not ARNs: the seeder builds ARNs from
 * the sandbox's account and region, so one file works in moto, LocalStack or a test account.
 */
import { FindingCode } from '../checks/finding.ts';
import * as z from 'zod';
import { parseExpression, validateTimezone } from '../schedule/index.ts';

const {
  TARGET_CLUSTER_NOT_FOUND,
  TARGET_CLUSTER_INACTIVE,
  TASK_DEFINITION_NOT_ACTIVE,
  TARGET_ROLE_MISSING,
  TARGET_FUNCTION_MISSING,
  DEAD_LETTER_QUEUE_MISSING,
  SCHEDULE_DISABLED,
  SCHEDULE_EXPIRED,
} = FindingCode;
/** The finding codes a scenario may plant: the configuration faults the checks find. */
export const PlantedFault = {
  TARGET_CLUSTER_NOT_FOUND,
  TARGET_CLUSTER_INACTIVE,
  TASK_DEFINITION_NOT_ACTIVE,
  TARGET_ROLE_MISSING,
  TARGET_FUNCTION_MISSING,
  DEAD_LETTER_QUEUE_MISSING,
  SCHEDULE_DISABLED,
  SCHEDULE_EXPIRED,
} as const;
export type PlantedFault = (typeof PlantedFault)[keyof typeof PlantedFault];

/** Schedule groups carry this tag; Scheduler cannot tag individual schedules. */
export const MARKET_CRITICAL_TAG = { key: 'ops:market-critical', value: 'true' } as const;

const name = z.string().regex(/^[0-9a-zA-Z_.-]{1,64}$/, 'must be 1-64 letters, digits, "-", "_" or "."');
const tags = z.record(z.string().min(1).max(128), z.string().max(256));
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 instant with a zone, e.g. 2026-01-29T16:36:00Z' });
/** A JSON object in YAML (serialised to the schedule's Input string) or a literal string. */
const input = z.union([z.string(), z.record(z.string(), z.unknown())]);

const network = z.strictObject({
  /** `default`: the sandbox's default VPC subnets (looked up at seed time; moto's IDs are random). */
  subnets: z.union([z.literal('default'), z.array(z.string().min(1)).min(1).max(16)]).default('default'),
  securityGroups: z.union([z.literal('default'), z.array(z.string().min(1)).max(5)]).default('default'),
  assignPublicIp: z.enum(['ENABLED', 'DISABLED']).default('DISABLED'),
});

const ecsTarget = z.strictObject({
  kind: z.literal('ecs'),
  /** Cluster NAME; the target ARN is arn:aws:ecs:<region>:<account>:cluster/<name>. */
  cluster: name,
  /** Task definition family, or family:revision. */
  taskDefinition: z.string().regex(/^[0-9a-zA-Z_-]{1,255}(:\d+)?$/, 'must be a family or family:revision'),
  launchType: z.enum(['FARGATE', 'EC2']).default('FARGATE'),
  taskCount: z.number().int().min(1).max(10).default(1),
  platformVersion: z.string().optional(),
  network: network.optional(),
  /** EcsParameters.Group: ECS copies it onto each task, an unambiguous identity for the run ledger. */
  ecsGroup: z.string().max(255).optional(),
  tags: tags.optional(),
  enableEcsManagedTags: z.boolean().optional(),
  propagateTags: z.literal('TASK_DEFINITION').optional(),
  input: input.optional(),
});
const lambdaTarget = z.strictObject({ kind: z.literal('lambda'), function: name, input: input.optional() });
const sqsTarget = z.strictObject({ kind: z.literal('sqs'), queue: name, input: input.optional() });
const snsTarget = z.strictObject({ kind: z.literal('sns'), topic: name, input: input.optional() });
const target = z.discriminatedUnion('kind', [ecsTarget, lambdaTarget, sqsTarget, snsTarget]);

const retryPolicy = z.strictObject({
  maximumRetryAttempts: z.number().int().min(0).max(185),
  maximumEventAgeInSeconds: z.number().int().min(60).max(86_400).default(86_400),
});

const schedule = z.strictObject({
  name,
  group: name.default('default'),
  description: z.string().max(512).optional(),
  /** Must match the group's `ops:market-critical=true` tag (checked below). */
  marketCritical: z.boolean().default(false),
  expression: z.string().min(1),
  timezone: z.string().default('UTC'),
  state: z.enum(['ENABLED', 'DISABLED']).default('ENABLED'),
  startDate: instant.optional(),
  endDate: instant.optional(),
  /** FlexibleTimeWindow FLEXIBLE with this maximum; absent = OFF. */
  flexibleWindowMinutes: z.number().int().min(1).max(1_440).optional(),
  actionAfterCompletion: z.enum(['NONE', 'DELETE']).optional(),
  /** IAM role NAME that Scheduler assumes. */
  role: name,
  /** SQS queue NAME of the dead-letter queue. */
  deadLetterQueue: name.optional(),
  /** Absent: AWS's default (185 retries within 24 h). */
  retryPolicy: retryPolicy.optional(),
  target,
  /** What is deliberately wrong with this schedule; a missing or inactive reference must be declared here. */
  plantedFault: z.enum(Object.values(PlantedFault) as [PlantedFault, ...PlantedFault[]]).optional(),
});

const container = z.strictObject({
  name,
  image: z.string().min(1),
  /** moto quirk: RunTask fails (HTTP 500) unless every container has memory or memoryReservation. */
  memory: z.number().int().min(6),
  cpu: z.number().int().min(0).optional(),
  command: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string()).optional(),
});

const taskDefinition = z.strictObject({
  family: z.string().regex(/^[0-9a-zA-Z_-]{1,255}$/, 'must be letters, digits, "-" or "_"'),
  cpu: z.string().default('256'),
  memory: z.string().default('512'),
  executionRole: name.optional(),
  taskRole: name.optional(),
  containers: z.array(container).min(1),
  /** INACTIVE: registered, then deregistered (what a bad deploy leaves behind). */
  status: z.enum(['ACTIVE', 'INACTIVE']).default('ACTIVE'),
});

const role = z.strictObject({
  name,
  /** Which service may assume it. */
  trust: z.enum(['scheduler', 'ecs-tasks', 'lambda']),
  /** Actions of an inline policy on Resource "*" (the sandbox does not enforce IAM). */
  actions: z.array(z.string().regex(/^[a-z0-9-]+:[A-Za-z*]+$/, 'must look like service:Action')).default([]),
});

const cluster = z.strictObject({
  name,
  /** INACTIVE: created, then deleted (ECS keeps deleted clusters as INACTIVE for a while). */
  state: z.enum(['ACTIVE', 'INACTIVE']).default('ACTIVE'),
  tags: tags.optional(),
});

const lambdaFunction = z.strictObject({
  name,
  role: name,
  runtime: z.string().default('nodejs20.x'),
  handler: z.string().default('index.handler'),
  description: z.string().optional(),
});

const scheduleGroup = z.strictObject({ name, tags: tags.default({}) });

export const scenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and "-"'),
    description: z.string().min(1),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-west-2').default('us-west-2'),
    /** Suggested virtual clock window for replays and demos (the firer does not require it). */
    replay: z.strictObject({ start: instant, end: instant.optional(), note: z.string().optional() }).optional(),
    runLedgerTable: name.default('ops-run-ledger'),
    roles: z.array(role).default([]),
    clusters: z.array(cluster).default([]),
    taskDefinitions: z.array(taskDefinition).default([]),
    functions: z.array(lambdaFunction).default([]),
    queues: z.array(z.strictObject({ name })).default([]),
    topics: z.array(z.strictObject({ name })).default([]),
    scheduleGroups: z.array(scheduleGroup).default([]),
    schedules: z.array(schedule).default([]),
  })
  .superRefine((scenario, ctx) => crossCheck(scenario, ctx));

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioSchedule = Scenario['schedules'][number];
export type ScenarioTarget = ScenarioSchedule['target'];
export type ScenarioEcsTarget = Extract<ScenarioTarget, { kind: 'ecs' }>;
export type ScenarioTaskDefinition = Scenario['taskDefinitions'][number];
export type ScenarioRole = Scenario['roles'][number];

type Ctx = z.RefinementCtx;
type Path = (string | number)[];

function issue(ctx: Ctx, path: Path, message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

function duplicates(values: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const value of values) (seen.has(value) ? dups : seen).add(value);
  return dups;
}

/** References between resources, and the rule that every broken reference is planted on purpose. */
function crossCheck(scenario: Scenario, ctx: Ctx): void {
  const unique = (label: string, names: readonly string[], key: string): void => {
    for (const dup of duplicates(names)) {
      issue(ctx, [label, names.lastIndexOf(dup), key], `${label} has "${dup}" more than once`);
    }
  };
  unique('roles', scenario.roles.map((r) => r.name), 'name');
  unique('clusters', scenario.clusters.map((c) => c.name), 'name');
  unique('taskDefinitions', scenario.taskDefinitions.map((t) => t.family), 'family');
  unique('functions', scenario.functions.map((f) => f.name), 'name');
  unique('queues', scenario.queues.map((q) => q.name), 'name');
  unique('topics', scenario.topics.map((t) => t.name), 'name');
  unique('scheduleGroups', scenario.scheduleGroups.map((g) => g.name), 'name');
  unique('schedules', scenario.schedules.map((s) => `${s.group}/${s.name}`), 'name');

  const roles = new Set(scenario.roles.map((r) => r.name));
  const clusters = new Map(scenario.clusters.map((c) => [c.name, c.state]));
  const taskDefinitions = new Map(scenario.taskDefinitions.map((t) => [t.family, t.status]));
  const functions = new Set(scenario.functions.map((f) => f.name));
  const queues = new Set(scenario.queues.map((q) => q.name));
  const topics = new Set(scenario.topics.map((t) => t.name));
  const groups = new Map(scenario.scheduleGroups.map((g) => [g.name, g.tags]));

  scenario.taskDefinitions.forEach((td, i) => {
    for (const [field, roleName] of [['executionRole', td.executionRole], ['taskRole', td.taskRole]] as const) {
      if (roleName !== undefined && !roles.has(roleName)) issue(ctx, ['taskDefinitions', i, field], `role "${roleName}" is not declared in roles`);
    }
  });
  scenario.functions.forEach((fn, i) => {
    if (!roles.has(fn.role)) issue(ctx, ['functions', i, 'role'], `role "${fn.role}" is not declared in roles (moto's CreateFunction needs an existing role)`);
  });

  scenario.schedules.forEach((s, i) => {
    const at = (...rest: Path): Path => ['schedules', i, ...rest];
    // Missing or inactive references are how scenarios plant faults; anything else is a typo.
    const broken = (path: Path, what: string, fault: PlantedFault): void => {
      if (s.plantedFault !== fault) issue(ctx, path, `${what}; declare it, or mark the schedule with plantedFault: ${fault}`);
    };
    try {
      parseExpression(s.expression);
    } catch (error) {
      issue(ctx, at('expression'), error instanceof Error ? error.message : String(error));
    }
    try {
      validateTimezone(s.timezone);
    } catch (error) {
      issue(ctx, at('timezone'), error instanceof Error ? error.message : String(error));
    }
    if (s.startDate !== undefined && s.endDate !== undefined && Date.parse(s.endDate) <= Date.parse(s.startDate)) {
      issue(ctx, at('endDate'), 'must be after startDate');
    }
    const replayStart = scenario.replay?.start;
    if (s.endDate !== undefined && replayStart !== undefined && Date.parse(s.endDate) <= Date.parse(replayStart)) {
      if (s.state === 'ENABLED' && s.plantedFault !== PlantedFault.SCHEDULE_EXPIRED) {
        issue(ctx, at('endDate'), `is before replay.start, so the schedule never fires; mark it with plantedFault: ${PlantedFault.SCHEDULE_EXPIRED}`);
      }
    }
    if (s.group !== 'default' && !groups.has(s.group)) {
      issue(ctx, at('group'), `schedule group "${s.group}" is not declared in scheduleGroups`);
    }
    const groupCritical = groups.get(s.group)?.[MARKET_CRITICAL_TAG.key] === MARKET_CRITICAL_TAG.value;
    if (s.marketCritical !== groupCritical) {
      issue(
        ctx,
        at('marketCritical'),
        `is ${s.marketCritical} but group "${s.group}" is ${groupCritical ? '' : 'not '}tagged ${MARKET_CRITICAL_TAG.key}=${MARKET_CRITICAL_TAG.value}; Scheduler can only tag groups, so put the schedule in a group that matches`,
      );
    }
    if (s.state === 'DISABLED' && s.plantedFault !== PlantedFault.SCHEDULE_DISABLED) {
      issue(ctx, at('state'), `DISABLED schedules never fire; mark the schedule with plantedFault: ${PlantedFault.SCHEDULE_DISABLED}`);
    }
    if (!roles.has(s.role)) broken(at('role'), `role "${s.role}" is not declared in roles`, PlantedFault.TARGET_ROLE_MISSING);
    if (s.deadLetterQueue !== undefined && !queues.has(s.deadLetterQueue)) {
      broken(at('deadLetterQueue'), `queue "${s.deadLetterQueue}" is not declared in queues`, PlantedFault.DEAD_LETTER_QUEUE_MISSING);
    }
    const t = s.target;
    switch (t.kind) {
      case 'ecs': {
        const clusterState = clusters.get(t.cluster);
        if (clusterState === undefined) broken(at('target', 'cluster'), `cluster "${t.cluster}" is not declared in clusters`, PlantedFault.TARGET_CLUSTER_NOT_FOUND);
        else if (clusterState === 'INACTIVE') broken(at('target', 'cluster'), `cluster "${t.cluster}" is INACTIVE`, PlantedFault.TARGET_CLUSTER_INACTIVE);
        const family = t.taskDefinition.split(':')[0] ?? t.taskDefinition;
        const tdStatus = taskDefinitions.get(family);
        if (tdStatus === undefined) issue(ctx, at('target', 'taskDefinition'), `task definition family "${family}" is not declared in taskDefinitions`);
        else if (tdStatus === 'INACTIVE') broken(at('target', 'taskDefinition'), `task definition "${family}" is INACTIVE`, PlantedFault.TASK_DEFINITION_NOT_ACTIVE);
        break;
      }
      case 'lambda':
        if (!functions.has(t.function)) broken(at('target', 'function'), `function "${t.function}" is not declared in functions`, PlantedFault.TARGET_FUNCTION_MISSING);
        break;
      case 'sqs':
        if (!queues.has(t.queue)) issue(ctx, at('target', 'queue'), `queue "${t.queue}" is not declared in queues`);
        break;
      case 'sns':
        if (!topics.has(t.topic)) issue(ctx, at('target', 'topic'), `topic "${t.topic}" is not declared in topics`);
        break;
      default: {
        const never: never = t;
        throw new Error(`unknown target ${String(never)}`);
      }
    }
  });
}
