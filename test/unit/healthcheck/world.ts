/**
 * A small AWS account for healthcheck unit tests: the remediation's fakeAws (Scheduler with
 * UpdateSchedule semantics, ECS clusters, IAM, Lambda, SQS, CloudWatch, STS behind aws-sdk-client-mock)
 * plus SNS, so runHealthcheck runs the real adapters end to end without a network. restore() when done.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { MemoryAlertStateStore } from '../../../src/alerts/index.ts';
import { createAwsClients } from '../../../src/aws/clients.ts';
import type { ClusterFacts } from '../../../src/checks/model.ts';
import { createHealthcheckDeps } from '../../../src/entry/wiring/healthcheck-aws.ts';
import { recordingLog, recordingSink, type RecordingLog, type RecordingSink } from '../../../src/healthcheck/ports.ts';
import type { HealthcheckDeps, HealthcheckOptions } from '../../../src/healthcheck/run-healthcheck.ts';
import { nyse } from '../../../src/market/index.ts';
import type { RawSchedule } from '../../../src/remediate/schedule-document.ts';
import { fakeAws, type FakeAws } from '../remediate/fake-aws.ts';
import { activeCluster, clusterArn, ecsSchedule, lambdaSchedule, memoryAudit, memoryBackups, type MemoryAudit, type MemoryBackups } from '../remediate/fakes.ts';

export const REGION = 'us-west-2';
export const TOPIC_ARN = `arn:aws:sns:${REGION}:123456789012:ops-alerts`;
/** Monday 2026-11-23 10:00 New York: the market is open. */
export const NOW = new Date('2026-11-23T15:00:00Z');
export const TO = clusterArn('ops-pipeline-cluster');

export const dispatcher = ecsSchedule('ops-pipeline-market', 'ops-pipeline-dispatcher');
export const telemetry = ecsSchedule('ops-pipeline', 'ops-pipeline-telemetry-ingestor-1m', { ScheduleExpression: 'rate(1 minute)', ScheduleExpressionTimezone: 'UTC' });
export const alertChecker = lambdaSchedule('ops-pipeline-market', 'trade-alert-checker');

export interface PublishedEmail {
  TopicArn?: string;
  Subject?: string;
  Message?: string;
}

export interface World {
  aws: FakeAws;
  published: PublishedEmail[];
  /** Makes every Publish fail with this error from now on. */
  failPublish(error: Error | undefined): void;
  store: MemoryAlertStateStore;
  sink: RecordingSink;
  log: RecordingLog;
  backups: MemoryBackups;
  audit: MemoryAudit;
  deps: HealthcheckDeps;
  restore(): void;
}

export function world(options: { schedules?: RawSchedule[]; clusters?: ClusterFacts[] } = {}): World {
  const aws = fakeAws({
    schedules: options.schedules ?? [dispatcher, telemetry, alertChecker],
    clusters: options.clusters ?? [activeCluster('ops-pipeline-cluster'), activeCluster('market-data')],
    groups: ['ops-pipeline-market', 'ops-pipeline'],
  });
  const published: PublishedEmail[] = [];
  let publishError: Error | undefined;
  const sns = mockClient(SNSClient);
  sns.on(PublishCommand).callsFake((input: PublishedEmail) => {
    if (publishError) throw publishError;
    published.push(input);
    return { MessageId: `m-${published.length}` };
  });
  const clients = createAwsClients({ region: REGION }, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
  const store = new MemoryAlertStateStore();
  const sink = recordingSink();
  const log = recordingLog();
  const backups = memoryBackups();
  const audit = memoryAudit();
  const deps = createHealthcheckDeps(clients, { metrics: sink, log, alerts: { store, topicArn: TOPIC_ARN }, remediation: { backups, audit } });
  return {
    aws,
    published,
    failPublish: (error) => void (publishError = error),
    store,
    sink,
    log,
    backups,
    audit,
    deps,
    restore() {
      aws.restore();
      sns.restore();
    },
  };
}

export function options(overrides: Partial<HealthcheckOptions> = {}): HealthcheckOptions {
  return {
    runId: 'hc-test',
    now: NOW,
    region: REGION,
    calendar: nyse,
    marketCriticalPatterns: ['ops-pipeline-dispatcher*'],
    notify: true,
    alert: { minSeverity: 'critical', reminderHours: 2 },
    autoFix: false,
    maxChanges: 25,
    ...overrides,
  };
}

/** The recorded value of a metric (without dimensions unless given). */
export function metricValue(sink: RecordingSink, name: string, dimensions?: Record<string, string>): number | undefined {
  const found = sink.data.filter((d) => d.name === name && JSON.stringify(d.dimensions ?? {}) === JSON.stringify(dimensions ?? {}));
  if (found.length > 1) throw new Error(`${name} recorded ${found.length} times`);
  return found[0]?.value;
}
