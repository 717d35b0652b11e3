import { describe, expect, it } from 'vitest';
import { fingerprintOf, MemoryAlertStateStore, type AlertState, type AlertStateStore } from '../../../src/alerts/index.ts';
import type { EmailMessage, Notifier } from '../../../src/alerts/notifier.ts';
import { Severity } from '../../../src/checks/finding.ts';
import { handleDeadLetters, type DeadLetterDeps, type DeadLetterOptions } from '../../../src/healthcheck/dead-letter-alerts.ts';
import { recordingLog, recordingSink, type RecordingLog, type RecordingSink } from '../../../src/healthcheck/ports.ts';
import { nyse } from '../../../src/market/index.ts';
import { deadLetter, REGION, sqsRecord } from './dead-letter-fixtures.ts';

// Monday 2026-11-23, 09:32 in New York: the market is open.
const NOW = new Date('2026-11-23T14:32:00Z');
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

interface World {
  deps: DeadLetterDeps;
  store: AlertStateStore;
  sent: EmailMessage[];
  log: RecordingLog;
  sink: RecordingSink;
  failPublish: { on: boolean };
}

function world(store: AlertStateStore = new MemoryAlertStateStore()): World {
  const sent: EmailMessage[] = [];
  const failPublish = { on: false };
  const notifier: Notifier = {
    destination: 'arn:aws:sns:us-west-2:123456789012:ops-pipeline-alerts',
    async publish(message) {
      if (failPublish.on) throw new Error('sns:Publish failed: NotFound: Topic does not exist');
      sent.push(message);
      return { messageId: `sns-${sent.length}` };
    },
  };
  const log = recordingLog();
  const sink = recordingSink();
  return { deps: { alerts: { store, notifier }, metrics: sink, log, calendar: nyse }, store, sent, log, sink, failPublish };
}

const options = (now: Date = NOW): DeadLetterOptions => ({ now, region: REGION, minSeverity: Severity.critical, reminderHours: 2 });

function metric(sink: RecordingSink, name: string): number[] {
  return sink.data.filter((d) => d.name === name).map((d) => d.value);
}

