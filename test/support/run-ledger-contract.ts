/**
 * Behaviour every RunLedger must have. Run against MemoryRunLedger in unit tests; an e2e test can run the
 * same suite against DynamoRunLedger on the sandbox's DynamoDB.
 */
import { describe, expect, it } from 'vitest';
import type { RunLedger, RunRecord, ScheduleKey } from '../../src/ledger/run-ledger.ts';

const TELEMETRY: ScheduleKey = { group: 'trading', name: 'telemetry' };
const RISK: ScheduleKey = { group: 'trading', name: 'risk-calc' };

let counter = 0;
/** Unique task ARNs per call so a shared backing store never sees a previous test's runs. */
function taskArn(suffix: string): string {
  counter += 1;
  return `arn:aws:ecs:us-west-2:123456789012:task/prod/${suffix}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export function run(schedule: ScheduleKey, arn: string, runAt: string, lastStatus: string, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    schedule,
    taskArn: arn,
    clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/prod',
    taskDefinitionArn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/telemetry:7',
    runAt: new Date(runAt),
    lastStatus,
    attributedBy: 'startedBy',
    ...extra,
  };
}

/**
 * `makeLedger` returns a ledger and a schedule namespace: a fresh group name per test keeps tests apart
 * on a shared table.
 */
export function describeRunLedgerContract(name: string, makeLedger: () => Promise<RunLedger> | RunLedger): void {
  let groupCounter = 0;
  const fresh = async () => {
    groupCounter += 1;
    const suffix = `${groupCounter}-${Math.random().toString(36).slice(2, 8)}`;
    return {
      ledger: await makeLedger(),
      telemetry: { group: `${TELEMETRY.group}-${suffix}`, name: TELEMETRY.name },
      risk: { group: `${RISK.group}-${suffix}`, name: RISK.name },
    };
  };

  describe(`${name}: RunLedger contract`, () => {
    it('marks coverage once; a later mark never moves it', async () => {
      const { ledger } = await fresh();
      const first = await ledger.markCoverage(new Date('2026-03-02T14:30:00.000Z'));
      const second = await ledger.markCoverage(new Date('2026-03-05T09:00:00.000Z'));
      expect(second).toEqual(first);
      expect(await ledger.coverage()).toEqual(first);
      expect(first.getTime()).toBeLessThanOrEqual(new Date('2026-03-02T14:30:00.000Z').getTime());
    });

    it('records a new run as the last run and in history', async () => {
      const { ledger, telemetry } = await fresh();
      const arn = taskArn('a');
      expect(await ledger.recordRun(run(telemetry, arn, '2026-03-02T14:35:00.000Z', 'PROVISIONING'))).toBe('recorded');

      const last = await ledger.lastRuns([telemetry]);
      expect(last.get(`${telemetry.group}/${telemetry.name}`)).toEqual({
        schedule: telemetry,
        runAt: new Date('2026-03-02T14:35:00.000Z'),
        taskArn: arn,
        lastStatus: 'PROVISIONING',
        runCount: 1,
      });
      expect(await ledger.runsSince(telemetry, new Date('2026-03-02T00:00:00Z'))).toEqual([run(telemetry, arn, '2026-03-02T14:35:00.000Z', 'PROVISIONING')]);
    });

    it('treats a redelivered event as a duplicate: one run, counted once', async () => {
      const { ledger, telemetry } = await fresh();
      const arn = taskArn('dup');
      const event = run(telemetry, arn, '2026-03-02T14:35:00.000Z', 'RUNNING');
      expect(await ledger.recordRun(event)).toBe('recorded');
      expect(await ledger.recordRun(event)).toBe('duplicate');
      expect(await ledger.recordRun(event)).toBe('duplicate');

      expect(await ledger.runsSince(telemetry, new Date(0))).toHaveLength(1);
      expect((await ledger.lastRuns([telemetry])).get(`${telemetry.group}/${telemetry.name}`)?.runCount).toBe(1);
    });

    it('advances a task through its lifecycle without creating more runs', async () => {
      const { ledger, telemetry } = await fresh();
      const arn = taskArn('life');
      const at = '2026-03-02T14:35:00.000Z';
      const results = [];
      for (const status of ['PROVISIONING', 'PENDING', 'RUNNING', 'DEPROVISIONING', 'STOPPED']) {
        const extra = status === 'STOPPED' || status === 'DEPROVISIONING' ? { stoppedReason: 'Essential container in task exited' } : {};
        results.push(await ledger.recordRun(run(telemetry, arn, at, status, extra)));
      }
      expect(results).toEqual(['recorded', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);

      const history = await ledger.runsSince(telemetry, new Date(0));
      expect(history).toEqual([run(telemetry, arn, at, 'STOPPED', { stoppedReason: 'Essential container in task exited' })]);
      const last = (await ledger.lastRuns([telemetry])).get(`${telemetry.group}/${telemetry.name}`);
      expect(last).toMatchObject({ taskArn: arn, lastStatus: 'STOPPED', runCount: 1, stoppedReason: 'Essential container in task exited' });
    });

    it('never regresses a status when an older state change arrives late (RUNNING before PENDING)', async () => {
      const { ledger, telemetry } = await fresh();
      const arn = taskArn('ooo');
      const at = '2026-03-02T14:35:00.000Z';
      expect(await ledger.recordRun(run(telemetry, arn, at, 'RUNNING'))).toBe('recorded');
      expect(await ledger.recordRun(run(telemetry, arn, at, 'PENDING'))).toBe('duplicate');
      expect(await ledger.recordRun(run(telemetry, arn, at, 'PROVISIONING'))).toBe('duplicate');

      expect((await ledger.runsSince(telemetry, new Date(0)))[0]?.lastStatus).toBe('RUNNING');
      expect((await ledger.lastRuns([telemetry])).get(`${telemetry.group}/${telemetry.name}`)?.lastStatus).toBe('RUNNING');
    });

    it('never moves the last run backwards: the 09:35 run arriving after the 09:40 run is history only', async () => {
      const { ledger, telemetry } = await fresh();
      const late = taskArn('0940');
      const early = taskArn('0935');
      expect(await ledger.recordRun(run(telemetry, late, '2026-03-02T14:40:00.000Z', 'RUNNING'))).toBe('recorded');
      expect(await ledger.recordRun(run(telemetry, early, '2026-03-02T14:35:00.000Z', 'PENDING'))).toBe('older');
      // A later status of the older task must not drag the last run back either.
      expect(await ledger.recordRun(run(telemetry, early, '2026-03-02T14:35:00.000Z', 'STOPPED'))).toBe('duplicate');

      const last = (await ledger.lastRuns([telemetry])).get(`${telemetry.group}/${telemetry.name}`);
      expect(last).toMatchObject({ taskArn: late, runAt: new Date('2026-03-02T14:40:00.000Z'), lastStatus: 'RUNNING', runCount: 2 });

      const history = await ledger.runsSince(telemetry, new Date(0));
      expect(history.map((r) => [r.taskArn, r.lastStatus])).toEqual([
        [early, 'STOPPED'],
        [late, 'RUNNING'],
      ]);
    });

    it('clears the previous run’s stoppedReason when a newer run becomes the last run', async () => {
      const { ledger, telemetry } = await fresh();
      await ledger.recordRun(run(telemetry, taskArn('old'), '2026-03-02T14:35:00.000Z', 'STOPPED', { stoppedReason: 'OutOfMemoryError' }));
      await ledger.recordRun(run(telemetry, taskArn('new'), '2026-03-02T14:40:00.000Z', 'PENDING'));
      const last = (await ledger.lastRuns([telemetry])).get(`${telemetry.group}/${telemetry.name}`);
      expect(last?.lastStatus).toBe('PENDING');
      expect(last?.stoppedReason).toBeUndefined();
    });

    it('breaks an exact runAt tie by taskArn, whatever the delivery order', async () => {
      const at = '2026-03-02T14:35:00.000Z';
      const lower = `${taskArn('tie')}-a`;
      const higher = `${lower}-b`;
      const first = await fresh();
      await first.ledger.recordRun(run(first.telemetry, lower, at, 'RUNNING'));
      expect(await first.ledger.recordRun(run(first.telemetry, higher, at, 'RUNNING'))).toBe('recorded');
      const second = await fresh();
      await second.ledger.recordRun(run(second.telemetry, higher, at, 'RUNNING'));
      expect(await second.ledger.recordRun(run(second.telemetry, lower, at, 'RUNNING'))).toBe('older');

      for (const { ledger, telemetry } of [first, second]) {
        expect((await ledger.lastRuns([telemetry])).get(`${telemetry.group}/${telemetry.name}`)).toMatchObject({ taskArn: higher, runCount: 2 });
      }
    });

    it('keeps schedules apart and leaves schedules that never ran out of lastRuns', async () => {
      const { ledger, telemetry, risk } = await fresh();
      const neverRan = { group: telemetry.group, name: 'never-ran' };
      const arn = taskArn('t');
      await ledger.recordRun(run(telemetry, arn, '2026-03-02T14:35:00.000Z', 'RUNNING'));
      await ledger.recordRun(run(risk, taskArn('r'), '2026-03-02T15:00:00.000Z', 'RUNNING'));

      const last = await ledger.lastRuns([telemetry, neverRan, risk, telemetry]);
      expect([...last.keys()].sort()).toEqual([`${risk.group}/${risk.name}`, `${telemetry.group}/${telemetry.name}`]);
      expect(last.get(`${telemetry.group}/${telemetry.name}`)?.taskArn).toBe(arn);
      expect(await ledger.runsSince(neverRan, new Date(0))).toEqual([]);
      expect(await ledger.runsSince(telemetry, new Date(0))).toHaveLength(1);
    });

    it('returns history since an instant (inclusive), ascending by runAt', async () => {
      const { ledger, telemetry } = await fresh();
      const times = ['2026-03-02T15:00:00.000Z', '2026-03-02T14:30:00.000Z', '2026-03-02T14:45:00.000Z', '2026-03-01T14:30:00.000Z'];
      for (const at of times) await ledger.recordRun(run(telemetry, taskArn('h'), at, 'STOPPED'));

      const since = await ledger.runsSince(telemetry, new Date('2026-03-02T14:30:00.000Z'));
      expect(since.map((r) => r.runAt.toISOString())).toEqual(['2026-03-02T14:30:00.000Z', '2026-03-02T14:45:00.000Z', '2026-03-02T15:00:00.000Z']);
      expect(await ledger.runsSince(telemetry, new Date('2026-03-02T15:00:00.001Z'))).toEqual([]);
    });
  });
}
