/**
 * The schedule firer: EventBridge Scheduler's job, done on a virtual clock, because moto stores
 * schedules but never fires them.
 *
 * Each `advanceTo(t)` reads the schedules through the real Scheduler API (so an UpdateSchedule between
 * two advances takes effect), works out every invocation due in (firedUpTo, t] (due-invocations.ts),
 * and performs them in time order the way Scheduler does (invocation.ts): invocations due at the same
 * instant in parallel, instants one after another. Metrics go out at the end of the advance, batched.
 *
 * Sandbox note: the firer starts wherever its clock stands (a replay of 2026-01-29, say). Bind that
 * clock to moto's (moto-clock.ts) and moto stamps CreationDate, LastModificationDate and ECS task times
 * on it too; without that binding moto stamps the wall clock, and the firer still fires every schedule
 * in its window: the clock, not CreationDate, decides what has already happened.
 */
import { mapWithConcurrency } from '../concurrency.ts';
import { createFirerPorts } from './aws/firer-ports.ts';
import type { TargetClients } from './aws/target-api.ts';
import { FaultError, UserError } from '../errors.ts';
import { handleTaskStateChange, type RunLedger, type ScheduleIdentity, type TaskStateChangeDeps, type TaskStateChangeResult } from '../ledger/index.ts';
import { emptySummary, type AdvanceSummary } from './advance-summary.ts';
import { dueInvocations, isFinished, type DueInvocation } from './due-invocations.ts';
import type { FirerPorts, ResourceStatus } from './firer-ports.ts';
import { invoke, type InvocationRecord, type TargetChecks } from './invocation.ts';
import { targetKindOf, TargetKind, type ScheduleDefinition } from './schedule-model.ts';
import { SCHEDULER_NAMESPACE, SchedulerMetricBuffer } from './scheduler-metrics.ts';
import type { VirtualClock } from './virtual-clock.ts';

export type { AdvanceSummary } from './advance-summary.ts';
export { InvocationOutcome, type InvocationRecord } from './invocation.ts';

export type FirerClients = TargetClients & Parameters<typeof createFirerPorts>[0];

export interface FirerOptions {
  /** SDK clients for the sandbox (build them with maxAttempts 1); or pass `ports`. */
  clients?: FirerClients;
  ports?: FirerPorts;
  /** The firer starts at clock.now() (nothing at or before it fires) and moves the clock as it advances. */
  clock: VirtualClock;
  /** Where started tasks are recorded (through handleTaskStateChange); none: no ledger writes. */
  ledger?: RunLedger;
  account: string;
  region: string;
  log?: (message: string, data?: Record<string, unknown>) => void;
  /**
   * Parallel calls for GetSchedule and for invocations due at the same instant (default 16; moto is
   * effectively serial, but overlapping requests still hide the round trips).
   */
  concurrency?: number;
  /** Refuses an advance that would make more invocations than this (default 200,000). */
  maxInvocationsPerAdvance?: number;
  /** The ledger's event handler; injectable for tests. */
  handleTaskStateChange?: (event: unknown, deps: TaskStateChangeDeps) => Promise<TaskStateChangeResult>;
}

export interface Firer {
  /** Everything at or before this instant has been fired. */
  readonly firedUpTo: Date;
  advanceTo(instant: Date): Promise<AdvanceSummary>;
  advance(minutes: number): Promise<AdvanceSummary>;
  /** Every invocation so far, in the order performed; optionally for one schedule, group or target kind. */
  invocations(filter?: { group?: string; name?: string; targetKind?: TargetKind }): InvocationRecord[];
}

interface ScheduleRead {
  definitions: ScheduleDefinition[];
  listed: number;
  fetched: number;
  disabled: string[];
}

