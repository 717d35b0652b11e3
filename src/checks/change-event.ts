/**
 * An EventBridge "AWS API Call via CloudTrail" event → the scope of a change-driven check. Pure, and
 * defensive: CloudTrail records requestParameters and responseElements as the service logged them
 * (camelCase for ECS; Scheduler's REST fields in either case), responseElements may be null, and a
 * call that failed carries `errorCode`.
 *
 * | eventName                | scope                                                                   |
 * |--------------------------|-------------------------------------------------------------------------|
 * | CreateSchedule           | responseElements.scheduleArn, else requestParameters name + groupName   |
 * | UpdateSchedule           | the same (an absent group is `default`)                                 |
 * | DeleteCluster            | responseElements.cluster.clusterArn, else requestParameters.cluster     |
 * | DeregisterTaskDefinition | responseElements.taskDefinition.taskDefinitionArn, else the request's   |
 * | DeleteTaskDefinitions    | responseElements.taskDefinitions[].taskDefinitionArn, else the request's |
 *
 * Three outcomes, never a silent skip:
 * - `scoped`: check exactly what the change can affect;
 * - `failed-call`: the call failed (errorCode), so it changed nothing: nothing to check, and the
 *   caller says so;
 * - `unscopable`: a CloudTrail event this parser cannot narrow (another API, fields missing or
 *   malformed): the caller runs the full check and reports the reason as an error.
 *
 * The infrastructure's rule (infra) and the sandbox's (src/sandbox/change-events.ts) both use
 * `changeEventPattern()`, so what is delivered is what is parsed here.
 */
import * as z from 'zod';
import { clipText } from '../clip-text.ts';
import { parseArn } from '../arn.ts';
import type { ChangeCause, ChangedSchedule, ChangeScope } from './change-scope.ts';

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** The API calls that can break a schedule without touching the 5-minute run's timing, per service. */
export const CHANGE_EVENTS = {
  scheduler: { source: 'aws.scheduler', eventSource: 'scheduler.amazonaws.com', eventNames: ['CreateSchedule', 'UpdateSchedule'] },
  ecs: { source: 'aws.ecs', eventSource: 'ecs.amazonaws.com', eventNames: ['DeleteCluster', 'DeregisterTaskDefinition', 'DeleteTaskDefinitions'] },
} as const;

export type ChangeEventName = (typeof CHANGE_EVENTS)[keyof typeof CHANGE_EVENTS]['eventNames'][number];

export interface ChangeEventPattern {
  source: string[];
  'detail-type': string[];
  detail: { eventSource: string[]; eventName: string[] };
}

/**
 * One flat pattern rather than `$or` per service: the event names do not overlap between Scheduler and
 * ECS, so no event matches a service/name pair that does not exist, and every EventBridge emulator
 * (moto included) evaluates it.
 */
export function changeEventPattern(): ChangeEventPattern {
  const services = Object.values(CHANGE_EVENTS);
  return {
    source: services.map((s) => s.source),
    'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
    detail: { eventSource: services.map((s) => s.eventSource), eventName: services.flatMap((s) => [...s.eventNames]) },
  };
}

export type ChangeEventReading =
  | { kind: 'scoped'; scope: ChangeScope }
  | { kind: 'failed-call'; cause: ChangeCause; errorCode: string; reason: string }
  | { kind: 'unscopable'; reason: string; cause?: ChangeCause };

/** True for what EventBridge delivers from CloudTrail (whatever the API): the healthcheck's cue to scope. */
export function isCloudTrailApiCall(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as Record<string, unknown>)['detail-type'] === CLOUDTRAIL_DETAIL_TYPE;
}

const record = z.record(z.string(), z.unknown());
const eventSchema = z.looseObject({
  'detail-type': z.literal(CLOUDTRAIL_DETAIL_TYPE),
  source: z.string().optional(),
  id: z.string().optional(),
  time: z.string().optional(),
  detail: z.looseObject({
    eventSource: z.string().min(1),
    eventName: z.string().min(1),
    eventTime: z.iso.datetime({ offset: true }).optional(),
    eventID: z.string().optional(),
    awsRegion: z.string().optional(),
    recipientAccountId: z.string().optional(),
    userIdentity: z.looseObject({ arn: z.string().optional() }).nullish(),
    requestParameters: record.nullish(),
    responseElements: record.nullish(),
    errorCode: z.string().optional(),
  }),
});
type CloudTrailDetail = z.infer<typeof eventSchema>['detail'];

/** Scheduler allows these in schedule and group names; anything else is not a name we can look up. */
const SCHEDULER_NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;

