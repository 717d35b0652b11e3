/**
 * CloudTrail's part in change-driven checks, on the sandbox: moto records no CloudTrail, so this
 * detector watches the resources instead and puts on the sandbox's default EventBridge bus the event
 * AWS would deliver ("AWS API Call via CloudTrail", the same shape and the same rule pattern as in
 * AWS: src/checks/change-event.ts).
 *
 * How a change is seen, on each `tick()`:
 * - schedules: ListSchedules (every group, every page) returns each schedule's LastModificationDate,
 *   state and target ARN. A schedule not seen before is a CreateSchedule; one whose
 *   LastModificationDate, state or target differs from the previous tick is an UpdateSchedule (the
 *   state and target cover two writes at one virtual instant: moto stamps the virtual clock, which a
 *   replay may hold still);
 * - clusters: ListClusters + DescribeClusters. A cluster ACTIVE at the previous tick and now INACTIVE
 *   or gone is a DeleteCluster (moto keeps listing a deleted cluster as INACTIVE, as AWS does for a while);
 * - task definitions: ListTaskDefinitions (status ACTIVE). One ACTIVE at the previous tick and not now
 *   is a DeregisterTaskDefinition (DeleteTaskDefinitions needs an INACTIVE one, so it was seen then).
 * The first tick is the baseline: it records what is there and emits nothing.
 *
 * Limits, by construction: a change and its revert within one tick are invisible (nothing differs
 * between the two looks); several updates of one schedule within a tick are one event; the event's
 * eventTime is the tick's virtual instant, not the call's, so a tick every N virtual seconds delays
 * the check by up to N; the caller is unknown, so userIdentity names the sandbox's detector. Deleted
 * schedules emit nothing (a deleted schedule has nothing left to check).
 */
import { randomUUID } from 'node:crypto';
import { ecsClusterName } from '../arn.ts';
import { CHANGE_EVENTS, CLOUDTRAIL_DETAIL_TYPE, type ChangeEventName } from '../checks/change-event.ts';
import type { ScheduleSummaryModel } from './schedule-model.ts';

export interface ClusterSeen {
  arn: string;
  status: string;
}

/** One PutEvents entry: what EventBridge turns into the delivered event (id, account and region are its). */
export interface ChangeEventEntry {
  source: string;
  detailType: string;
  time: Date;
  detail: Record<string, unknown>;
}

/** What the detector reads and writes (src/sandbox/aws/change-api.ts implements it over the SDK). */
export interface ChangeWatchPorts {
  listSchedules(): Promise<ScheduleSummaryModel[]>;
  listClusters(): Promise<ClusterSeen[]>;
  /** ARNs of every ACTIVE task definition. */
  listActiveTaskDefinitions(): Promise<string[]>;
  putEvents(entries: readonly ChangeEventEntry[]): Promise<void>;
}

export interface ChangeDetectorOptions {
  ports: ChangeWatchPorts;
  /** The sandbox's virtual clock: each event's eventTime. */
  clock: { now(): Date };
  account: string;
  region: string;
  /** userIdentity.arn of every event (default: the sandbox's detector role). */
  actor?: string;
  newId?: () => string;
}

export interface DetectedChange {
  eventName: ChangeEventName;
  /** `group/name`, a cluster ARN or a task-definition ARN. */
  resource: string;
}

export interface ChangeTick {
  at: Date;
  /** The first tick: it recorded what is there and emitted nothing. */
  baseline: boolean;
  emitted: DetectedChange[];
}

export interface ChangeDetector {
  tick(): Promise<ChangeTick>;
}

export function sandboxActor(account: string): string {
  return `arn:aws:sts::${account}:assumed-role/ops-sandbox/change-detector`;
}

