/**
 * EventBridge Scheduler calls the sandbox makes: create groups and schedules (seeder), list and read
 * them back in full (firer), delete finished one-time schedules. Maps the SDK shapes to the plain
 * models in src/sandbox/schedule-model.ts.
 */
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  type GetScheduleOutput,
  type SchedulerClient,
  type Target,
} from '@aws-sdk/client-scheduler';
import type { ScheduleDefinition, ScheduleSpec, ScheduleSummaryModel, ScheduleTargetModel } from '../schedule-model.ts';
import { errorName } from '../../aws-error.ts';

export async function createScheduleGroup(client: SchedulerClient, name: string, tags: Record<string, string>): Promise<string> {
  const out = await client.send(
    new CreateScheduleGroupCommand({ Name: name, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }),
  );
  return out.ScheduleGroupArn ?? '';
}

export async function createSchedule(client: SchedulerClient, spec: ScheduleSpec): Promise<string> {
  const out = await client.send(
    new CreateScheduleCommand({
      Name: spec.name,
      GroupName: spec.group,
      ScheduleExpression: spec.expression,
      ...(spec.timezone !== undefined ? { ScheduleExpressionTimezone: spec.timezone } : {}),
      ...(spec.description !== undefined ? { Description: spec.description } : {}),
      ...(spec.startDate !== undefined ? { StartDate: spec.startDate } : {}),
      ...(spec.endDate !== undefined ? { EndDate: spec.endDate } : {}),
      ...(spec.actionAfterCompletion !== undefined ? { ActionAfterCompletion: spec.actionAfterCompletion } : {}),
      ...(spec.kmsKeyArn !== undefined ? { KmsKeyArn: spec.kmsKeyArn } : {}),
      State: spec.state,
      FlexibleTimeWindow:
        spec.flexibleWindow.mode === 'OFF' ? { Mode: 'OFF' } : { Mode: 'FLEXIBLE', MaximumWindowInMinutes: spec.flexibleWindow.maximumWindowInMinutes },
      Target: toSdkTarget(spec.target),
    }),
  );
  return out.ScheduleArn ?? '';
}

export async function listScheduleGroupNames(client: SchedulerClient): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListScheduleGroupsCommand({ ...(token ? { NextToken: token } : {}), MaxResults: 100 }));
    for (const group of page.ScheduleGroups ?? []) if (group.Name) names.push(group.Name);
    token = page.NextToken;
  } while (token);
  return names;
}

/** Every schedule in every group, all pages (ListSchedules without GroupName spans all groups). */
export async function listScheduleSummaries(client: SchedulerClient): Promise<ScheduleSummaryModel[]> {
  const out: ScheduleSummaryModel[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListSchedulesCommand({ ...(token ? { NextToken: token } : {}), MaxResults: 100 }));
    for (const s of page.Schedules ?? []) {
      if (!s.Name || !s.Arn) continue;
      out.push({
        group: s.GroupName ?? 'default',
        name: s.Name,
        arn: s.Arn,
        state: s.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
        targetArn: s.Target?.Arn ?? '',
        ...(s.LastModificationDate ? { lastModificationDate: s.LastModificationDate } : {}),
      });
    }
    token = page.NextToken;
  } while (token);
  return out;
}

