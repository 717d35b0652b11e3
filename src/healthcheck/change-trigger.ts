/**
 * What started a healthcheck run, from the Lambda's event (or `ops healthcheck --event FILE`, or the
 * sandbox's change consumer), and the run it asks for:
 *
 * - anything that is not a change (Scheduler's 5-minute invocation, `{ "at": … }`): the full run, as
 *   always;
 * - CloudTrail events for CreateSchedule, UpdateSchedule, DeleteCluster, DeregisterTaskDefinition or
 *   DeleteTaskDefinitions: one event, or a batch of them as the change queue's event source delivers
 *   it (src/checks/change-batch.ts): ONE run scoped to what all of them can affect, so a burst of
 *   writes is one run and at most one email;
 * - calls that failed (errorCode) changed nothing: alone, nothing runs and the result says they were
 *   ignored and why; in a batch with scoped changes, they are left out and listed as ignored;
 * - any event that cannot be scoped: the full run, with the reason as an error of the run
 *   (CheckErrors, the HealthcheckErrors alarm): the parser is behind what EventBridge delivers, and a
 *   change must never go unchecked.
 *
 * No loop: auto-fix's own UpdateSchedule calls come back as CloudTrail events (one batch for one
 * repair run), and the run they start finds the repaired schedules healthy, changes nothing and sends
 * nothing (the repairing run already resolved the alert entries).
 */
import { changeRecordsOf, readChangeBatch } from '../checks/change-batch.ts';
import type { ChangeCause, ChangeScope, IgnoredChange } from '../checks/change-scope.ts';
import { causeFields, type HealthcheckSummary } from './invocation.ts';
import type { HealthLog } from './ports.ts';
import { runHealthcheck, type HealthcheckDeps, type HealthcheckOptions, type HealthcheckResult } from './run-healthcheck.ts';

export type HealthcheckTrigger =
  | { kind: 'schedule' }
  | { kind: 'change'; scope: ChangeScope }
  | { kind: 'ignored'; reason: string; cause: ChangeCause; ignored: IgnoredChange[] }
  | { kind: 'unscoped-change'; reason: string; cause?: ChangeCause };

export function healthcheckTrigger(event: unknown): HealthcheckTrigger {
  const records = changeRecordsOf(event);
  if (records === undefined) return { kind: 'schedule' };
  const reading = readChangeBatch(records);
  switch (reading.kind) {
    case 'scoped':
      return { kind: 'change', scope: reading.scope };
    case 'failed-calls':
      return { kind: 'ignored', reason: reading.reason, cause: reading.cause, ignored: reading.ignored };
    case 'unscopable':
      return { kind: 'unscoped-change', reason: reading.reason, ...(reading.cause ? { cause: reading.cause } : {}) };
  }
}

/** What a trigger adds to runHealthcheck's options; nothing for the 5-minute run. */
export function triggerOptions(trigger: Exclude<HealthcheckTrigger, { kind: 'ignored' }>): Pick<HealthcheckOptions, 'change' | 'unscopedBecause'> {
  switch (trigger.kind) {
    case 'schedule':
      return {};
    case 'change':
      return { change: trigger.scope };
    case 'unscoped-change':
      return { unscopedBecause: trigger.reason };
  }
}

export type TriggeredRun = { status: 'ignored'; reason: string; cause: ChangeCause; ignored: IgnoredChange[] } | { status: 'ran'; result: HealthcheckResult };

/**
 * One invocation for an event (one event or a batch of them): the Lambda, `ops healthcheck --event`
 * and the sandbox's change consumer all come through here, so they decide alike.
 */
export async function runHealthcheckForEvent(deps: HealthcheckDeps, event: unknown, options: Omit<HealthcheckOptions, 'change' | 'unscopedBecause'>): Promise<TriggeredRun> {
  const trigger = healthcheckTrigger(event);
  if (trigger.kind === 'ignored') {
    logIgnored(deps.log, trigger);
    return { status: 'ignored', reason: trigger.reason, cause: trigger.cause, ignored: trigger.ignored };
  }
  return { status: 'ran', result: await runHealthcheck(deps, { ...options, ...triggerOptions(trigger) }) };
}

export function logIgnored(log: HealthLog, trigger: Extract<HealthcheckTrigger, { kind: 'ignored' }>): void {
  log.info('change event ignored', { change: { cause: trigger.cause, reason: trigger.reason, ...(trigger.ignored.length > 1 ? { calls: trigger.ignored.length } : {}) } });
}

/**
 * The Lambda's summary of an ignored event: nothing checked, nothing emitted, and why. `marketOpen` is
 * the calendar's word at `now`, so the summary stays the same shape as every other.
 */
export function ignoredSummary(runId: string, ignored: { reason: string; cause: ChangeCause; ignored: readonly IgnoredChange[] }, marketOpen: boolean): HealthcheckSummary {
  return {
    runId,
    ok: true,
    schedules: 0,
    unhealthySchedules: 0,
    findings: {},
    marketOpen,
    alert: { status: 'off', reason: ignored.reason },
    autoFix: { status: 'off' },
    counters: { checkErrors: 0, alertPublishFailures: 0, selfHealed: 0, autoFixRefused: 0 },
    errors: [],
    change: { trigger: 'ignored', ...causeFields(ignored.cause), reason: ignored.reason, ...(ignored.ignored.length > 1 ? { ignoredCalls: ignored.ignored.length } : {}) },
  };
}
