/**
 * The target calls EventBridge Scheduler makes on a schedule's behalf (ECS RunTask, Lambda, SQS, SNS,
 * EventBridge), for the sandbox firer. A failed target call comes back as data with the service's
 * error code and HTTP status; the firer decides retry, dead-letter and metrics from it.
 *
 * Give it clients with maxAttempts 1: the firer simulates Scheduler's retry policy itself and counts
 * every attempt, so SDK-level retries would hide attempts.
 */
import {
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  RunTaskCommand,
  type ECSClient,
  type Failure,
  type RunTaskCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ResourceStatus, RunTaskOutput, RunTaskRequest, TargetError, TargetPort, TargetResult } from '../firer-ports.ts';
import { iamRoleParts, sqsQueueParts } from '../../arn.ts';
import { errorMessage, errorName } from '../../aws-error.ts';

export interface TargetClients {
  ecs: ECSClient;
  iam: IAMClient;
  lambda: LambdaClient;
  sqs: SQSClient;
  sns: SNSClient;
  eventbridge: EventBridgeClient;
}

export function toTargetError(error: unknown): TargetError {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return { code: errorName(error), message: errorMessage(error), ...(status !== undefined ? { httpStatus: status } : {}) };
}

async function attempt<T>(call: () => Promise<T>): Promise<TargetResult<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error: toTargetError(error) };
  }
}

export function createTargetPort(clients: TargetClients): TargetPort {
  const queueUrls = new Map<string, string>();
  const queueUrl = async (queueArn: string): Promise<string> => {
    const known = queueUrls.get(queueArn);
    if (known !== undefined) return known;
    const parts = sqsQueueParts(queueArn);
    if (parts === undefined) throw Object.assign(new Error(`"${queueArn}" is not an SQS queue ARN.`), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    const out = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: parts.name, QueueOwnerAWSAccountId: parts.account }));
    const url = out.QueueUrl ?? '';
    queueUrls.set(queueArn, url);
    return url;
  };

  return {
    async roleExists(roleArn) {
      const parts = iamRoleParts(roleArn);
      if (parts === undefined) return false;
      try {
        await clients.iam.send(new GetRoleCommand({ RoleName: parts.name }));
        return true;
      } catch (error) {
        if (errorName(error) === 'NoSuchEntity' || errorName(error) === 'NoSuchEntityException') return false;
        throw error;
      }
    },

    async clusterStatus(clusterArn): Promise<ResourceStatus> {
      const out = await clients.ecs.send(new DescribeClustersCommand({ clusters: [clusterArn] }));
      return out.clusters?.[0]?.status ?? 'MISSING';
    },

    async taskDefinitionStatus(taskDefinitionArn): Promise<ResourceStatus> {
      try {
        const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }));
        return out.taskDefinition?.status ?? 'MISSING';
      } catch (error) {
        // ECS (and moto) answer an unknown task definition with ClientException "Unable to describe task definition."
        if (errorName(error) === 'ClientException') return 'MISSING';
        throw error;
      }
    },

    runTask: (request) => attempt(async () => toRunTaskOutput(await clients.ecs.send(new RunTaskCommand(toRunTaskInput(request))))),

    getFunction: (functionArn) =>
      attempt(async () => {
        const out = await clients.lambda.send(new GetFunctionCommand({ FunctionName: functionArn }));
        return { functionArn: out.Configuration?.FunctionArn ?? functionArn };
      }),

    sendMessage: (queueArn, body, options = {}) =>
      attempt(async () => {
        const out = await clients.sqs.send(
          new SendMessageCommand({
            QueueUrl: await queueUrl(queueArn),
            MessageBody: body,
            ...(options.messageGroupId ? { MessageGroupId: options.messageGroupId } : {}),
            ...(options.attributes
              ? {
                  MessageAttributes: Object.fromEntries(
                    Object.entries(options.attributes).map(([key, value]) => [key, { DataType: 'String', StringValue: value }]),
                  ),
                }
              : {}),
          }),
        );
        return { messageId: out.MessageId ?? '' };
      }),

    publish: (topicArn, message) =>
      attempt(async () => {
        const out = await clients.sns.send(new PublishCommand({ TopicArn: topicArn, Message: message }));
        return { messageId: out.MessageId ?? '' };
      }),

    putEvent: (busArn, entry) =>
      attempt(async () => {
        const out = await clients.eventbridge.send(
          new PutEventsCommand({ Entries: [{ EventBusName: busArn, Source: entry.source, DetailType: entry.detailType, Detail: entry.detail, Time: entry.time }] }),
        );
        const result = out.Entries?.[0];
        if ((out.FailedEntryCount ?? 0) > 0 || result?.EventId === undefined) {
          throw Object.assign(new Error(result?.ErrorMessage ?? 'PutEvents rejected the entry'), {
            name: result?.ErrorCode ?? 'PutEventsFailed',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return { eventId: result.EventId };
      }),
  };
}

export function toRunTaskInput(request: RunTaskRequest): RunTaskCommandInput {
  // moto quirk: RunTask places Fargate tasks only with launchType FARGATE; with a FARGATE capacity
  // provider strategy it looks for EC2 container instances and fails with HTTP 500. Fargate capacity
  // providers mean Fargate, so say so to moto.
  const fargateStrategy =
    request.capacityProviderStrategy !== undefined &&
    request.capacityProviderStrategy.length > 0 &&
    request.capacityProviderStrategy.every((item) => item.capacityProvider === 'FARGATE' || item.capacityProvider === 'FARGATE_SPOT');
  const launchType = request.launchType ?? (fargateStrategy ? 'FARGATE' : undefined);
  return {
    cluster: request.cluster,
    taskDefinition: request.taskDefinition,
    count: request.count,
    startedBy: request.startedBy,
    ...(launchType ? { launchType } : {}),
    ...(!fargateStrategy && request.capacityProviderStrategy ? { capacityProviderStrategy: request.capacityProviderStrategy } : {}),
    ...(request.platformVersion ? { platformVersion: request.platformVersion } : {}),
    ...(request.network
      ? {
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: request.network.subnets,
              // moto quirk: a missing securityGroups key is a KeyError (HTTP 500); an empty list is fine.
              securityGroups: request.network.securityGroups ?? [],
              ...(request.network.assignPublicIp ? { assignPublicIp: request.network.assignPublicIp } : {}),
            },
          },
        }
      : {}),
    ...(request.group ? { group: request.group } : {}),
    ...(request.tags ? { tags: Object.entries(request.tags).map(([key, value]) => ({ key, value })) } : {}),
    ...(request.enableEcsManagedTags !== undefined ? { enableECSManagedTags: request.enableEcsManagedTags } : {}),
    ...(request.enableExecuteCommand !== undefined ? { enableExecuteCommand: request.enableExecuteCommand } : {}),
    ...(request.propagateTags ? { propagateTags: request.propagateTags } : {}),
    ...(request.referenceId ? { referenceId: request.referenceId } : {}),
    // The schedule's Input, already checked to have TaskOverride's keys (src/sandbox/ecs-invocation.ts).
    ...(request.overrides ? { overrides: request.overrides } : {}),
  };
}

