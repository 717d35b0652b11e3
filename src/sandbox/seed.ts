/**
 * Creates a scenario's resources through the real AWS APIs on the sandbox endpoint, in dependency
 * order: roles → clusters → task definitions → functions → queues/topics → schedule groups →
 * schedules → the run-ledger table. Planted faults are made the way they happen in real life: an
 * INACTIVE cluster is created and deleted, an INACTIVE task definition registered and deregistered,
 * and missing things are simply never created.
 */
import { mapWithConcurrency } from '../concurrency.ts';
import { createSeederPort, type SeederClients } from './aws/seeder-api.ts';
import { FaultError } from '../errors.ts';
import { placeholderHandlerZip } from './lambda-zip.ts';
import type { Scenario, ScenarioSchedule } from './scenario-schema.ts';
import type { ScheduleSpec, ScheduleTargetModel } from './schedule-model.ts';
import type { SeederPort } from './seeder-port.ts';

export interface SeedOptions {
  /** SDK clients on the sandbox (or pass `port`). */
  clients?: SeederClients;
  port?: SeederPort;
  /** The sandbox endpoint, for the default-VPC look-up. */
  endpoint?: string;
  /** Parallel CreateSchedule calls (default 8). */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface SeededSchedule {
  group: string;
  name: string;
  arn: string;
  marketCritical: boolean;
  plantedFault?: string;
}

export interface SeedResult {
  scenario: string;
  account: string;
  region: string;
  runLedgerTable: string;
  roles: Record<string, string>;
  clusters: Record<string, string>;
  taskDefinitions: Record<string, string>;
  functions: Record<string, string>;
  queues: Record<string, { url: string; arn: string }>;
  /** Each topic with the queue subscribed to it (raw delivery), where its messages can be read. */
  topics: Record<string, { arn: string; captureQueueUrl: string }>;
  scheduleGroups: Record<string, string>;
  schedules: SeededSchedule[];
}

export async function seedScenario(scenario: Scenario, options: SeedOptions): Promise<SeedResult> {
  const region = scenario.region;
  const port = options.port ?? (options.clients ? createSeederPort(options.clients, { region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) }) : undefined);
  if (port === undefined) throw new FaultError('SEED_NO_PORT', 'seedScenario needs clients or port.');
  const log = options.log ?? (() => undefined);
  const concurrency = options.concurrency ?? 8;
  const account = await port.accountId();
  const arn = arns(region, account);
  const result: SeedResult = {
    scenario: scenario.name,
    account,
    region,
    runLedgerTable: scenario.runLedgerTable,
    roles: {},
    clusters: {},
    taskDefinitions: {},
    functions: {},
    queues: {},
    topics: {},
    scheduleGroups: {},
    schedules: [],
  };

  for (const role of scenario.roles) {
    result.roles[role.name] = await port.createRole({ name: role.name, trustService: role.trust, actions: role.actions });
  }
  for (const cluster of scenario.clusters) {
    result.clusters[cluster.name] = await port.createCluster({ name: cluster.name, ...(cluster.tags ? { tags: cluster.tags } : {}) });
    if (cluster.state === 'INACTIVE') await port.deleteCluster(cluster.name);
  }
  for (const td of scenario.taskDefinitions) {
    const registered = await port.registerTaskDefinition({
      family: td.family,
      cpu: td.cpu,
      memory: td.memory,
      ...(td.executionRole ? { executionRoleArn: arn.role(td.executionRole) } : {}),
      ...(td.taskRole ? { taskRoleArn: arn.role(td.taskRole) } : {}),
      containers: td.containers,
    });
    result.taskDefinitions[td.family] = registered;
    if (td.status === 'INACTIVE') await port.deregisterTaskDefinition(registered);
  }
  for (const fn of scenario.functions) {
    result.functions[fn.name] = await port.createFunction({
      name: fn.name,
      roleArn: arn.role(fn.role),
      runtime: fn.runtime,
      handler: fn.handler,
      ...(fn.description ? { description: fn.description } : {}),
      zip: placeholderHandlerZip(fn.name),
    });
  }
  for (const queue of scenario.queues) result.queues[queue.name] = await port.createQueue(queue.name);
  for (const topic of scenario.topics) {
    const topicArn = await port.createTopic(topic.name);
    // moto's /moto-api/data.json fails once a Lambda function exists; a subscribed queue always works.
    const capture = await port.createQueue(`${topic.name}-sandbox-capture`);
    await port.subscribeQueue(topicArn, capture.arn);
    result.topics[topic.name] = { arn: topicArn, captureQueueUrl: capture.url };
  }
  for (const group of scenario.scheduleGroups) result.scheduleGroups[group.name] = await port.createScheduleGroup(group.name, group.tags);

