/**
 * In-memory stand-ins for the remediation's ports: a Scheduler that behaves like UpdateSchedule
 * (replaces the whole definition, bumps LastModificationDate), an audit log and a backup store.
 */
import type { ClusterFacts, Lookup, LookupFailure } from '../../../src/checks/model.ts';
import type { AuditEntry, AuditLog } from '../../../src/remediate/audit-log.ts';
import { parseBackup, type BackupDocument, type BackupStore } from '../../../src/remediate/backup.ts';
import type { ClusterChange } from '../../../src/remediate/change.ts';
import { changeIdOf } from '../../../src/remediate/identifiers.ts';
import type { CallerIdentity, SchedulerWriter, TargetChecker, WriteOutcome } from '../../../src/remediate/ports.ts';
import { cloneData, type RawSchedule, type ScheduleUpdate } from '../../../src/remediate/schedule-document.ts';

export const ACCOUNT = '123456789012';
export const REGION = 'us-west-2';
export const clusterArn = (name: string, account = ACCOUNT, region = REGION): string => `arn:aws:ecs:${region}:${account}:cluster/${name}`;
export const scheduleArn = (group: string, name: string): string => `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${group}/${name}`;
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/ops-pipeline-eventbridge-ecs-role`;
export const WHO: CallerIdentity = { known: true, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/oncall/alice`, account: ACCOUNT, userId: 'AROA:alice' };

export function ecsSchedule(group: string, name: string, overrides: Partial<RawSchedule> = {}): RawSchedule {
  return {
    Arn: scheduleArn(group, name),
    GroupName: group,
    Name: name,
    ScheduleExpression: 'cron(0/5 9-15 ? * MON-FRI *)',
    ScheduleExpressionTimezone: 'America/New_York',
    Description: `${name} (5 min)`,
    State: 'ENABLED',
    CreationDate: new Date('2026-01-02T10:00:00Z'),
    LastModificationDate: new Date('2026-01-29T20:47:00Z'),
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: {
      Arn: clusterArn('ops-pipeline'),
      RoleArn: ROLE,
      Input: '{"containerOverrides":[{"name":"app","environment":[{"name":"ACCOUNT","value":"main"}]}]}',
      RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      DeadLetterConfig: { Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:ops-pipeline-scheduler-dlq` },
      EcsParameters: {
        TaskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${name}:3`,
        TaskCount: 1,
        LaunchType: 'EC2',
        NetworkConfiguration: { awsvpcConfiguration: { Subnets: ['subnet-1'], SecurityGroups: ['sg-1'], AssignPublicIp: 'DISABLED' } },
        Group: name,
        Tags: [{ service: name }],
      },
    },
    ...overrides,
  };
}

export function lambdaSchedule(group: string, name: string): RawSchedule {
  return {
    ...ecsSchedule(group, name),
    Target: { Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`, RoleArn: ROLE, Input: '{"check":"open-positions"}' },
  };
}

type Key = string;
const keyOf = (ref: { group: string; name: string }): Key => `${ref.group}/${ref.name}`;

export interface MemoryScheduler extends SchedulerWriter {
  readonly store: Map<Key, RawSchedule>;
  readonly updates: { update: ScheduleUpdate; clientToken: string }[];
  readonly gets: string[];
  /** Fails every UpdateSchedule of this schedule with the failure (or only the next `times`). */
  failUpdate(ref: { group: string; name: string }, failure: LookupFailure, times?: number): void;
  failGet(ref: { group: string; name: string }, failure: LookupFailure): void;
  /** Runs before the n-th GetSchedule of a schedule (1-based): simulates someone else's edit. */
  beforeGet(ref: { group: string; name: string }, n: number, edit: (current: RawSchedule) => RawSchedule): void;
  /** Like AWS: reject an update whose StartDate is more than 5 minutes before `now`. */
  rejectPastStartDate(now: Date): void;
  /** Store something other than what was sent (a server that changes fields on write). */
  mangleOnWrite(fn: (stored: RawSchedule) => RawSchedule): void;
}

export function memoryScheduler(initial: readonly RawSchedule[], clockStart = new Date('2026-01-29T23:01:00Z')): MemoryScheduler {
  const store = new Map<Key, RawSchedule>(initial.map((s) => [`${s.GroupName}/${s.Name}`, cloneData(s)]));
  const updates: { update: ScheduleUpdate; clientToken: string }[] = [];
  const gets: string[] = [];
  const updateFailures = new Map<Key, { failure: LookupFailure; times: number }>();
  const getFailures = new Map<Key, LookupFailure>();
  const edits = new Map<string, (current: RawSchedule) => RawSchedule>();
  let pastStartDateBefore: Date | undefined;
  let mangle: ((stored: RawSchedule) => RawSchedule) | undefined;
  let tick = clockStart.getTime();

  return {
    store,
    updates,
    gets,
    failUpdate(ref, failure, times = Number.POSITIVE_INFINITY) {
      updateFailures.set(keyOf(ref), { failure, times });
    },
    failGet(ref, failure) {
      getFailures.set(keyOf(ref), failure);
    },
    beforeGet(ref, n, edit) {
      edits.set(`${keyOf(ref)}#${n}`, edit);
    },
    rejectPastStartDate(now) {
      pastStartDateBefore = new Date(now.getTime() - 5 * 60_000);
    },
    mangleOnWrite(fn) {
      mangle = fn;
    },
    async getScheduleRaw(ref): Promise<Lookup<RawSchedule>> {
      const key = keyOf(ref);
      gets.push(key);
      const n = gets.filter((k) => k === key).length;
      const edit = edits.get(`${key}#${n}`);
      const current = store.get(key);
      if (edit && current) store.set(key, { ...edit(cloneData(current)), LastModificationDate: new Date((tick += 1000)) });
      const failure = getFailures.get(key);
      if (failure) return { status: 'unknown', failure };
      const found = store.get(key);
      return found ? { status: 'found', value: cloneData(found) } : { status: 'missing', reason: `schedule ${key} does not exist` };
    },
    async updateSchedule(update, clientToken): Promise<WriteOutcome> {
      updates.push({ update: cloneData(update), clientToken });
      const key = `${update.GroupName}/${update.Name}`;
      const failing = updateFailures.get(key);
      if (failing && failing.times > 0) {
        failing.times -= 1;
        return { ok: false, failure: failing.failure };
      }
      if (pastStartDateBefore && update.StartDate && update.StartDate < pastStartDateBefore) {
        return { ok: false, failure: { action: 'scheduler:UpdateSchedule', errorName: 'ValidationException', message: 'The StartDate you specify cannot be earlier than 5 minutes ago.' } };
      }
      const previous = store.get(key);
      if (!previous) return { ok: false, failure: { action: 'scheduler:UpdateSchedule', errorName: 'ResourceNotFoundException', message: `Schedule ${key} does not exist.` } };
      // UpdateSchedule replaces the definition: whatever was not sent is gone.
      let stored: RawSchedule = { ...cloneData(update), Arn: previous.Arn, CreationDate: previous.CreationDate, LastModificationDate: new Date((tick += 1000)) };
      if (mangle) stored = mangle(stored);
      store.set(key, stored);
      return { ok: true };
    },
  };
}

