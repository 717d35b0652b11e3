/**
 * Builders and in-memory fakes for the schedule check (src/checks): `ScheduleFacts`, `Snapshot` with
 * its look-up maps, and `CheckPorts` that answer from plain data and count every call per method.
 * Used by test/unit/checks and meant for e2e and bench code too. No I/O, no wall clock.
 *
 * Everything is healthy by default: a snapshot or fake world answers `found` (ACTIVE) for every ARN
 * a schedule references unless a test overrides that one ARN.
 */
import { LookupError } from '../../src/checks/lookup-error.ts';
import {
  scheduleId,
  type ClusterFacts,
  type GroupMetrics,
  type Lookup,
  type LookupFailure,
  type RunEvidence,
  type ScheduleFacts,
  type ScheduleGroupFacts,
  type ScheduleRef,
  type ScheduleTarget,
  type Snapshot,
  type TaskDefinitionFacts,
} from '../../src/checks/model.ts';
import type { CheckPorts, EcsTaskSeen, LedgerPort, ScheduleFilter, ScheduleListing } from '../../src/checks/ports.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

// ── ARNs ────────────────────────────────────────────────────────────────────────────────────────

export const arn = {
  cluster: (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`,
  taskDefinition: (familyRevision: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${familyRevision}`,
  role: (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`,
  function: (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
  queue: (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
  schedule: (group: string, name: string) => `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${group}/${name}`,
  group: (name: string) => `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/${name}`,
};

export const DEFAULT_GROUP = 'trading';
export const DEFAULT_CLUSTER_ARN = arn.cluster('trading');
export const DEFAULT_TASK_DEFINITION_ARN = arn.taskDefinition('worker:1');
export const DEFAULT_ROLE_ARN = arn.role('scheduler-invoke');
export const DEFAULT_DLQ_ARN = arn.queue('schedules-dlq');
/** Long before any `now` the tests use, so fire times are not hidden behind the last modification. */
export const DEFAULT_CREATED_AT = new Date('2026-01-05T00:00:00Z');

// ── Look-ups ────────────────────────────────────────────────────────────────────────────────────

export function found<T>(value: T): Lookup<T> {
  return { status: 'found', value };
}

export function missing<T>(reason = 'MISSING'): Lookup<T> {
  return { status: 'missing', reason };
}

export function failure(action: string, errorName = 'AccessDeniedException', message = `User is not authorized to perform: ${action}`): LookupFailure {
  return { action, errorName, message };
}

export function unknown<T>(action: string, errorName = 'AccessDeniedException', message?: string): Lookup<T> {
  return { status: 'unknown', failure: failure(action, errorName, message) };
}

/** What a listing API throws when it is denied or fails (ports throw, look-ups return). */
export function lookupError(action: string, errorName = 'AccessDeniedException', message?: string): LookupError {
  return new LookupError(failure(action, errorName, message));
}

export function clusterFacts(clusterArn: string, status = 'ACTIVE'): ClusterFacts {
  return { arn: clusterArn, name: clusterArn.split('/').pop() ?? clusterArn, status };
}

export function taskDefinitionFacts(taskDefinitionArn: string, status = 'ACTIVE'): TaskDefinitionFacts {
  const familyRevision = taskDefinitionArn.split('/').pop() ?? taskDefinitionArn;
  return { arn: taskDefinitionArn, family: familyRevision.replace(/:\d+$/, ''), status };
}

export function groupMetrics(overrides: Partial<GroupMetrics> = {}): GroupMetrics {
  return { invocationAttempts: 0, targetErrors: 0, dropped: 0, sentToDeadLetter: 0, ...overrides };
}

// ── Schedules ───────────────────────────────────────────────────────────────────────────────────

export interface ScheduleOverrides extends Omit<Partial<ScheduleFacts>, 'target'> {
  /**
   * Merged over the default ECS target. When `kind` is not `ecs` and `ecs` is not given, the default
   * ECS parameters are dropped. `deadLetterArn: undefined` removes the dead-letter queue.
   */
  target?: Partial<ScheduleTarget>;
}

/** An ENABLED ECS schedule firing every 15 minutes (New York time), with a DLQ: no findings by itself. */
export function scheduleFacts(name: string, overrides: ScheduleOverrides = {}): ScheduleFacts {
  const { target: targetOverrides = {}, ...rest } = overrides;
  const group = rest.group ?? DEFAULT_GROUP;
  const defaultTarget: ScheduleTarget = {
    kind: 'ecs',
    arn: DEFAULT_CLUSTER_ARN,
    roleArn: DEFAULT_ROLE_ARN,
    deadLetterArn: DEFAULT_DLQ_ARN,
    retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 2 },
    ecs: { taskDefinitionArn: DEFAULT_TASK_DEFINITION_ARN, launchType: 'FARGATE', taskCount: 1 },
  };
  const target: ScheduleTarget = { ...defaultTarget, ...targetOverrides };
  if (target.kind !== 'ecs' && targetOverrides.ecs === undefined) delete target.ecs;
  return {
    group,
    name,
    arn: arn.schedule(group, name),
    state: 'ENABLED',
    expression: 'cron(*/15 * * * ? *)',
    timezone: 'America/New_York',
    creationDate: DEFAULT_CREATED_AT,
    lastModificationDate: DEFAULT_CREATED_AT,
    flexibleWindowMinutes: 0,
    ...rest,
    target,
  };
}

/** A Lambda-target schedule (no run evidence exists for these). */
export function lambdaSchedule(name: string, functionName: string, overrides: ScheduleOverrides = {}): ScheduleFacts {
  return scheduleFacts(name, { ...overrides, target: { kind: 'lambda', arn: arn.function(functionName), ...overrides.target } });
}

export interface FleetOptions {
  count: number;
  clusters?: number;
  taskDefinitions?: number;
  roles?: number;
  groups?: number;
  namePrefix?: string;
  overrides?: (index: number) => ScheduleOverrides;
}

/**
 * `count` ECS schedules sharing `clusters` clusters, `taskDefinitions` task definitions, `roles` roles
 * and `groups` groups round-robin: the shape that shows whether look-ups are deduplicated.
 */
export function scheduleFleet(options: FleetOptions): ScheduleFacts[] {
  const { count, clusters = 1, taskDefinitions = 1, roles = 1, groups = 1, namePrefix = 'job' } = options;
  return Array.from({ length: count }, (_, i) => {
    const extra = options.overrides?.(i) ?? {};
    return scheduleFacts(`${namePrefix}-${String(i).padStart(3, '0')}`, {
      group: `group-${i % groups}`,
      ...extra,
      target: {
        arn: arn.cluster(`cluster-${i % clusters}`),
        roleArn: arn.role(`role-${i % roles}`),
        ecs: { taskDefinitionArn: arn.taskDefinition(`family-${i % taskDefinitions}:1`), launchType: 'FARGATE', taskCount: 1 },
        ...extra.target,
      },
    });
  });
}

export function groupFacts(name: string, tags: Record<string, string> = {}, overrides: Partial<ScheduleGroupFacts> = {}): ScheduleGroupFacts {
  return { name, arn: arn.group(name), state: 'ACTIVE', tags, ...overrides };
}

export function refOf(schedule: ScheduleFacts): ScheduleRef {
  return { group: schedule.group, name: schedule.name, arn: schedule.arn };
}

// ── Run evidence ────────────────────────────────────────────────────────────────────────────────

export function ledgerEvidence(opts: { coversSince: Date; lastRunAt?: Date }): RunEvidence {
  return { source: 'ledger', ...(opts.lastRunAt ? { lastRunAt: opts.lastRunAt } : {}), runsSince: opts.lastRunAt ? [opts.lastRunAt] : [], coversSince: opts.coversSince };
}

export function ecsEvidence(opts: { coversSince: Date; runs?: Date[] }): RunEvidence {
  const runs = [...(opts.runs ?? [])].sort((a, b) => a.getTime() - b.getTime());
  const lastRunAt = runs.at(-1);
  return { source: 'ecs', ...(lastRunAt ? { lastRunAt } : {}), runsSince: runs, coversSince: opts.coversSince };
}

export function noEvidence(reason = 'fixture: no run evidence given'): RunEvidence {
  return { source: 'none', reason };
}

// ── Snapshot ────────────────────────────────────────────────────────────────────────────────────

type LookupOverrides<T> = Record<string, Lookup<T>> | Map<string, Lookup<T>>;

export interface SnapshotInput {
  collectedAt?: Date;
  region?: string;
  schedules?: ScheduleFacts[];
  /** Default: one untagged group per group name the schedules use. */
  groups?: ScheduleGroupFacts[];
  unreadable?: { ref: ScheduleRef; failure: LookupFailure }[];
  /** Per-ARN overrides; every other referenced ARN is `found` and ACTIVE. */
  clusters?: LookupOverrides<ClusterFacts>;
  taskDefinitions?: LookupOverrides<TaskDefinitionFacts>;
  roles?: LookupOverrides<{ arn: string }>;
  functions?: LookupOverrides<{ arn: string }>;
  queues?: LookupOverrides<{ arn: string }>;
  /** Per-group overrides; every other group of a schedule reports all-zero metrics. */
  metrics?: LookupOverrides<GroupMetrics>;
  metricsWindowMinutes?: number;
  /** Keyed by `group/name`; default `none` (no run findings) for every schedule not given. */
  evidence?: Record<string, RunEvidence> | Map<string, RunEvidence>;
  failures?: LookupFailure[];
  scope?: ScheduleFilter;
}

export const DEFAULT_COLLECTED_AT = new Date('2026-11-23T14:45:00Z');

export function snapshotOf(input: SnapshotInput = {}): Snapshot {
  const schedules = input.schedules ?? [];
  const collectedAt = input.collectedAt ?? DEFAULT_COLLECTED_AT;
  const groupNames = [...new Set(schedules.map((s) => s.group))].sort();
  const ecs = schedules.filter((s) => s.target.kind === 'ecs');

  const lookups = <T>(arns: (string | undefined)[], make: (arn: string) => T, overrides: LookupOverrides<T> | undefined): Map<string, Lookup<T>> => {
    const map = new Map<string, Lookup<T>>();
    for (const a of arns) if (a !== undefined && !map.has(a)) map.set(a, found(make(a)));
    for (const [a, lookup] of entriesOf(overrides)) map.set(a, lookup);
    return map;
  };

  const window = { start: new Date(collectedAt.getTime() - (input.metricsWindowMinutes ?? 15) * 60_000), end: collectedAt };
  const evidence = new Map<string, RunEvidence>(schedules.map((s) => [scheduleId(s), noEvidence()]));
  for (const [id, e] of entriesOf(input.evidence)) evidence.set(id, e);

  return {
    collectedAt,
    region: input.region ?? REGION,
    groups: input.groups ?? groupNames.map((name) => groupFacts(name)),
    schedules,
    unreadable: input.unreadable ?? [],
    clusters: lookups(ecs.map((s) => s.target.arn), (a) => clusterFacts(a), input.clusters),
    taskDefinitions: lookups(schedules.map((s) => s.target.ecs?.taskDefinitionArn), (a) => taskDefinitionFacts(a), input.taskDefinitions),
    roles: lookups(schedules.map((s) => s.target.roleArn), (a) => ({ arn: a }), input.roles),
    functions: lookups(schedules.filter((s) => s.target.kind === 'lambda').map((s) => s.target.arn), (a) => ({ arn: a }), input.functions),
    queues: lookups(schedules.map((s) => s.target.deadLetterArn), (a) => ({ arn: a }), input.queues),
    metrics: { window, byGroup: lookups(groupNames, () => groupMetrics(), input.metrics) },
    evidence,
    failures: input.failures ?? [],
    ...(input.scope ? { scope: input.scope } : {}),
  };
}

function entriesOf<T>(value: Record<string, T> | Map<string, T> | undefined): [string, T][] {
  if (value === undefined) return [];
  return value instanceof Map ? [...value] : Object.entries(value);
}

// ── Fake ports ──────────────────────────────────────────────────────────────────────────────────

export const PORT_METHODS = [
  'scheduler.listGroups',
  'scheduler.listSchedules',
  'scheduler.getSchedule',
  'ecs.describeClusters',
  'ecs.describeTaskDefinition',
  'ecs.tasksStartedBy',
  'iam.getRole',
  'lambda.getFunction',
  'queues.getQueue',
  'metrics.schedulerGroupMetrics',
  'ledger.lastRuns',
  'ledger.coversSince',
] as const;
export type PortMethod = (typeof PORT_METHODS)[number];

/** Every call made to the fake ports, by method, with its arguments. */
export class CallLog {
  readonly #args = new Map<PortMethod, unknown[][]>();

  record(method: PortMethod, args: unknown[]): void {
    this.#args.set(method, [...(this.#args.get(method) ?? []), args]);
  }

  count(method: PortMethod): number {
    return this.#args.get(method)?.length ?? 0;
  }

  /** The arguments of each call, in call order. */
  argsOf(method: PortMethod): unknown[][] {
    return this.#args.get(method) ?? [];
  }

  /** The first argument of each call, in call order (e.g. the ARN per getRole). */
  firstArgs(method: PortMethod): unknown[] {
    return this.argsOf(method).map((args) => args[0]);
  }

  total(): number {
    return [...this.#args.values()].reduce((sum, calls) => sum + calls.length, 0);
  }

  /** Counts of the methods that were called, e.g. for `runCheck`'s `calls` option or a bench print. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.#args].filter(([, calls]) => calls.length > 0).map(([method, calls]) => [method, calls.length]));
  }

  reset(): void {
    this.#args.clear();
  }
}

export interface FakeLedgerInput {
  /** Undefined: the ledger has no coverage marker (cannot tell "never ran" from "not recorded"). */
  coversSince?: Date;
  /** Last run per `group/name`. */
  lastRuns?: Record<string, Date>;
  /** Thrown by coversSince() (e.g. a UserError with code RUN_LEDGER_TABLE_MISSING). */
  error?: Error;
  /** Thrown by lastRuns() only. */
  lastRunsError?: Error;
}

export interface FakeAwsInput {
  schedules?: ScheduleFacts[];
  /** Default: one untagged group per group name the schedules use. */
  groups?: ScheduleGroupFacts[];
  /** Thrown by listGroups (normally a LookupError). */
  listGroupsError?: Error;
  /** Thrown by listSchedules (normally a LookupError). */
  listSchedulesError?: Error;
  /** GetSchedule answers by `group/name` that replace the schedule's facts (e.g. `unknown`). */
  getSchedule?: Record<string, Lookup<ScheduleFacts>>;
  clusters?: Record<string, Lookup<ClusterFacts>>;
  taskDefinitions?: Record<string, Lookup<TaskDefinitionFacts>>;
  roles?: Record<string, Lookup<{ arn: string }>>;
  functions?: Record<string, Lookup<{ arn: string }>>;
  queues?: Record<string, Lookup<{ arn: string }>>;
  metrics?: Record<string, Lookup<GroupMetrics>>;
  /** Tasks per cluster ARN; tasksStartedBy returns those whose startedBy matches exactly. */
  tasks?: Record<string, EcsTaskSeen[]>;
  /** Overrides tasksStartedBy per `clusterArn startedBy` key (e.g. `unknown` for a denied ListTasks). */
  tasksLookups?: Record<string, Lookup<EcsTaskSeen[]>>;
  /** Absent: no ledger port at all (no table deployed / --no-ledger). */
  ledger?: FakeLedgerInput;
}

export interface FakeAws {
  ports: CheckPorts;
  calls: CallLog;
}

export const tasksLookupKey = (clusterArn: string, startedBy: string): string => `${clusterArn} ${startedBy}`;

/** In-memory CheckPorts over plain data; every method call is recorded in `calls`. */
export function createFakePorts(input: FakeAwsInput = {}): FakeAws {
  const calls = new CallLog();
  const schedules = input.schedules ?? [];
  const groups = input.groups ?? [...new Set(schedules.map((s) => s.group))].sort().map((name) => groupFacts(name));
  const pick = <T>(overrides: Record<string, Lookup<T>> | undefined, key: string, fallback: () => T): Lookup<T> =>
    overrides !== undefined && Object.hasOwn(overrides, key) ? overrides[key]! : found(fallback());

  const matches = (s: ScheduleFacts, filter: ScheduleFilter) =>
    (filter.group === undefined || s.group === filter.group) &&
    (filter.namePrefix === undefined || s.name.startsWith(filter.namePrefix)) &&
    (filter.state === undefined || s.state === filter.state);

  const ports: CheckPorts = {
    scheduler: {
      async listGroups() {
        calls.record('scheduler.listGroups', []);
        if (input.listGroupsError !== undefined) throw input.listGroupsError;
        return groups.map((g) => ({ ...g, tags: { ...g.tags } }));
      },
      async listSchedules(filter) {
        calls.record('scheduler.listSchedules', [filter]);
        if (input.listSchedulesError !== undefined) throw input.listSchedulesError;
        return schedules
          .filter((s) => matches(s, filter))
          .map((s): ScheduleListing => ({ group: s.group, name: s.name, arn: s.arn, state: s.state, targetArn: s.target.arn }));
      },
      async getSchedule(ref) {
        calls.record('scheduler.getSchedule', [ref]);
        const id = scheduleId(ref);
        if (input.getSchedule !== undefined && Object.hasOwn(input.getSchedule, id)) return input.getSchedule[id]!;
        const s = schedules.find((candidate) => scheduleId(candidate) === id);
        return s ? found(structuredClone(s)) : missing(`schedule ${id} does not exist`);
      },
    },
    ecs: {
      async describeClusters(arns) {
        calls.record('ecs.describeClusters', [[...arns]]);
        return new Map(arns.map((a) => [a, pick(input.clusters, a, () => clusterFacts(a))]));
      },
      async describeTaskDefinition(a) {
        calls.record('ecs.describeTaskDefinition', [a]);
        return pick(input.taskDefinitions, a, () => taskDefinitionFacts(a));
      },
      async tasksStartedBy(clusterArn, startedBy) {
        calls.record('ecs.tasksStartedBy', [clusterArn, startedBy]);
        const key = tasksLookupKey(clusterArn, startedBy);
        if (input.tasksLookups !== undefined && Object.hasOwn(input.tasksLookups, key)) return input.tasksLookups[key]!;
        return found((input.tasks?.[clusterArn] ?? []).filter((task) => task.startedBy === startedBy).map((task) => ({ ...task })));
      },
    },
    iam: {
      async getRole(a) {
        calls.record('iam.getRole', [a]);
        return pick(input.roles, a, () => ({ arn: a }));
      },
    },
    lambda: {
      async getFunction(a) {
        calls.record('lambda.getFunction', [a]);
        return pick(input.functions, a, () => ({ arn: a }));
      },
    },
    queues: {
      async getQueue(a) {
        calls.record('queues.getQueue', [a]);
        return pick(input.queues, a, () => ({ arn: a }));
      },
    },
    metrics: {
      async schedulerGroupMetrics(names, window) {
        calls.record('metrics.schedulerGroupMetrics', [[...names], window]);
        return new Map(names.map((name) => [name, pick(input.metrics, name, () => groupMetrics())]));
      },
    },
  };
  if (input.ledger !== undefined) ports.ledger = fakeLedger(input.ledger, calls);
  return { ports, calls };
}

function fakeLedger(input: FakeLedgerInput, calls: CallLog): LedgerPort {
  return {
    async coversSince() {
      calls.record('ledger.coversSince', []);
      if (input.error !== undefined) throw input.error;
      return input.coversSince;
    },
    async lastRuns(keys) {
      calls.record('ledger.lastRuns', [keys.map((k) => ({ group: k.group, name: k.name }))]);
      if (input.error !== undefined) throw input.error;
      if (input.lastRunsError !== undefined) throw input.lastRunsError;
      const out = new Map<string, { runAt: Date }>();
      for (const key of keys) {
        const runAt = input.lastRuns?.[scheduleId(key)];
        if (runAt !== undefined) out.set(scheduleId(key), { runAt });
      }
      return out;
    },
  };
}
