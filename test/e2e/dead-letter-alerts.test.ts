/**
 * Dead-letter alerts on the sandbox, end to end: a schedule whose target cluster does not exist fires
 * on the virtual clock, the firer puts Scheduler's dead-letter event on the schedule's DLQ, and the
 * sandbox's SQS event source hands it to the dead-letter Lambda's own handler (module scope, config,
 * Powertools exactly as deployed, pointed at moto through AWS_ENDPOINT_URL). Emails are read back from
 * the topic's capture queue.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoAlertStateStore, ensureAlertStateTable } from '../../src/aws/alert-state-store.ts';
import { fingerprintOf } from '../../src/alerts/index.ts';
import type { SqsBatchHandler } from '../../src/sandbox/dead-letter-consumer.ts';
import { createDeadLetterConsumer } from '../../src/sandbox/dead-letter-consumer.ts';
import { createDeadLetterQueuePort } from '../../src/sandbox/aws/dead-letter-queue-api.ts';
import { keepSubjects, readInbox } from '../../src/sandbox/aws/inbox.ts';
import { createFirer, type Firer } from '../../src/sandbox/firer.ts';
import { resetSandbox } from '../../src/sandbox/moto-server.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { validateScenario } from '../../src/sandbox/scenario.ts';
import { seedScenario, type SeedResult } from '../../src/sandbox/seed.ts';
import type { AwsClients } from '../../src/aws/clients.ts';
import type { VirtualClock } from '../../src/sandbox/virtual-clock.ts';
import { captureOutput, type OutputCapture } from '../unit/healthcheck/output-capture.ts';
import { motoEndpoint, sandboxClock } from './sandbox-harness.ts';

// Monday 2026-11-23; the schedule is due at 14:30Z (09:30 in New York) every day.
const START = new Date('2026-11-23T14:00:00Z');
const DUE = '2026-11-23T14:30:00Z';
const NEXT_DUE = '2026-11-24T14:30:00Z';
const ALERT_TABLE = 'ops-alert-state';
const INPUT = { containerOverrides: [{ name: 'app', environment: [{ name: 'REPORT', value: 'nightly' }] }] };

const scenario = validateScenario(
  {
    name: 'dead-letter-alerts',
    description: 'One ECS schedule pointing at a cluster that does not exist, with a dead-letter queue.',
    region: 'us-west-2',
    roles: [{ name: 'ops-e2e-scheduler-role', trust: 'scheduler', actions: ['ecs:RunTask', 'iam:PassRole', 'sqs:SendMessage'] }],
    taskDefinitions: [{ family: 'nightly-report', containers: [{ name: 'app', image: 'ops/nightly-report:latest', memory: 512 }] }],
    queues: [{ name: 'ops-e2e-scheduler-dlq' }],
    topics: [{ name: 'ops-e2e-alerts' }],
    scheduleGroups: [{ name: 'ops-e2e' }],
    schedules: [
      {
        name: 'nightly-report',
        group: 'ops-e2e',
        expression: 'cron(30 14 * * ? *)',
        role: 'ops-e2e-scheduler-role',
        deadLetterQueue: 'ops-e2e-scheduler-dlq',
        target: { kind: 'ecs', cluster: 'ghost-cluster', taskDefinition: 'nightly-report', input: INPUT },
        plantedFault: 'TARGET_CLUSTER_NOT_FOUND',
      },
    ],
  },
  'dead-letter-alerts e2e',
);

type Handler = SqsBatchHandler;

let endpoint: string;
let clients: AwsClients;
let seed: SeedResult;
let firer: Firer;
let clock: VirtualClock;
let output: OutputCapture;

const dlq = () => seed.queues['ops-e2e-scheduler-dlq']!;
const topic = () => seed.topics['ops-e2e-alerts']!;
const scheduleArn = () => seed.schedules[0]!.arn;

/** A cold start of the Lambda module with this environment. */
async function coldStart(env: Record<string, string>): Promise<Handler> {
  const base: Record<string, string> = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: scenario.region,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_PROFILE: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    ALERT_TOPIC_ARN: topic().arn,
    ALERT_STATE_TABLE: ALERT_TABLE,
    POWERTOOLS_DEV: '',
  };
  for (const [key, value] of Object.entries({ ...base, ...env })) vi.stubEnv(key, value);
  vi.resetModules();
  const { handler } = await import('../../src/entry/lambda/dead-letter-alerts.ts');
  return handler;
}

function consumerFor(handler: Handler) {
  return createDeadLetterConsumer({ port: createDeadLetterQueuePort(clients.sqs), queueUrls: [dlq().url], handler, region: scenario.region });
}

/** Looks at the queue without consuming (visibility timeout 0). */
async function peek(): Promise<Message[]> {
  const out = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq().url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
  return out.Messages ?? [];
}

/**
 * SQS makes a released message visible again at once; moto's clock stands still at the virtual instant
 * (src/sandbox/moto-clock.ts), so "at once" comes when the sandbox's time moves on by a second.
 */
function tick(): void {
  clock.set(new Date(clock.now().getTime() + 1_000));
}

async function depth(): Promise<{ visible: number; inFlight: number }> {
  const out = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq().url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(out.Attributes?.ApproximateNumberOfMessages), inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible) };
}

function stateStore(key: string): DynamoAlertStateStore {
  return new DynamoAlertStateStore({ client: clients.dynamodb, tableName: ALERT_TABLE, key });
}

beforeAll(async () => {
  endpoint = motoEndpoint();
  await resetSandbox(endpoint);
  clients = createSandboxClients(endpoint, scenario.region);
  clock = sandboxClock(START);
  seed = await seedScenario(scenario, { clients, endpoint });
  await ensureAlertStateTable(clients.dynamodb, ALERT_TABLE);
  await keepSubjects(clients.sns, topic().arn);
  firer = createFirer({ clients, clock, account: seed.account, region: scenario.region });
});

beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe('a failed invocation of a schedule with a dead-letter queue', () => {
  it('lands in the DLQ with Scheduler’s documented attributes, SCHEDULED_TIME the scheduled fire time', async () => {
    const summary = await firer.advanceTo(new Date('2026-11-23T14:31:00Z'));
    expect(summary).toMatchObject({ invocations: 1, failed: 1, deadLettered: 1, errorsByCode: { ClusterNotFoundException: 1 } });

    const [message, ...more] = await peek();
    expect(more).toEqual([]);
    const attributes = message!.MessageAttributes ?? {};
    expect(Object.values(attributes).every((a) => a.DataType === 'String')).toBe(true);
    const values = Object.fromEntries(Object.entries(attributes).map(([name, a]) => [name, a.StringValue ?? '']));
    expect(values.ERROR_MESSAGE).toMatch(/cluster/i);
    expect(values.EXECUTION_ID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect({ ...values, ERROR_MESSAGE: '(checked)', EXECUTION_ID: '(checked)' }).toEqual({
      ERROR_CODE: 'ClusterNotFoundException',
      ERROR_MESSAGE: '(checked)',
      EXECUTION_ID: '(checked)',
      IS_PAYLOAD_TRUNCATED: 'false',
      RETRY_ATTEMPTS: '0',
      SCHEDULED_TIME: DUE,
      SCHEDULE_ARN: scheduleArn(),
      TARGET_ARN: `arn:aws:ecs:${scenario.region}:${seed.account}:cluster/ghost-cluster`,
    });
    // The body is the target's input payload.
    expect(JSON.parse(message!.Body ?? '')).toEqual(INPUT);
  });

  it('is alerted on once by the consumer, naming the schedule, the scheduled time and the error code; the queue is then empty', async () => {
    const handler = await coldStart({});

    const drained = await consumerFor(handler).drain();

    expect(drained).toMatchObject({ received: 1, deleted: 1, kept: 0 });
    const emails = await readInbox(clients.sqs, topic().captureQueueUrl);
    expect(emails).toHaveLength(1);
    const [email] = emails;
    expect(email!.subject).toBe('[CRITICAL] invocation failed: ops-e2e/nightly-report: ClusterNotFoundException');
    expect(email!.body).toMatch(/ops-e2e\/nightly-report +critical +new +INVOCATION_FAILED +scheduledTime=2026-11-23 09:30 ET; errorCode=ClusterNotFoundException/);
    expect(email!.body).toContain('ops check-schedulers --group ops-e2e --name-prefix nightly-report');
    expect(email!.body).toContain('runbooks/INVOCATION_FAILED.md');
    expect(await peek()).toEqual([]);
    expect(await depth()).toEqual({ visible: 0, inFlight: 0 });
    const stored = await stateStore('healthcheck').read();
    expect(stored?.state.lastSentKind).toBe('alert');
    expect(Object.keys(stored?.state.failing ?? {})).toEqual([`INVOCATION_FAILED schedule:${scheduleArn()}`]);
    expect(output.logs().map((l) => l.message)).toEqual(['dead letter received', 'dead-letter alert published']);
  });

  it('stays in the queue when SNS publish fails, with no alert recorded as sent, and alerts once SNS is back', async () => {
    const summary = await firer.advanceTo(new Date('2026-11-24T14:31:00Z'));
    expect(summary.deadLettered).toBe(1);
    // A stream of its own, so the alert is new to it; and a topic that does not exist.
    const broken = await coldStart({ ALERT_STATE_KEY: 'e2e-sns-down', ALERT_TOPIC_ARN: `arn:aws:sns:${scenario.region}:${seed.account}:ops-e2e-no-such-topic` });

    const failed = await consumerFor(broken).drain();

    expect(failed).toMatchObject({ received: 1, deleted: 0, kept: 1 });
    tick();
    const [kept, ...more] = await peek();
    expect(more).toEqual([]);
    expect(kept!.MessageAttributes?.SCHEDULED_TIME?.StringValue).toBe(NEXT_DUE);
    expect(await readInbox(clients.sqs, topic().captureQueueUrl)).toEqual([]);
    const stored = await stateStore('e2e-sns-down').read();
    expect(stored?.state.lastSentKind).toBeUndefined();
    expect(stored?.state.failing ?? {}).toEqual({});
    expect(output.logs().some((l) => l.message === 'alert not recorded: the messages stay in the queue')).toBe(true);

    const fixed = await coldStart({ ALERT_STATE_KEY: 'e2e-sns-down' });
    const retried = await consumerFor(fixed).drain();

    expect(retried).toMatchObject({ received: 1, deleted: 1, kept: 0 });
    const emails = await readInbox(clients.sqs, topic().captureQueueUrl);
    expect(emails.map((e) => e.subject)).toEqual(['[CRITICAL] invocation failed: ops-e2e/nightly-report: ClusterNotFoundException']);
    expect(emails[0]!.body).toContain('scheduledTime=2026-11-24 09:30 ET');
    expect(await depth()).toEqual({ visible: 0, inFlight: 0 });
    const after = await stateStore('e2e-sns-down').read();
    expect(after?.state.lastSentKind).toBe('alert');
    expect(Object.keys(after?.state.failing ?? {})).toEqual([fingerprintOf({ code: 'INVOCATION_FAILED', severity: 'critical', schedule: { group: 'ops-e2e', name: 'nightly-report', arn: scheduleArn() }, message: '', evidence: {}, fix: '', runbook: '' })]);
  });
});