export interface MemoryAudit extends AuditLog {
  readonly entries: AuditEntry[];
  failNextAppends(count: number): void;
}

export function memoryAudit(path = '/audit/audit.jsonl'): MemoryAudit {
  const entries: AuditEntry[] = [];
  let failures = 0;
  return {
    path,
    entries,
    failNextAppends(count) {
      failures = count;
    },
    async append(entry) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('EROFS: read-only file system');
      }
      // Round-trip through JSON, as the file would.
      entries.push(JSON.parse(JSON.stringify(entry)) as AuditEntry);
    },
    async readAll() {
      return entries.map((e) => JSON.parse(JSON.stringify(e)) as AuditEntry);
    },
  };
}

export interface MemoryBackups extends BackupStore {
  readonly files: Map<string, string>;
  failWrites(on: boolean): void;
}

export function memoryBackups(dir = '/backups'): MemoryBackups {
  const files = new Map<string, string>();
  let failing = false;
  return {
    files,
    failWrites(on) {
      failing = on;
    },
    async write(document: BackupDocument) {
      if (failing) throw new Error('ENOSPC: no space left on device');
      const path = `${dir}/${files.size + 1}-${document.schedule.group}-${document.schedule.name}.json`;
      files.set(path, JSON.stringify(document, null, 2));
      return path;
    },
    async read(path) {
      const text = files.get(path);
      if (text === undefined) throw new Error(`no backup ${path}`);
      return parseBackup(text, path);
    },
  };
}

export function targetChecker(clusters: readonly ClusterFacts[]): TargetChecker & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    async describeClusters(arns) {
      calls.push([...arns]);
      return new Map(
        arns.map((arn): [string, Lookup<ClusterFacts>] => {
          const found = clusters.find((c) => c.arn === arn);
          return [arn, found ? { status: 'found', value: found } : { status: 'missing', reason: `cluster ${arn} does not exist (MISSING)` }];
        }),
      );
    },
  };
}

export const activeCluster = (name: string, account = ACCOUNT, region = REGION): ClusterFacts => ({ arn: clusterArn(name, account, region), name, status: 'ACTIVE' });

/** The planned change that repoints `s` at `to`, as planClusterFixes would make it. */
export function changeFor(s: RawSchedule, to = clusterArn('ops-pipeline-cluster')): ClusterChange {
  const plannedOn = s.LastModificationDate!.toISOString();
  return {
    id: changeIdOf({ scheduleArn: s.Arn!, from: s.Target!.Arn!, to, plannedOn }),
    schedule: { group: s.GroupName!, name: s.Name!, arn: s.Arn! },
    field: 'Target.Arn',
    from: s.Target!.Arn!,
    to,
    resolvedBy: 'auto-match',
    because: 'test',
    plannedOn,
    diff: [],
  };
}