export function createFirer(options: FirerOptions): Firer {
  const ports = options.ports ?? (options.clients ? createFirerPorts(options.clients) : undefined);
  if (ports === undefined) throw new FaultError('FIRER_NO_PORTS', 'createFirer needs clients or ports.');
  const clock = options.clock;
  const concurrency = options.concurrency ?? 16;
  const maxInvocations = options.maxInvocationsPerAdvance ?? 200_000;
  const log = options.log ?? (() => undefined);
  const cache = new Map<string, { modified: number | undefined; definition: ScheduleDefinition }>();
  const records: InvocationRecord[] = [];
  let firedUpTo = clock.now();
  let busy = false;
  let coverageMarked = false;

  async function readSchedules(): Promise<ScheduleRead> {
    const summaries = await ports!.schedules.listSummaries();
    const live = new Set(summaries.map((s) => s.arn));
    for (const arn of cache.keys()) if (!live.has(arn)) cache.delete(arn);
    const disabled = summaries.filter((s) => s.state === 'DISABLED').map((s) => `${s.group}/${s.name}`);
    // A DISABLED schedule never fires, so it needs no GetSchedule; an unchanged one is served from cache.
    const enabled = summaries.filter((s) => s.state === 'ENABLED');
    const stale = enabled.filter((s) => {
      const cached = cache.get(s.arn);
      return cached === undefined || s.lastModificationDate === undefined || cached.modified !== s.lastModificationDate.getTime();
    });
    const fetched = await mapWithConcurrency(stale, concurrency, (s) => ports!.schedules.get(s.group, s.name));
    stale.forEach((s, i) => {
      const definition = fetched[i];
      if (definition === undefined) cache.delete(s.arn);
      else cache.set(s.arn, { modified: s.lastModificationDate?.getTime(), definition });
    });
    const definitions = enabled.map((s) => cache.get(s.arn)?.definition).filter((d): d is ScheduleDefinition => d !== undefined);
    return { definitions, listed: summaries.length, fetched: stale.length, disabled };
  }

  function targetChecks(): TargetChecks {
    const memo = <T>(fn: (key: string) => Promise<T>): ((key: string) => Promise<T>) => {
      const seen = new Map<string, Promise<T>>();
      return (key) => {
        let hit = seen.get(key);
        if (hit === undefined) {
          hit = fn(key);
          seen.set(key, hit);
        }
        return hit;
      };
    };
    return {
      role: memo((arn) => ports!.targets.roleExists(arn)),
      cluster: memo((arn): Promise<ResourceStatus> => ports!.targets.clusterStatus(arn)),
      taskDefinition: memo((arn): Promise<ResourceStatus> => ports!.targets.taskDefinitionStatus(arn)),
    };
  }

  async function advanceLocked(instant: Date): Promise<AdvanceSummary> {
    const from = firedUpTo;
    const summary = emptySummary(from, instant);
    if (instant.getTime() <= from.getTime()) return summary;

    const read = await readSchedules();
    summary.schedulesListed = read.listed;
    summary.schedulesFetched = read.fetched;
    for (const name of read.disabled) summary.skipped.push({ schedule: name, reason: 'disabled' });
    const due = collectDue(read.definitions, from, instant, summary, maxInvocations);
    summary.invocations = due.length;

    const ecsIdentities = read.definitions.filter((d) => targetKindOf(d.target.arn) === TargetKind.ecs).map(identityOf);
    const metrics = new SchedulerMetricBuffer();
    const ctx = {
      ports: ports!,
      checks: targetChecks(),
      metrics,
      summary,
      identities: () => ecsIdentities,
      ledger: options.ledger,
      handleTaskStateChange: options.handleTaskStateChange ?? handleTaskStateChange,
      account: options.account,
      region: options.region,
      log,
    };
    for (let i = 0; i < due.length; ) {
      let j = i;
      const at = due[i]!.invokeAt.getTime();
      while (j < due.length && due[j]!.invokeAt.getTime() === at) j++;
      clock.set(new Date(Math.max(at, clock.now().getTime())));
      records.push(...(await mapWithConcurrency(due.slice(i, j), concurrency, (d) => invoke(d, ctx))));
      i = j;
    }

    summary.deletedSchedules = await deleteFinished(due);
    for (const batch of metrics.drain()) {
      await ports!.metrics.putMetricData(SCHEDULER_NAMESPACE, batch);
      summary.metricsEmitted += batch.length;
      summary.metricCalls++;
    }
    firedUpTo = instant;
    if (clock.now().getTime() < instant.getTime()) clock.set(instant);
    return summary;
  }

  /** ActionAfterCompletion DELETE: Scheduler deletes a schedule after its last invocation. */
  async function deleteFinished(due: DueInvocation[]): Promise<string[]> {
    const last = new Map<string, DueInvocation>();
    for (const d of due) if (d.schedule.actionAfterCompletion === 'DELETE') last.set(d.schedule.arn, d);
    const deleted: string[] = [];
    for (const d of last.values()) {
      if (!isFinished(d.schedule, d.scheduledTime)) continue;
      await ports!.schedules.delete(d.schedule.group, d.schedule.name);
      cache.delete(d.schedule.arn);
      deleted.push(`${d.schedule.group}/${d.schedule.name}`);
    }
    return deleted;
  }

  async function advanceTo(instant: Date): Promise<AdvanceSummary> {
    if (busy) throw new FaultError('FIRER_BUSY', 'advanceTo was called while another advance is still running.');
    busy = true;
    try {
      // The ledger records from the firer's first instant on: what the check may call a missed run
      // starts there, exactly as a deployed ledger's coverage starts when it is deployed.
      if (!coverageMarked && options.ledger) {
        await options.ledger.markCoverage(firedUpTo);
        coverageMarked = true;
      }
      return await advanceLocked(instant);
    } finally {
      busy = false;
    }
  }

  return {
    get firedUpTo() {
      return new Date(firedUpTo);
    },
    advanceTo,
    advance: (minutes) => {
      if (!Number.isFinite(minutes) || minutes < 0) {
        return Promise.reject(new UserError('INVALID_ADVANCE', `Advance by a non-negative number of minutes, got ${minutes}.`, 'Pass minutes >= 0.'));
      }
      return advanceTo(new Date(firedUpTo.getTime() + minutes * 60_000));
    },
    invocations: (filter = {}) =>
      records.filter(
        (r) =>
          (filter.group === undefined || r.group === filter.group) &&
          (filter.name === undefined || r.name === filter.name) &&
          (filter.targetKind === undefined || r.targetKind === filter.targetKind),
      ),
  };
}

