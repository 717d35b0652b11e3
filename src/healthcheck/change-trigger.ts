/**
 * What started a healthcheck run, from the Lambda's event (or `ops healthcheck --event FILE`, or the
 * sandbox's change consumer), and the run it asks for:
 *
 * - anything that is not a CloudTrail event (Scheduler's 5-minute invocation, `{ "at": … }`): the
 *   full run, as always;
 * - a CloudTrail event for CreateSchedule, UpdateSchedule, DeleteCluster, DeregisterTaskDefinition or
 *   DeleteTaskDefinitions: a run scoped to what that change can affect (src/checks/change-event.ts);
 * - the same for a call that failed (errorCode): it changed nothing, so nothing runs, and the result
 *   says it was ignored and why;
 * - a CloudTrail event that cannot be scoped: the full run, with the reason as an error of the run
 *   (CheckErrors, the HealthcheckErrors alarm): the parser is behind what EventBridge delivers, and a
 *   change must never go unchecked.
 *
 * No loop: auto-fix's own UpdateSchedule comes back as a CloudTrail event, and the run it starts finds
 * the repaired schedule healthy, changes nothing and sends nothing (the repairing run already
 * resolved the alert entry).
 */
import { readChangeEvent, isCloudTrailApiCall } from '../checks/change-event.ts';
import type { ChangeCause, ChangeScope } from '../checks/change-scope.ts';
import { causeFields, type HealthcheckSummary } from './invocation.ts';
import type { HealthLog } from './ports.ts';
import { runHealthcheck, type HealthcheckDeps, type HealthcheckOptions, type HealthcheckResult } from './run-healthcheck.ts';

export type HealthcheckTrigger =
  | { kind: 'schedule' }
  | { kind: 'change'; scope: ChangeScope }
  | { kind: 'ignored'; reason: string; cause: ChangeCause }
  | { kind: 'unscoped-change'; reason: string; cause?: ChangeCause };

export function healthcheckTrigger(event: unknown): HealthcheckTrigger {
  if (!isCloudTrailApiCall(event)) return { kind: 'schedule' };
  const reading = readChangeEvent(event);
  switch (reading.kind) {
    case 'scoped':
      return { kind: 'change', scope: reading.scope };
    case 'failed-call':
      return { kind: 'ignored', reason: reading.reason, cause: reading.cause };
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

export type TriggeredRun = { status: 'ignored'; reason: string; cause: ChangeCause } | { status: 'ran'; result: HealthcheckResult };

/**
 * One invocation for an event: the Lambda, `ops healthcheck --event` and the sandbox's change consumer
 * all come through here, so they decide alike.
 */
export async function runHealthcheckForEvent(deps: HealthcheckDeps, event: unknown, options: Omit<HealthcheckOptions, 'change' | 'unscopedBecause'>): Promise<TriggeredRun> {
  const trigger = healthcheckTrigger(event);
  if (trigger.kind === 'ignored') {
    logIgnored(deps.log, trigger);
    return { status: 'ignored', reason: trigger.reason, cause: trigger.cause };
  }
  return { status: 'ran', result: await runHealthcheck(deps, { ...options, ...triggerOptions(trigger) }) };
}

export function logIgnored(log: HealthLog, trigger: Extract<HealthcheckTrigger, { kind: 'ignored' }>): void {
  log.info('change event ignored', { change: { cause: trigger.cause, reason: trigger.reason } });
}

/**
 * The Lambda's summary of an ignored event: nothing checked, nothing emitted, and why. `marketOpen` is
 * the calendar's word at `now`, so the summary stays the same shape as every other.
 */
export function ignoredSummary(runId: string, ignored: { reason: string; cause: ChangeCause }, marketOpen: boolean): HealthcheckSummary {
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
    change: { trigger: 'ignored', ...causeFields(ignored.cause), reason: ignored.reason },
  };
}