export function readChangeEvent(event: unknown): ChangeEventReading {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
    return { kind: 'unscopable', reason: `not a CloudTrail API-call event this check can read${where}` };
  }
  const { detail } = parsed.data;
  const eventTime = detail.eventTime ?? parsed.data.time;
  const cause: ChangeCause = {
    eventName: clipText(detail.eventName, 64),
    eventSource: clipText(detail.eventSource, 64),
    eventTime: eventTime ?? 'an unknown time',
    ...(detail.eventID !== undefined ? { eventId: detail.eventID } : parsed.data.id !== undefined ? { eventId: parsed.data.id } : {}),
    ...(detail.userIdentity?.arn !== undefined ? { actor: detail.userIdentity.arn } : {}),
    ...(detail.awsRegion !== undefined ? { region: detail.awsRegion } : {}),
    ...(detail.recipientAccountId !== undefined ? { account: detail.recipientAccountId } : {}),
  };
  if (detail.errorCode !== undefined) {
    return { kind: 'failed-call', cause, errorCode: detail.errorCode, reason: `${cause.eventName} failed (${clipText(detail.errorCode, 80)}): it changed nothing, so there is nothing to check` };
  }
  const scoped = (targets: Omit<ChangeScope, 'cause'>): ChangeEventReading => ({ kind: 'scoped', scope: { ...targets, cause } });
  const unscopable = (why: string): ChangeEventReading => ({ kind: 'unscopable', reason: `${cause.eventName}: ${why}`, cause });

  const service = Object.values(CHANGE_EVENTS).find((s) => (s.eventNames as readonly string[]).includes(detail.eventName));
  if (service === undefined) return unscopable('not one of the API calls a change-driven check scopes (CreateSchedule, UpdateSchedule, DeleteCluster, DeregisterTaskDefinition, DeleteTaskDefinitions)');
  if (detail.eventSource !== service.eventSource) return unscopable(`eventSource is ${clipText(detail.eventSource, 64)}, expected ${service.eventSource}`);

  switch (detail.eventName as ChangeEventName) {
    case 'CreateSchedule':
    case 'UpdateSchedule': {
      const schedule = scheduleOf(detail);
      return schedule === undefined ? unscopable('neither responseElements.scheduleArn nor requestParameters.name names the schedule') : scoped({ schedules: [schedule], clusters: [], taskDefinitions: [] });
    }
    case 'DeleteCluster': {
      const cluster = stringAt(detail.responseElements, 'cluster', 'clusterArn') ?? stringAt(detail.requestParameters, 'cluster');
      return cluster === undefined ? unscopable('neither responseElements.cluster.clusterArn nor requestParameters.cluster names the cluster') : scoped({ schedules: [], clusters: [cluster], taskDefinitions: [] });
    }
    case 'DeregisterTaskDefinition': {
      const taskDefinition = stringAt(detail.responseElements, 'taskDefinition', 'taskDefinitionArn') ?? stringAt(detail.requestParameters, 'taskDefinition');
      return taskDefinition === undefined
        ? unscopable('neither responseElements.taskDefinition.taskDefinitionArn nor requestParameters.taskDefinition names the task definition')
        : scoped({ schedules: [], clusters: [], taskDefinitions: [taskDefinition] });
    }
    case 'DeleteTaskDefinitions': {
      const deleted = arrayAt(detail.responseElements, 'taskDefinitions').flatMap((item) => {
        const arn = stringAt(item, 'taskDefinitionArn');
        return arn === undefined ? [] : [arn];
      });
      const requested = arrayAt(detail.requestParameters, 'taskDefinitions').filter((item): item is string => typeof item === 'string' && item !== '');
      const taskDefinitions = deleted.length > 0 ? deleted : requested;
      return taskDefinitions.length === 0 ? unscopable('neither responseElements.taskDefinitions nor requestParameters.taskDefinitions lists a task definition') : scoped({ schedules: [], clusters: [], taskDefinitions: [...new Set(taskDefinitions)] });
    }
  }
}

function scheduleOf(detail: CloudTrailDetail): ChangedSchedule | undefined {
  const arn = stringAt(detail.responseElements, 'scheduleArn') ?? stringAt(detail.responseElements, 'ScheduleArn');
  const fromArn = arn === undefined ? undefined : scheduleFromArn(arn);
  if (fromArn !== undefined) return fromArn;
  const name = stringAt(detail.requestParameters, 'name') ?? stringAt(detail.requestParameters, 'Name');
  const group = stringAt(detail.requestParameters, 'groupName') ?? stringAt(detail.requestParameters, 'GroupName') ?? 'default';
  return name !== undefined && SCHEDULER_NAME.test(name) && SCHEDULER_NAME.test(group) ? { group, name } : undefined;
}

/** `arn:aws:scheduler:us-east-1:123456789012:schedule/<group>/<name>` → its group and name. */
export function scheduleFromArn(arn: string): ChangedSchedule | undefined {
  const parsed = parseArn(arn);
  if (parsed?.service !== 'scheduler') return undefined;
  const [kind, group, name, ...rest] = parsed.resource.split('/');
  if (kind !== 'schedule' || group === undefined || name === undefined || rest.length > 0) return undefined;
  return SCHEDULER_NAME.test(group) && SCHEDULER_NAME.test(name) ? { group, name } : undefined;
}

/** The non-empty string at `path` inside a JSON object, if that is what is there. */
function stringAt(value: unknown, ...path: string[]): string | undefined {
  let at: unknown = value;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === 'string' && at !== '' ? at : undefined;
}

function arrayAt(value: unknown, key: string): unknown[] {
  if (typeof value !== 'object' || value === null) return [];
  const at = (value as Record<string, unknown>)[key];
  return Array.isArray(at) ? at : [];
}
