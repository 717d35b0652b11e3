/**
 * `--wait-for-run`: the last proof a fix worked is a task the fixed schedule started. Waits until
 * each fixed schedule has a run that was not there when waiting began, from the run ledger or from
 * ECS (tasks with startedBy = "chronos-schedule/<name>" cut to 36 characters, of the schedule's
 * task-definition family, since names that share 19 characters share a startedBy).
 *
 * "New" is decided against a baseline taken first rather than by comparing timestamps: ECS stamps
 * tasks with its own clock, the ledger with the event's, and AWS's clock is not ours. Clock and sleep are injected; tests never wait on the wall clock.
 */
import type { Lookup, ScheduleRef } from '../checks/model.ts';
import type { EcsPort, LedgerPort } from '../checks/ports.ts';
import { startedByFor, taskDefinitionFamily } from '../ledger/index.ts';
import type { ChangeResult } from './change.ts';

export interface WatchedSchedule {
  schedule: ScheduleRef;
  clusterArn: string;
  taskDefinitionArn?: string;
}

export interface SeenRun {
  /** A task ARN, or a ledger run time. */
  id: string;
  source: 'ecs' | 'ledger';
}

export interface RunEvidenceSource {
  /** The runs visible now. */
  runs(watched: WatchedSchedule): Promise<Lookup<SeenRun[]>>;
}

export interface WaitOptions {
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  timeoutMs: number;
  pollMs: number;
  progress?: (message: string) => void;
}

export type RunOutcome = NonNullable<ChangeResult['run']>;

export function ecsRunSource(ecs: Pick<EcsPort, 'tasksStartedBy'>): RunEvidenceSource {
  return {
    async runs(watched) {
      const seen = await ecs.tasksStartedBy(watched.clusterArn, startedByFor(watched.schedule.name));
      if (seen.status !== 'found') return seen;
      const family = watched.taskDefinitionArn !== undefined ? taskDefinitionFamily(watched.taskDefinitionArn) : undefined;
      return {
        status: 'found',
        value: seen.value.filter((task) => family === undefined || taskDefinitionFamily(task.taskDefinitionArn) === family).map((task) => ({ id: task.taskArn, source: 'ecs' as const })),
      };
    },
  };
}

export function ledgerRunSource(ledger: Pick<LedgerPort, 'lastRuns'>): RunEvidenceSource {
  return {
    async runs(watched) {
      try {
        const last = await ledger.lastRuns([{ group: watched.schedule.group, name: watched.schedule.name }]);
        const run = last.get(`${watched.schedule.group}/${watched.schedule.name}`);
        return { status: 'found', value: run ? [{ id: run.runAt.toISOString(), source: 'ledger' as const }] : [] };
      } catch (error) {
        return { status: 'unknown', failure: { action: 'dynamodb:BatchGetItem', errorName: (error as Error).name, message: (error as Error).message } };
      }
    },
  };
}

/**
 * Either source may prove a run: the ledger is durable but only as good as the handler feeding it,
 * ECS is direct but forgets stopped tasks after about an hour. Unknown only when every source is.
 */
export function anyRunSource(sources: readonly RunEvidenceSource[]): RunEvidenceSource {
  return {
    async runs(watched) {
      const lookups = await Promise.all(sources.map((s) => s.runs(watched)));
      const found = lookups.filter((l): l is { status: 'found'; value: SeenRun[] } => l.status === 'found');
      if (found.length > 0) return { status: 'found', value: found.flatMap((l) => l.value) };
      return lookups[0] ?? { status: 'found', value: [] };
    },
  };
}

export async function waitForRuns(watched: readonly WatchedSchedule[], source: RunEvidenceSource, options: WaitOptions): Promise<Map<string, RunOutcome>> {
  const key = (w: WatchedSchedule): string => `${w.schedule.group}/${w.schedule.name}`;
  const outcomes = new Map<string, RunOutcome>();
  const notes = new Map<string, string>();
  const baseline = new Map<string, Set<string>>();
  const idOf = (run: SeenRun): string => `${run.source}:${run.id}`;
  for (const w of watched) {
    const runs = await source.runs(w);
    baseline.set(key(w), new Set(runs.status === 'found' ? runs.value.map(idOf) : []));
    if (runs.status === 'unknown') notes.set(key(w), `${runs.failure.action} failed: ${runs.failure.errorName}`);
  }
  const started = options.now().getTime();
  const deadline = started + options.timeoutMs;
  let pending = [...watched];
  while (pending.length > 0) {
    const left = deadline - options.now().getTime();
    if (left <= 0) break;
    options.progress?.(`waiting for a run of ${pending.length} schedule(s)`);
    await options.sleep(Math.min(options.pollMs, left));
    const still: WatchedSchedule[] = [];
    for (const w of pending) {
      const runs = await source.runs(w);
      if (runs.status !== 'found') {
        notes.set(key(w), runs.status === 'unknown' ? `${runs.failure.action} failed: ${runs.failure.errorName}` : runs.reason);
        still.push(w);
        continue;
      }
      const fresh = runs.value.find((run) => !(baseline.get(key(w))?.has(idOf(run)) ?? false));
      if (fresh === undefined) still.push(w);
      else outcomes.set(key(w), { seen: true, evidence: fresh.id, source: fresh.source });
    }
    pending = still;
  }
  const waitedMinutes = Math.round((options.now().getTime() - started) / 6_000) / 10;
  for (const w of pending) {
    const note = notes.get(key(w));
    outcomes.set(key(w), { seen: false, waitedMinutes, ...(note !== undefined ? { detail: note } : {}) });
  }
  return outcomes;
}
