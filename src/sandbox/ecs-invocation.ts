/**
 * How EventBridge Scheduler turns an ECS-target schedule into a RunTask call, and the ECS "Task State
 * Change" event the sandbox synthesises for each task started. Pure.
 */
import { randomUUID } from 'node:crypto';
import { startedByFor } from '../ledger/index.ts';
import type { RunTaskRequest, StartedTask } from './firer-ports.ts';
import type { ScheduleDefinition } from './schedule-model.ts';

/** Keys of ECS's TaskOverride; an Input object made only of these is taken as overrides. */
const TASK_OVERRIDE_KEYS: ReadonlySet<string> = new Set([
  'containerOverrides',
  'cpu',
  'memory',
  'taskRoleArn',
  'executionRoleArn',
  'ephemeralStorage',
  'inferenceAcceleratorOverrides',
]);

/**
 * The schedule's Input as ECS task overrides, or undefined. Scheduler's templated ECS target has no
 * documented mapping for Input; the sandbox passes an Input that is a TaskOverride (JSON object whose
 * keys are all TaskOverride keys, e.g. {"containerOverrides":[...]}) as RunTask `overrides`, the way
 * EventBridge rules do for ECS targets, and ignores any other Input (recorded in the invocation log).
 */
export function taskOverridesFromInput(input: string | undefined): Record<string, unknown> | undefined {
  if (input === undefined || input.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const keys = Object.keys(parsed);
  return keys.length > 0 && keys.every((key) => TASK_OVERRIDE_KEYS.has(key)) ? (parsed as Record<string, unknown>) : undefined;
}

export function runTaskRequestFor(schedule: ScheduleDefinition): RunTaskRequest {
  const ecs = schedule.target.ecs;
  const overrides = taskOverridesFromInput(schedule.target.input);
  return {
    cluster: schedule.target.arn,
    taskDefinition: ecs?.taskDefinitionArn ?? '',
    count: ecs?.taskCount ?? 1,
    startedBy: startedByFor(schedule.name),
    ...(ecs?.launchType ? { launchType: ecs.launchType } : {}),
    ...(ecs?.capacityProviderStrategy ? { capacityProviderStrategy: ecs.capacityProviderStrategy } : {}),
    ...(ecs?.platformVersion ? { platformVersion: ecs.platformVersion } : {}),
    ...(ecs?.network ? { network: ecs.network } : {}),
    ...(ecs?.group ? { group: ecs.group } : {}),
    ...(ecs?.tags ? { tags: ecs.tags } : {}),
    ...(ecs?.enableEcsManagedTags !== undefined ? { enableEcsManagedTags: ecs.enableEcsManagedTags } : {}),
    ...(ecs?.enableExecuteCommand !== undefined ? { enableExecuteCommand: ecs.enableExecuteCommand } : {}),
    ...(ecs?.propagateTags ? { propagateTags: ecs.propagateTags } : {}),
    ...(ecs?.referenceId ? { referenceId: ecs.referenceId } : {}),
    ...(overrides ? { overrides } : {}),
  };
}

export interface TaskEventContext {
  account: string;
  region: string;
  /** The virtual time of the invocation: the firer's clock, which moto's own task stamps follow when bound to it. */
  createdAt: Date;
  /** Event id; random by default. */
  id?: string;
}

/** The EventBridge envelope ECS emits for a task state change, for the task as RunTask returned it. */
export function taskStateChangeEvent(task: StartedTask, context: TaskEventContext): Record<string, unknown> {
  const createdAt = context.createdAt.toISOString();
  return {
    version: '0',
    id: context.id ?? randomUUID(),
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: context.account,
    time: createdAt,
    region: context.region,
    resources: [task.taskArn],
    detail: {
      taskArn: task.taskArn,
      clusterArn: task.clusterArn,
      taskDefinitionArn: task.taskDefinitionArn,
      ...(task.group !== undefined ? { group: task.group } : {}),
      ...(task.startedBy !== undefined ? { startedBy: task.startedBy } : {}),
      createdAt,
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      ...(task.launchType !== undefined ? { launchType: task.launchType } : {}),
      ...(task.platformVersion !== undefined ? { platformVersion: task.platformVersion } : {}),
      ...(task.availabilityZone !== undefined ? { availabilityZone: task.availabilityZone } : {}),
      containers: task.containers.map((c) => ({
        ...(c.containerArn !== undefined ? { containerArn: c.containerArn } : {}),
        name: c.name ?? 'app',
        ...(c.lastStatus !== undefined ? { lastStatus: c.lastStatus } : {}),
      })),
      version: 1,
      updatedAt: createdAt,
    },
  };
}