/** The full schedule, or undefined when it was deleted between ListSchedules and GetSchedule. */
export async function getScheduleDefinition(client: SchedulerClient, group: string, name: string): Promise<ScheduleDefinition | undefined> {
  try {
    const out = await client.send(new GetScheduleCommand({ GroupName: group, Name: name }));
    return fromGetSchedule(group, name, out);
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

export async function deleteSchedule(client: SchedulerClient, group: string, name: string): Promise<void> {
  try {
    await client.send(new DeleteScheduleCommand({ GroupName: group, Name: name }));
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw error;
  }
}

export function fromGetSchedule(group: string, name: string, out: GetScheduleOutput): ScheduleDefinition {
  const window = out.FlexibleTimeWindow;
  return {
    group: out.GroupName ?? group,
    name: out.Name ?? name,
    arn: out.Arn ?? '',
    ...(out.Description ? { description: out.Description } : {}),
    expression: out.ScheduleExpression ?? '',
    timezone: out.ScheduleExpressionTimezone ?? 'UTC',
    state: out.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    ...(out.StartDate ? { startDate: out.StartDate } : {}),
    ...(out.EndDate ? { endDate: out.EndDate } : {}),
    flexibleWindow:
      window?.Mode === 'FLEXIBLE' && window.MaximumWindowInMinutes !== undefined
        ? { mode: 'FLEXIBLE', maximumWindowInMinutes: window.MaximumWindowInMinutes }
        : { mode: 'OFF' },
    ...(out.ActionAfterCompletion === 'DELETE' || out.ActionAfterCompletion === 'NONE' ? { actionAfterCompletion: out.ActionAfterCompletion } : {}),
    ...(out.KmsKeyArn ? { kmsKeyArn: out.KmsKeyArn } : {}),
    creationDate: out.CreationDate ?? new Date(0),
    lastModificationDate: out.LastModificationDate ?? out.CreationDate ?? new Date(0),
    target: fromSdkTarget(out.Target),
  };
}

function fromSdkTarget(t: Target | undefined): ScheduleTargetModel {
  const ecs = t?.EcsParameters;
  const vpc = ecs?.NetworkConfiguration?.awsvpcConfiguration;
  return {
    arn: t?.Arn ?? '',
    roleArn: t?.RoleArn ?? '',
    ...(t?.Input !== undefined ? { input: t.Input } : {}),
    ...(t?.RetryPolicy
      ? {
          retryPolicy: {
            maximumRetryAttempts: t.RetryPolicy.MaximumRetryAttempts ?? 185,
            maximumEventAgeInSeconds: t.RetryPolicy.MaximumEventAgeInSeconds ?? 86_400,
          },
        }
      : {}),
    ...(t?.DeadLetterConfig?.Arn ? { deadLetterArn: t.DeadLetterConfig.Arn } : {}),
    ...(t?.SqsParameters?.MessageGroupId ? { sqsMessageGroupId: t.SqsParameters.MessageGroupId } : {}),
    ...(t?.EventBridgeParameters?.DetailType && t.EventBridgeParameters.Source
      ? { eventBridge: { detailType: t.EventBridgeParameters.DetailType, source: t.EventBridgeParameters.Source } }
      : {}),
    ...(ecs?.TaskDefinitionArn
      ? {
          ecs: {
            taskDefinitionArn: ecs.TaskDefinitionArn,
            ...(ecs.TaskCount !== undefined ? { taskCount: ecs.TaskCount } : {}),
            ...(ecs.LaunchType ? { launchType: ecs.LaunchType } : {}),
            ...(ecs.CapacityProviderStrategy?.length
              ? {
                  capacityProviderStrategy: ecs.CapacityProviderStrategy.map((item) => ({
                    capacityProvider: item.capacityProvider ?? '',
                    ...(item.weight !== undefined ? { weight: item.weight } : {}),
                    ...(item.base !== undefined ? { base: item.base } : {}),
                  })),
                }
              : {}),
            ...(ecs.PlatformVersion ? { platformVersion: ecs.PlatformVersion } : {}),
            ...(vpc
              ? {
                  network: {
                    subnets: vpc.Subnets ?? [],
                    ...(vpc.SecurityGroups ? { securityGroups: vpc.SecurityGroups } : {}),
                    ...(vpc.AssignPublicIp ? { assignPublicIp: vpc.AssignPublicIp } : {}),
                  },
                }
              : {}),
            ...(ecs.Group ? { group: ecs.Group } : {}),
            // Scheduler models ECS tags as a list of one-entry maps.
            ...(ecs.Tags?.length ? { tags: Object.assign({}, ...ecs.Tags) as Record<string, string> } : {}),
            ...(ecs.EnableECSManagedTags !== undefined ? { enableEcsManagedTags: ecs.EnableECSManagedTags } : {}),
            ...(ecs.EnableExecuteCommand !== undefined ? { enableExecuteCommand: ecs.EnableExecuteCommand } : {}),
            ...(ecs.PropagateTags === 'TASK_DEFINITION' ? { propagateTags: ecs.PropagateTags } : {}),
            ...(ecs.ReferenceId ? { referenceId: ecs.ReferenceId } : {}),
          },
        }
      : {}),
  };
}

export function toSdkTarget(t: ScheduleTargetModel): Target {
  const ecs = t.ecs;
  return {
    Arn: t.arn,
    RoleArn: t.roleArn,
    ...(t.input !== undefined ? { Input: t.input } : {}),
    ...(t.retryPolicy
      ? { RetryPolicy: { MaximumRetryAttempts: t.retryPolicy.maximumRetryAttempts, MaximumEventAgeInSeconds: t.retryPolicy.maximumEventAgeInSeconds } }
      : {}),
    ...(t.deadLetterArn ? { DeadLetterConfig: { Arn: t.deadLetterArn } } : {}),
    ...(t.sqsMessageGroupId ? { SqsParameters: { MessageGroupId: t.sqsMessageGroupId } } : {}),
    ...(t.eventBridge ? { EventBridgeParameters: { DetailType: t.eventBridge.detailType, Source: t.eventBridge.source } } : {}),
    ...(ecs
      ? {
          EcsParameters: {
            TaskDefinitionArn: ecs.taskDefinitionArn,
            ...(ecs.taskCount !== undefined ? { TaskCount: ecs.taskCount } : {}),
            ...(ecs.launchType ? { LaunchType: ecs.launchType } : {}),
            ...(ecs.capacityProviderStrategy ? { CapacityProviderStrategy: ecs.capacityProviderStrategy } : {}),
            ...(ecs.platformVersion ? { PlatformVersion: ecs.platformVersion } : {}),
            ...(ecs.network
              ? {
                  NetworkConfiguration: {
                    awsvpcConfiguration: {
                      Subnets: ecs.network.subnets,
                      ...(ecs.network.securityGroups ? { SecurityGroups: ecs.network.securityGroups } : {}),
                      ...(ecs.network.assignPublicIp ? { AssignPublicIp: ecs.network.assignPublicIp } : {}),
                    },
                  },
                }
              : {}),
            ...(ecs.group ? { Group: ecs.group } : {}),
            ...(ecs.tags ? { Tags: Object.entries(ecs.tags).map(([key, value]) => ({ [key]: value })) } : {}),
            ...(ecs.enableEcsManagedTags !== undefined ? { EnableECSManagedTags: ecs.enableEcsManagedTags } : {}),
            ...(ecs.enableExecuteCommand !== undefined ? { EnableExecuteCommand: ecs.enableExecuteCommand } : {}),
            ...(ecs.propagateTags ? { PropagateTags: ecs.propagateTags } : {}),
            ...(ecs.referenceId ? { ReferenceId: ecs.referenceId } : {}),
          },
        }
      : {}),
  };
}
