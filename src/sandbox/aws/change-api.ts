/**
 * The change detector's calls (../change-events.ts) over the SDK, and the sandbox's change rule: on
 * the default bus, with the stack's pattern (src/checks/change-event.ts), delivering to an SQS queue
 * as the deployed rule does (infra/change-checks.ts); the change consumer (../change-consumer.ts)
 * reads it in batches in the place of the healthcheck Lambda's event source. Created idempotently:
 * PutRule and PutTargets replace, CreateQueue returns the existing queue.
 */
import { DescribeClustersCommand, ListClustersCommand, ListTaskDefinitionsCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { changeEventPattern } from '../../checks/change-event.ts';
import { FaultError } from '../../errors.ts';
import type { ChangeEventEntry, ChangeWatchPorts, ClusterSeen } from '../change-events.ts';
import { listScheduleSummaries } from './scheduler-api.ts';

export const SandboxChangeNames = {
  rule: 'ops-sandbox-schedule-changes',
  queue: 'ops-sandbox-schedule-changes',
} as const;

export interface ChangeTopology {
  ruleName: string;
  queueUrl: string;
  queueArn: string;
}

export async function ensureChangeTopology(clients: { eventbridge: EventBridgeClient; sqs: SQSClient }): Promise<ChangeTopology> {
  const { QueueUrl: queueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: SandboxChangeNames.queue }));
  if (queueUrl === undefined) throw new FaultError('SANDBOX_QUEUE_MISSING', `CreateQueue ${SandboxChangeNames.queue} returned no URL.`);
  const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = Attributes?.QueueArn;
  if (queueArn === undefined) throw new FaultError('SANDBOX_QUEUE_MISSING', `Queue ${SandboxChangeNames.queue} has no QueueArn.`);
  await clients.eventbridge.send(new PutRuleCommand({ Name: SandboxChangeNames.rule, EventPattern: JSON.stringify(changeEventPattern()), Description: 'CloudTrail changes → the scoped healthcheck (sandbox)' }));
  await clients.eventbridge.send(new PutTargetsCommand({ Rule: SandboxChangeNames.rule, Targets: [{ Id: 'healthcheck', Arn: queueArn }] }));
  return { ruleName: SandboxChangeNames.rule, queueUrl, queueArn };
}

export function createChangeWatchPorts(clients: { scheduler: SchedulerClient; ecs: ECSClient; eventbridge: EventBridgeClient }): ChangeWatchPorts {
  return {
    listSchedules: () => listScheduleSummaries(clients.scheduler),
    async listClusters() {
      const arns: string[] = [];
      let token: string | undefined;
      do {
        const page = await clients.ecs.send(new ListClustersCommand({ ...(token ? { nextToken: token } : {}) }));
        arns.push(...(page.clusterArns ?? []));
        token = page.nextToken;
      } while (token);
      const seen: ClusterSeen[] = [];
      for (let i = 0; i < arns.length; i += 100) {
        const out = await clients.ecs.send(new DescribeClustersCommand({ clusters: arns.slice(i, i + 100) }));
        for (const c of out.clusters ?? []) if (c.clusterArn !== undefined) seen.push({ arn: c.clusterArn, status: c.status ?? 'UNKNOWN' });
      }
      return seen;
    },
    async listActiveTaskDefinitions() {
      const arns: string[] = [];
      let token: string | undefined;
      do {
        const page = await clients.ecs.send(new ListTaskDefinitionsCommand({ status: 'ACTIVE', ...(token ? { nextToken: token } : {}) }));
        arns.push(...(page.taskDefinitionArns ?? []));
        token = page.nextToken;
      } while (token);
      return arns;
    },
    async putEvents(entries: readonly ChangeEventEntry[]) {
      // PutEvents takes 10 entries per call and answers 200 with FailedEntryCount when some failed.
      for (let i = 0; i < entries.length; i += 10) {
        const batch = entries.slice(i, i + 10);
        const out = await clients.eventbridge.send(
          new PutEventsCommand({ Entries: batch.map((e) => ({ Source: e.source, DetailType: e.detailType, Time: e.time, Detail: JSON.stringify(e.detail) })) }),
        );
        const failed = (out.Entries ?? []).filter((e) => e.ErrorCode !== undefined);
        if ((out.FailedEntryCount ?? 0) > 0 || failed.length > 0) {
          throw new FaultError('SANDBOX_CHANGE_EVENTS_FAILED', `EventBridge did not accept ${out.FailedEntryCount ?? failed.length} change event(s): ${failed[0]?.ErrorCode ?? 'unknown'} ${failed[0]?.ErrorMessage ?? ''}`.trim());
        }
      }
    },
  };
}
