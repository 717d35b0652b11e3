/**
 * A schedule as GetSchedule returns it, as plain data, and the one way we turn it into an
 * UpdateSchedule request: an explicit allow-list of writable fields.
 *
 * UpdateSchedule replaces the whole schedule and resets every optional field it is not given (the
 * 2026-01-29 fix script lost Input, dead-letter queues, timezones and dates that way). So a write is
 * always built from the complete, fresh GetSchedule output, copying every writable field, and a field
 * we do not know refuses the write instead of being dropped. src/aws maps the SDK shapes to these
 * types and asserts at compile time that the lists below cover every member the SDK knows.
 */

export interface RawFlexibleTimeWindow {
  Mode?: string;
  MaximumWindowInMinutes?: number;
}

export interface RawAwsVpcConfiguration {
  Subnets?: string[];
  SecurityGroups?: string[];
  AssignPublicIp?: string;
}

export interface RawEcsParameters {
  TaskDefinitionArn?: string;
  TaskCount?: number;
  LaunchType?: string;
  NetworkConfiguration?: { awsvpcConfiguration?: RawAwsVpcConfiguration };
  PlatformVersion?: string;
  Group?: string;
  CapacityProviderStrategy?: { capacityProvider?: string; weight?: number; base?: number }[];
  EnableECSManagedTags?: boolean;
  EnableExecuteCommand?: boolean;
  PlacementConstraints?: { type?: string; expression?: string }[];
  PlacementStrategy?: { type?: string; field?: string }[];
  PropagateTags?: string;
  ReferenceId?: string;
  /** Scheduler models ECS tags as a list of one-entry maps. */
  Tags?: Record<string, string>[];
}

export interface RawTarget {
  Arn?: string;
  RoleArn?: string;
  DeadLetterConfig?: { Arn?: string };
  RetryPolicy?: { MaximumEventAgeInSeconds?: number; MaximumRetryAttempts?: number };
  Input?: string;
  EcsParameters?: RawEcsParameters;
  EventBridgeParameters?: { DetailType?: string; Source?: string };
  EventBridgePutEventsV2Parameters?: { DetailType?: string; Source?: string };
  EventBridgePutRawEventsParameters?: { Metadata?: Record<string, string> };
  KinesisParameters?: { PartitionKey?: string };
  SageMakerPipelineParameters?: { PipelineParameterList?: { Name?: string; Value?: string }[] };
  SqsParameters?: { MessageGroupId?: string };
}

/** GetSchedule's output. */
export interface RawSchedule {
  Arn?: string;
  GroupName?: string;
  Name?: string;
  ScheduleExpression?: string;
  StartDate?: Date;
  EndDate?: Date;
  Description?: string;
  ScheduleExpressionTimezone?: string;
  State?: string;
  CreationDate?: Date;
  LastModificationDate?: Date;
  KmsKeyArn?: string;
  Target?: RawTarget;
  FlexibleTimeWindow?: RawFlexibleTimeWindow;
  ActionAfterCompletion?: string;
}

/** UpdateSchedule's input, without the ClientToken (the writer adds it per request). */
export interface ScheduleUpdate {
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  StartDate?: Date;
  EndDate?: Date;
  Description?: string;
  ScheduleExpressionTimezone?: string;
  State?: string;
  KmsKeyArn?: string;
  Target: RawTarget & { Arn: string; RoleArn: string };
  FlexibleTimeWindow: RawFlexibleTimeWindow & { Mode: string };
  ActionAfterCompletion?: string;
}

/** Every field UpdateSchedule takes (besides ClientToken), in the SDK's order. */
export const WRITABLE_SCHEDULE_FIELDS = [
  'Name',
  'GroupName',
  'ScheduleExpression',
  'StartDate',
  'EndDate',
  'Description',
  'ScheduleExpressionTimezone',
  'State',
  'KmsKeyArn',
  'Target',
  'FlexibleTimeWindow',
  'ActionAfterCompletion',
] as const satisfies readonly (keyof ScheduleUpdate)[];

/** Fields GetSchedule returns that the service sets itself; they are never written. */
export const SERVER_SET_SCHEDULE_FIELDS = ['Arn', 'CreationDate', 'LastModificationDate'] as const satisfies readonly (keyof RawSchedule)[];

export const WRITABLE_TARGET_FIELDS = [
  'Arn',
  'RoleArn',
  'DeadLetterConfig',
  'RetryPolicy',
  'Input',
  'EcsParameters',
  'EventBridgeParameters',
  'EventBridgePutEventsV2Parameters',
  'EventBridgePutRawEventsParameters',
  'KinesisParameters',
  'SageMakerPipelineParameters',
  'SqsParameters',
] as const satisfies readonly (keyof RawTarget)[];

export const WRITABLE_ECS_FIELDS = [
  'TaskDefinitionArn',
  'TaskCount',
  'LaunchType',
  'NetworkConfiguration',
  'PlatformVersion',
  'Group',
  'CapacityProviderStrategy',
  'EnableECSManagedTags',
  'EnableExecuteCommand',
  'PlacementConstraints',
  'PlacementStrategy',
  'PropagateTags',
  'ReferenceId',
  'Tags',
] as const satisfies readonly (keyof RawEcsParameters)[];