describe('handleDeadLetters', () => {
  it('alerts once for a batch: one email naming each schedule, its scheduled time and error code; nothing kept in the queue', async () => {
    const w = world();
    const records = [
      deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:31:00Z'),
      deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:32:00Z'),
      deadLetter('ops-pipeline-classifier', '2026-11-23T14:30:00Z', { ERROR_CODE: 'AccessDeniedException', ERROR_MESSAGE: 'not authorized to perform iam:PassRole' }, 'ops-pipeline'),
    ];

    const result = await handleDeadLetters(w.deps, records, options());

    expect(result.batchItemFailures).toEqual([]);
    expect(result.recorded).toBe(true);
    expect(w.sent).toHaveLength(1);
    const [email] = w.sent;
    expect(email!.subject).toBe('[CRITICAL] invocations failed for 2 schedules: ClusterNotFoundException, AccessDeniedException');
    expect(email!.body).toContain('ops-pipeline-market/ops-pipeline-dispatcher');
    expect(email!.body).toContain('ops-pipeline/ops-pipeline-classifier');
    // Times in the email are New York time: 14:32Z is 09:32 ET.
    expect(email!.body).toMatch(/ops-pipeline-market\/ops-pipeline-dispatcher .*scheduledTime=2026-11-23 09:32 ET; errorCode=ClusterNotFoundException; occurrences=2/);
    expect(email!.body).toContain('errorCode=AccessDeniedException');
    expect(email!.body).toContain('runbooks/INVOCATION_FAILED.md');
    expect(email!.body).toContain('ops check-schedulers\n');
    expect(metric(w.sink, 'DeadLetterMessages')).toEqual([3]);
    expect(metric(w.sink, 'Finding_INVOCATION_FAILED')).toEqual([2]);
    expect(metric(w.sink, 'AlertPublishFailures')).toEqual([0]);
    expect(metric(w.sink, 'CheckErrors')).toEqual([0]);
    expect(metric(w.sink, 'Heartbeat')).toEqual([]);
    // Each message is in the log with its body: the only copy once SQS deletes it.
    expect(w.log.lines.filter((l) => l.message === 'dead letter received').map((l) => l.fields.messageId)).toEqual(records.map((r) => r.messageId));
  });

  it('names one schedule and its error in the subject, and gives its exact check command', async () => {
    const w = world();
    await handleDeadLetters(w.deps, [deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:31:00Z')], options());
    expect(w.sent[0]!.subject).toBe('[CRITICAL] invocation failed: ops-pipeline-market/ops-pipeline-dispatcher: ClusterNotFoundException');
    expect(w.sent[0]!.body).toContain('ops check-schedulers --group ops-pipeline-market --name-prefix ops-pipeline-dispatcher');
  });

  it('stays silent for a second batch of the same schedule, and still lets SQS delete it (already announced)', async () => {
    const w = world();
    await handleDeadLetters(w.deps, [deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:31:00Z')], options());
    const second = await handleDeadLetters(w.deps, [deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:36:00Z')], options(later(5)));

    expect(w.sent).toHaveLength(1);
    expect(second).toMatchObject({ recorded: true, batchItemFailures: [], alert: { status: 'decided', send: false } });
    // The event refreshed the finding: the fleet run holds it an hour from this one.
    const state = (await w.store.read())!.state;
    expect(Object.values(state.failing).map((e) => [e.code, e.since, e.seenAt])).toEqual([['INVOCATION_FAILED', NOW.toISOString(), later(5).toISOString()]]);
  });

  it('keeps every message when SNS fails, puts the alert state back, and alerts on the retry', async () => {
    const w = world();
    w.failPublish.on = true;
    const records = [deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:31:00Z'), deadLetter('ops-pipeline-classifier', '2026-11-23T14:31:00Z', {}, 'ops-pipeline')];

    const failed = await handleDeadLetters(w.deps, records, options());

    expect(failed.batchItemFailures).toEqual(records.map((r) => ({ itemIdentifier: r.messageId })));
    expect(failed.recorded).toBe(false);
    expect(failed.notRecorded).toMatch(/^SNS publish failed: Error: sns:Publish failed: NotFound/);
    expect(w.sent).toEqual([]);
    expect((await w.store.read())?.state.failing ?? {}).toEqual({});
    expect(metric(w.sink, 'AlertPublishFailures')).toEqual([1]);
    expect(w.log.lines.some((l) => l.level === 'error' && l.message === 'alert not recorded: the messages stay in the queue')).toBe(true);

    w.failPublish.on = false;
    const retry = await handleDeadLetters(w.deps, records, options(later(3)));
    expect(retry).toMatchObject({ recorded: true, batchItemFailures: [] });
    expect(w.sent).toHaveLength(1);
  });

  it('keeps every message when the alert state cannot be read, counting CheckErrors', async () => {
    const broken: AlertStateStore = {
      read: () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
      write: () => Promise.reject(new Error('unreachable')),
    };
    const w = world(broken);
    const records = [deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:31:00Z')];
    const result = await handleDeadLetters(w.deps, records, options());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.messageId }]);
    expect(result.notRecorded).toMatch(/^alert state: Error: ProvisionedThroughputExceededException/);
    expect(w.sent).toEqual([]);
    expect(metric(w.sink, 'CheckErrors')).toEqual([1]);
  });

  it('keeps every message when it loses the alert-state write twice (the policy gives up quietly)', async () => {
    const empty: AlertState = { version: 1, failing: {} };
    const contested: AlertStateStore = { read: async () => ({ state: empty, token: '1' }), write: async () => 'conflict' };
    const w = world(contested);
    const records = [deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:31:00Z')];
    const result = await handleDeadLetters(w.deps, records, options());
    expect(result.alert).toMatchObject({ status: 'decided', sent: false, conflict: true });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.messageId }]);
    expect(result.notRecorded).toMatch(/another run kept winning the alert-state write/);
  });

  it('counts a race lost to a run that announced the same finding as recorded', async () => {
    const store = new MemoryAlertStateStore();
    const w = world(store);
    const record = deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:31:00Z');
    // Another consumer instance alerts on the same schedule between this one's read and write.
    let raced = false;
    const racing: AlertStateStore = {
      read: () => store.read(),
      async write(state, token) {
        if (!raced) {
          raced = true;
          const other = world(store);
          await handleDeadLetters(other.deps, [deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:30:00Z')], options());
        }
        return store.write(state, token);
      },
    };
    const result = await handleDeadLetters({ ...w.deps, alerts: { ...w.deps.alerts, store: racing } }, [record], options());
    expect(result).toMatchObject({ recorded: true, batchItemFailures: [], alert: { status: 'decided', sent: false, conflict: true } });
    expect(w.sent).toEqual([]);
  });

  it('alerts on a message that is not a Scheduler dead letter and lets it go, so it cannot block the queue', async () => {
    const w = world();
    const stray = sqsRecord({ RULE_ARN: 'arn:aws:events:us-west-2:123456789012:rule/x' }, { body: '{"detail-type":"Order"}' });
    const result = await handleDeadLetters(w.deps, [stray], options());
    expect(result).toMatchObject({ recorded: true, batchItemFailures: [] });
    expect(w.sent).toHaveLength(1);
    expect(w.sent[0]!.subject).toBe('[CRITICAL] unrecognised message on dead-letter queue ops-pipeline-scheduler-dlq');
    expect(w.sent[0]!.body).toContain('reason=no SCHEDULE_ARN message attribute');
    expect(w.sent[0]!.body).toContain('bodyExcerpt={"detail-type":"Order"}');
    const state = (await w.store.read())!.state;
    expect(Object.keys(state.failing)).toEqual([fingerprintOf(result.findings[0]!)]);
    expect(w.log.lines.find((l) => l.level === 'warn')?.fields).toMatchObject({ messageId: stray.messageId, body: '{"detail-type":"Order"}' });
  });

  it('counts a stray message with the other findings in a subject about a schedule', async () => {
    const w = world();
    await handleDeadLetters(w.deps, [deadLetter('nightly', '2026-11-23T14:31:00Z', {}, 'ops'), sqsRecord({}, { body: 'x' })], options());
    expect(w.sent[0]!.subject).toBe('[CRITICAL] invocation failed: ops/nightly: ClusterNotFoundException (+1 more finding)');
  });

  it('does nothing for an empty batch', async () => {
    const w = world();
    const result = await handleDeadLetters(w.deps, [], options());
    expect(result).toMatchObject({ recorded: true, batchItemFailures: [], findings: [] });
    expect(w.sent).toEqual([]);
    expect(await w.store.read()).toBeUndefined();
    expect(metric(w.sink, 'DeadLetterMessages')).toEqual([0]);
  });
});
