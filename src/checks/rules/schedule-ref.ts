import type { ScheduleFacts, ScheduleRef } from '../model.ts';

export function ref(schedule: ScheduleFacts): ScheduleRef {
  return { group: schedule.group, name: schedule.name, arn: schedule.arn };
}

/** The command that re-checks exactly this schedule. */
export function checkCommand(schedule: { group: string; name: string }): string {
  return `ops check-schedulers --group ${schedule.group} --name-prefix ${schedule.name}`;
}