// The lists above must name every member of the types, or a field would silently be dropped.
type Missing<T, L extends readonly PropertyKey[]> = Exclude<keyof T, L[number]>;
const coversSchedule: [Missing<RawSchedule, [...typeof WRITABLE_SCHEDULE_FIELDS, ...typeof SERVER_SET_SCHEDULE_FIELDS]>] extends [never] ? true : false = true;
const coversTarget: [Missing<RawTarget, typeof WRITABLE_TARGET_FIELDS>] extends [never] ? true : false = true;
const coversEcs: [Missing<RawEcsParameters, typeof WRITABLE_ECS_FIELDS>] extends [never] ? true : false = true;
void [coversSchedule, coversTarget, coversEcs];

export type Projection = { ok: true; update: ScheduleUpdate } | { ok: false; problems: string[] };

/**
 * The UpdateSchedule request that writes `raw` back exactly as it is. Fails (with the reasons) when
 * GetSchedule returned a field the allow-list does not know, which would otherwise be reset, or
 * lacks one UpdateSchedule requires.
 */
export function projectWritable(raw: RawSchedule, ref: { group: string; name: string }): Projection {
  const problems = [
    ...unknownFields(raw, [...WRITABLE_SCHEDULE_FIELDS, ...SERVER_SET_SCHEDULE_FIELDS], ''),
    ...unknownFields(raw.Target, WRITABLE_TARGET_FIELDS, 'Target.'),
    ...unknownFields(raw.Target?.EcsParameters, WRITABLE_ECS_FIELDS, 'Target.EcsParameters.'),
  ].map((path) => `GetSchedule returned ${path}, which ops does not know how to write back; UpdateSchedule would reset it`);

  const update = pick(raw, WRITABLE_SCHEDULE_FIELDS) as Partial<ScheduleUpdate>;
  // Always name the group: without GroupName, UpdateSchedule looks in (and writes to) `default`.
  update.GroupName = raw.GroupName ?? ref.group;
  update.Name = raw.Name ?? ref.name;
  if (raw.Target !== undefined && raw.Target !== null) {
    const target = pick(raw.Target, WRITABLE_TARGET_FIELDS) as RawTarget;
    if (raw.Target.EcsParameters !== undefined && raw.Target.EcsParameters !== null) {
      target.EcsParameters = pick(raw.Target.EcsParameters, WRITABLE_ECS_FIELDS);
    }
    update.Target = target as ScheduleUpdate['Target'];
  }
  if (update.ScheduleExpression === undefined) problems.push('GetSchedule returned no ScheduleExpression');
  if (update.Target?.Arn === undefined || update.Target.RoleArn === undefined) problems.push('GetSchedule returned no Target.Arn / Target.RoleArn');
  if (update.FlexibleTimeWindow?.Mode === undefined) problems.push('GetSchedule returned no FlexibleTimeWindow.Mode');
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, update: update as ScheduleUpdate };
}

/** The same request with only Target.Arn replaced. */
export function withTargetArn(update: ScheduleUpdate, arn: string): ScheduleUpdate {
  return { ...update, Target: { ...update.Target, Arn: arn } };
}

export function withoutStartDate(update: ScheduleUpdate): ScheduleUpdate {
  const { StartDate: _dropped, ...rest } = update;
  return rest;
}

function unknownFields(value: object | undefined | null, known: readonly string[], prefix: string): string[] {
  if (value === undefined || value === null) return [];
  return Object.entries(value)
    .filter(([key, v]) => v !== undefined && v !== null && !known.includes(key))
    .map(([key]) => `${prefix}${key}`);
}

function pick(source: object, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = (source as Record<string, unknown>)[field];
    if (value !== undefined && value !== null) out[field] = cloneData(value);
  }
  return out;
}

/** A deep copy of JSON-like data with Dates; null and undefined members are absent, as on the wire. */
export function cloneData<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => cloneData(item)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (v !== undefined && v !== null) out[key] = cloneData(v);
    return out as T;
  }
  return value;
}

/**
 * Leaf values by path (`Target.EcsParameters.Tags[0].team`), Dates as ISO strings, null/undefined
 * left out (the wire has no difference between them and absence): two definitions are equal exactly
 * when these maps are. Empty lists and maps are leaves of their own, so `[]` differs from absent.
 */
export function flatten(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: unknown, path: string): void => {
    if (v === undefined || v === null) return;
    if (v instanceof Date) out.set(path, v.toISOString());
    else if (Array.isArray(v)) {
      if (v.length === 0) out.set(path, '[]');
      v.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (typeof v === 'object') {
      const entries = Object.entries(v).filter(([, child]) => child !== undefined && child !== null);
      if (entries.length === 0 && path !== '') out.set(path, '{}');
      for (const [k, child] of entries) walk(child, path === '' ? k : `${path}.${k}`);
    }
    else out.set(path, JSON.stringify(v));
  };
  walk(value, prefix);
  return out;
}

export interface FieldDiff {
  path: string;
  /** JSON text of the value; absent when the field is absent. */
  before?: string;
  after?: string;
}

/** Field-level differences between two definitions, sorted by path. */
export function fieldDiff(before: unknown, after: unknown): FieldDiff[] {
  const a = flatten(before);
  const b = flatten(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((path) => a.get(path) !== b.get(path))
    .map((path) => ({ path, ...(a.has(path) ? { before: a.get(path) } : {}), ...(b.has(path) ? { after: b.get(path) } : {}) }));
}

export const ExpressionKind = { rate: 'rate', cron: 'cron', at: 'at', unknown: 'unknown' } as const;
export type ExpressionKind = (typeof ExpressionKind)[keyof typeof ExpressionKind];

export function expressionKind(expression: string | undefined): ExpressionKind {
  const match = /^\s*(rate|cron|at)\s*\(/.exec(expression ?? '');
  return match ? (match[1] as ExpressionKind) : ExpressionKind.unknown;
}