export function createChangeDetector(options: ChangeDetectorOptions): ChangeDetector {
  const { ports, clock, account, region } = options;
  const actor = options.actor ?? sandboxActor(account);
  const newId = options.newId ?? randomUUID;
  let schedules: Map<string, string> | undefined;
  let activeClusters = new Set<string>();
  let activeTaskDefinitions = new Set<string>();

  return {
    async tick() {
      const at = clock.now();
      const [listed, clusters, taskDefinitions] = await Promise.all([ports.listSchedules(), ports.listClusters(), ports.listActiveTaskDefinitions()]);
      const nowSchedules = new Map(listed.map((s) => [s.arn, fingerprint(s)] as const));
      const nowActive = new Set(clusters.filter((c) => c.status === 'ACTIVE').map((c) => c.arn));
      const nowDefinitions = new Set(taskDefinitions);
      const before = schedules;
      const changes: { change: DetectedChange; entry: ChangeEventEntry }[] = [];
      if (before !== undefined) {
        const event = (eventName: ChangeEventName, resource: string, requestParameters: Record<string, unknown>, responseElements: Record<string, unknown>) =>
          changes.push({ change: { eventName, resource }, entry: cloudTrailEntry({ eventName, at, account, region, actor, requestParameters, responseElements, id: newId() }) });
        for (const s of [...listed].sort((a, b) => a.arn.localeCompare(b.arn))) {
          const previous = before.get(s.arn);
          if (previous === nowSchedules.get(s.arn)) continue;
          event(previous === undefined ? 'CreateSchedule' : 'UpdateSchedule', `${s.group}/${s.name}`, { Name: s.name, GroupName: s.group }, { ScheduleArn: s.arn });
        }
        for (const arn of [...activeClusters].filter((c) => !nowActive.has(c)).sort()) {
          const name = ecsClusterName(arn) ?? arn;
          event('DeleteCluster', arn, { cluster: name }, { cluster: { clusterArn: arn, clusterName: name, status: 'INACTIVE' } });
        }
        for (const arn of [...activeTaskDefinitions].filter((t) => !nowDefinitions.has(t)).sort()) {
          event('DeregisterTaskDefinition', arn, { taskDefinition: arn.split('/').pop() ?? arn }, { taskDefinition: { taskDefinitionArn: arn, status: 'INACTIVE' } });
        }
      }
      // Put first, then remember: a PutEvents that fails is tried again on the next tick.
      if (changes.length > 0) await ports.putEvents(changes.map((c) => c.entry));
      schedules = nowSchedules;
      activeClusters = nowActive;
      activeTaskDefinitions = nowDefinitions;
      return { at, baseline: before === undefined, emitted: changes.map((c) => c.change) };
    },
  };
}

/** What a write changes in ListSchedules' answer: any difference is an UpdateSchedule. */
function fingerprint(s: ScheduleSummaryModel): string {
  return `${s.lastModificationDate?.toISOString() ?? '-'}|${s.state}|${s.targetArn}`;
}

interface EntryInput {
  eventName: ChangeEventName;
  at: Date;
  account: string;
  region: string;
  actor: string;
  requestParameters: Record<string, unknown>;
  responseElements: Record<string, unknown>;
  id: string;
}

/** A CloudTrail record as EventBridge delivers it in `detail` (CloudTrail's eventTime has no milliseconds). */
export function cloudTrailEntry(input: EntryInput): ChangeEventEntry {
  const service = Object.values(CHANGE_EVENTS).find((s) => (s.eventNames as readonly string[]).includes(input.eventName));
  const source = service?.source ?? 'aws.scheduler';
  return {
    source,
    detailType: CLOUDTRAIL_DETAIL_TYPE,
    time: input.at,
    detail: {
      eventVersion: '1.09',
      userIdentity: { type: 'AssumedRole', arn: input.actor, accountId: input.account, principalId: 'AROASANDBOX:change-detector' },
      eventTime: input.at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: service?.eventSource ?? 'scheduler.amazonaws.com',
      eventName: input.eventName,
      awsRegion: input.region,
      sourceIPAddress: '127.0.0.1',
      userAgent: 'ops-sandbox/change-detector',
      requestParameters: input.requestParameters,
      responseElements: input.responseElements,
      requestID: input.id,
      eventID: input.id,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: input.account,
      eventCategory: 'Management',
    },
  };
}