/** Every invocation due in (from, to], sorted by time, then group and name (a stable order for ties). */
function collectDue(definitions: ScheduleDefinition[], from: Date, to: Date, summary: AdvanceSummary, maxInvocations: number): DueInvocation[] {
  const due: DueInvocation[] = [];
  for (const schedule of definitions) {
    const result = dueInvocations(schedule, { after: from, atOrBefore: to });
    if (result.kind === 'skipped') {
      summary.skipped.push({ schedule: `${schedule.group}/${schedule.name}`, reason: result.reason, ...(result.detail ? { detail: result.detail } : {}) });
      continue;
    }
    if (result.truncated || due.length + result.invocations.length > maxInvocations) {
      throw new UserError(
        'ADVANCE_TOO_LARGE',
        `Advancing from ${from.toISOString()} to ${to.toISOString()} would make more than ${maxInvocations} invocations.`,
        'Advance the virtual clock in smaller steps.',
      );
    }
    due.push(...result.invocations);
  }
  return due.sort(
    (a, b) => a.invokeAt.getTime() - b.invokeAt.getTime() || a.schedule.group.localeCompare(b.schedule.group) || a.schedule.name.localeCompare(b.schedule.name),
  );
}

function identityOf(d: ScheduleDefinition): ScheduleIdentity {
  return {
    group: d.group,
    name: d.name,
    arn: d.arn,
    ...(d.target.ecs?.group ? { ecsGroup: d.target.ecs.group } : {}),
    ...(d.target.ecs?.taskDefinitionArn ? { taskDefinitionArn: d.target.ecs.taskDefinitionArn } : {}),
  };
}
