/**
 * The create calls that seed a sandbox scenario, through the real AWS APIs (moto answers them like
 * AWS would, so the same seeder works against LocalStack or a scratch account).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateClusterCommand, DeleteClusterCommand, DeregisterTaskDefinitionCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { UserError } from '../../errors.ts';
import type { SeederPort } from '../seeder-port.ts';
import { ensureRunLedgerTable } from '../../aws/run-ledger-store.ts';
import { lookupSandboxDefaultVpc } from './default-vpc.ts';
import { createSchedule, createScheduleGroup } from './scheduler-api.ts';

export interface SeederClients {
  sts: STSClient;
  iam: IAMClient;
  ecs: ECSClient;
  lambda: LambdaClient;
  sqs: SQSClient;
  sns: SNSClient;
  scheduler: SchedulerClient;
  dynamodb: DynamoDBClient;
}

export interface SeederPortOptions {
  region: string;
  /** The sandbox endpoint: needed to look up moto's default VPC (no EC2 SDK client here). */
  endpoint?: string;
}

export function createSeederPort(clients: SeederClients, options: SeederPortOptions): SeederPort {
  return {
    async accountId() {
      const out = await clients.sts.send(new GetCallerIdentityCommand({}));
      return out.Account ?? '123456789012';
    },

    async createRole({ name, trustService, actions }) {
      const trust = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: `${trustService}.amazonaws.com` }, Action: 'sts:AssumeRole' }],
      };
      const out = await clients.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
      if (actions.length > 0) {
        const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [...actions], Resource: '*' }] };
        await clients.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: `${name}-policy`, PolicyDocument: JSON.stringify(policy) }));
      }
      return out.Role?.Arn ?? '';
    },

    async createCluster({ name, tags }) {
      const out = await clients.ecs.send(
        new CreateClusterCommand({ clusterName: name, ...(tags ? { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) } : {}) }),
      );
      return out.cluster?.clusterArn ?? '';
    },

    async deleteCluster(name) {
      await clients.ecs.send(new DeleteClusterCommand({ cluster: name }));
    },

    async registerTaskDefinition(td) {
      const out = await clients.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: td.family,
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: td.cpu,
          memory: td.memory,
          ...(td.executionRoleArn ? { executionRoleArn: td.executionRoleArn } : {}),
          ...(td.taskRoleArn ? { taskRoleArn: td.taskRoleArn } : {}),
          containerDefinitions: td.containers.map((c) => ({
            name: c.name,
            image: c.image,
            essential: true,
            // moto quirk: container-level memory is required for RunTask (task-level alone → HTTP 500).
            memory: c.memory,
            ...(c.cpu !== undefined ? { cpu: c.cpu } : {}),
            ...(c.command ? { command: c.command } : {}),
            ...(c.environment ? { environment: Object.entries(c.environment).map(([n, value]) => ({ name: n, value })) } : {}),
          })),
        }),
      );
      return out.taskDefinition?.taskDefinitionArn ?? '';
    },

    async deregisterTaskDefinition(arn) {
      await clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    },

    async createFunction(fn) {
      const out = await clients.lambda.send(
        new CreateFunctionCommand({
          FunctionName: fn.name,
          Runtime: fn.runtime as never,
          Role: fn.roleArn,
          Handler: fn.handler,
          ...(fn.description ? { Description: fn.description } : {}),
          Code: { ZipFile: fn.zip },
        }),
      );
      return out.FunctionArn ?? '';
    },

    async createQueue(name) {
      const created = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
      const url = created.QueueUrl ?? '';
      const attrs = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
      return { url, arn: attrs.Attributes?.QueueArn ?? '' };
    },

    async createTopic(name) {
      const out = await clients.sns.send(new CreateTopicCommand({ Name: name }));
      return out.TopicArn ?? '';
    },

    async subscribeQueue(topicArn, queueArn) {
      await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
    },

    createScheduleGroup: (name, tags) => createScheduleGroup(clients.scheduler, name, tags),
    createSchedule: (spec) => createSchedule(clients.scheduler, spec),

    async ensureRunLedgerTable(tableName) {
      await ensureRunLedgerTable(clients.dynamodb, tableName);
    },

    async defaultVpc() {
      if (options.endpoint === undefined) {
        throw new UserError(
          'NO_DEFAULT_VPC_LOOKUP',
          'The scenario uses `network: default`, which is resolved only against the local sandbox endpoint.',
          'Run against `ops sandbox up`, or list subnet and security group IDs in the scenario.',
        );
      }
      const vpc = await lookupSandboxDefaultVpc(options.endpoint, options.region);
      return { subnetIds: vpc.subnetIds, securityGroupIds: vpc.securityGroupIds };
    },
  };
}