  const needsVpc = scenario.schedules.some((s) => s.target.kind === 'ecs' && (s.target.network?.subnets === 'default' || s.target.network?.securityGroups === 'default'));
  const vpc = needsVpc ? await port.defaultVpc() : { subnetIds: [], securityGroupIds: [] };
  const taskDefinitionArn = (ref: string): string => {
    const [family = ref, revision] = ref.split(':');
    if (revision !== undefined) return arn.taskDefinition(family, revision);
    return result.taskDefinitions[family] ?? arn.taskDefinition(family, '1');
  };
  const specs = scenario.schedules.map((s) => scheduleSpec(s, { arn, vpc, taskDefinitionArn }));
  const created = await mapWithConcurrency(specs, concurrency, (spec) => port.createSchedule(spec));
  result.schedules = scenario.schedules.map((s, i) => ({
    group: s.group,
    name: s.name,
    arn: created[i] ?? '',
    marketCritical: s.marketCritical,
    ...(s.plantedFault ? { plantedFault: s.plantedFault } : {}),
  }));

  await port.ensureRunLedgerTable(scenario.runLedgerTable);
  log(`seeded ${scenario.name}: ${result.schedules.length} schedules in ${scenario.scheduleGroups.length} groups (account ${account}, ${region})`);
  return result;
}

type ArnBuilder = ReturnType<typeof arns>;

function arns(region: string, account: string) {
  return {
    role: (name: string) => `arn:aws:iam::${account}:role/${name}`,
    cluster: (name: string) => `arn:aws:ecs:${region}:${account}:cluster/${name}`,
    taskDefinition: (family: string, revision: string) => `arn:aws:ecs:${region}:${account}:task-definition/${family}:${revision}`,
    function: (name: string) => `arn:aws:lambda:${region}:${account}:function:${name}`,
    queue: (name: string) => `arn:aws:sqs:${region}:${account}:${name}`,
    topic: (name: string) => `arn:aws:sns:${region}:${account}:${name}`,
  };
}

interface SpecContext {
  arn: ArnBuilder;
  vpc: { subnetIds: string[]; securityGroupIds: string[] };
  taskDefinitionArn: (ref: string) => string;
}

/** A scenario schedule as CreateSchedule input, every reference turned into an ARN. */
export function scheduleSpec(s: ScenarioSchedule, ctx: SpecContext): ScheduleSpec {
  const input = s.target.input === undefined ? undefined : typeof s.target.input === 'string' ? s.target.input : JSON.stringify(s.target.input);
  const common = {
    roleArn: ctx.arn.role(s.role),
    ...(input !== undefined ? { input } : {}),
    ...(s.retryPolicy ? { retryPolicy: s.retryPolicy } : {}),
    ...(s.deadLetterQueue ? { deadLetterArn: ctx.arn.queue(s.deadLetterQueue) } : {}),
  };
  let target: ScheduleTargetModel;
  const t = s.target;
  switch (t.kind) {
    case 'ecs': {
      const network = t.network
        ? {
            subnets: t.network.subnets === 'default' ? ctx.vpc.subnetIds : t.network.subnets,
            securityGroups: t.network.securityGroups === 'default' ? ctx.vpc.securityGroupIds : t.network.securityGroups,
            assignPublicIp: t.network.assignPublicIp,
          }
        : undefined;
      target = {
        arn: ctx.arn.cluster(t.cluster),
        ...common,
        ecs: {
          taskDefinitionArn: ctx.taskDefinitionArn(t.taskDefinition),
          taskCount: t.taskCount,
          launchType: t.launchType,
          ...(t.platformVersion ? { platformVersion: t.platformVersion } : {}),
          ...(network ? { network } : {}),
          ...(t.ecsGroup ? { group: t.ecsGroup } : {}),
          ...(t.tags ? { tags: t.tags } : {}),
          ...(t.enableEcsManagedTags !== undefined ? { enableEcsManagedTags: t.enableEcsManagedTags } : {}),
          ...(t.propagateTags ? { propagateTags: t.propagateTags } : {}),
        },
      };
      break;
    }
    case 'lambda':
      target = { arn: ctx.arn.function(t.function), ...common };
      break;
    case 'sqs':
      target = { arn: ctx.arn.queue(t.queue), ...common };
      break;
    case 'sns':
      target = { arn: ctx.arn.topic(t.topic), ...common };
      break;
    default: {
      const never: never = t;
      throw new FaultError('UNKNOWN_TARGET', `Unknown target kind ${String(never)}`);
    }
  }
  return {
    group: s.group,
    name: s.name,
    ...(s.description ? { description: s.description } : {}),
    expression: s.expression,
    timezone: s.timezone,
    state: s.state,
    ...(s.startDate ? { startDate: new Date(s.startDate) } : {}),
    ...(s.endDate ? { endDate: new Date(s.endDate) } : {}),
    flexibleWindow: s.flexibleWindowMinutes !== undefined ? { mode: 'FLEXIBLE', maximumWindowInMinutes: s.flexibleWindowMinutes } : { mode: 'OFF' },
    ...(s.actionAfterCompletion ? { actionAfterCompletion: s.actionAfterCompletion } : {}),
    target,
  };
}