function toRunTaskOutput(out: { tasks?: Task[]; failures?: Failure[] }): RunTaskOutput {
  return {
    tasks: (out.tasks ?? []).map((task) => ({
      taskArn: task.taskArn ?? '',
      clusterArn: task.clusterArn ?? '',
      taskDefinitionArn: task.taskDefinitionArn ?? '',
      lastStatus: task.lastStatus ?? 'PROVISIONING',
      desiredStatus: task.desiredStatus ?? 'RUNNING',
      ...(task.launchType ? { launchType: task.launchType } : {}),
      ...(task.group ? { group: task.group } : {}),
      ...(task.startedBy ? { startedBy: task.startedBy } : {}),
      ...(task.platformVersion ? { platformVersion: task.platformVersion } : {}),
      ...(task.availabilityZone ? { availabilityZone: task.availabilityZone } : {}),
      containers: (task.containers ?? []).map((c) => ({
        ...(c.containerArn ? { containerArn: c.containerArn } : {}),
        ...(c.name ? { name: c.name } : {}),
        ...(c.lastStatus ? { lastStatus: c.lastStatus } : {}),
      })),
    })),
    failures: (out.failures ?? []).map((f) => ({ ...(f.arn ? { arn: f.arn } : {}), ...(f.reason ? { reason: f.reason } : {}), ...(f.detail ? { detail: f.detail } : {}) })),
  };
}
