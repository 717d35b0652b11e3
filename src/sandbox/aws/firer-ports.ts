/**
 * The firer's ports over real SDK clients: Scheduler for the schedules, the target services, and
 * CloudWatch for the AWS/Scheduler metrics the sandbox emits in Scheduler's place.
 */
import { PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { FirerPorts, MetricPort, SchedulePort } from '../firer-ports.ts';
import { deleteSchedule, getScheduleDefinition, listScheduleSummaries } from './scheduler-api.ts';
import { createTargetPort, type TargetClients } from './target-api.ts';

export function createSchedulePort(client: SchedulerClient): SchedulePort {
  return {
    listSummaries: () => listScheduleSummaries(client),
    get: (group, name) => getScheduleDefinition(client, group, name),
    delete: (group, name) => deleteSchedule(client, group, name),
  };
}

export function createMetricPort(client: CloudWatchClient): MetricPort {
  return {
    async putMetricData(namespace, datums) {
      if (datums.length === 0) return;
      await client.send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: datums.map((d) => ({
            MetricName: d.metricName,
            Dimensions: Object.entries(d.dimensions).map(([Name, Value]) => ({ Name, Value })),
            Timestamp: d.timestamp,
            Value: d.value,
            Unit: d.unit,
          })),
        }),
      );
    },
  };
}

export function createFirerPorts(clients: TargetClients & { scheduler: SchedulerClient; cloudwatch: CloudWatchClient }): FirerPorts {
  return { schedules: createSchedulePort(clients.scheduler), targets: createTargetPort(clients), metrics: createMetricPort(clients.cloudwatch) };
}
