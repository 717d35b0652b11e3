/**
 * A deploy's write on the sandbox, as a careful pipeline makes it: GetSchedule, then UpdateSchedule
 * with every writable field written back and only the target's ARN changed (UpdateSchedule replaces
 * the whole schedule). The demo's bad deploy and the e2e tests of change-driven checks write with it.
 */
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { createSchedulerWriter } from '../../aws/scheduler-writer.ts';
import { FaultError } from '../../errors.ts';
import { projectWritable, withTargetArn } from '../../remediate/schedule-document.ts';

export async function repointSchedules(scheduler: SchedulerClient, schedules: readonly { group: string; name: string }[], targetArn: string): Promise<void> {
  const writer = createSchedulerWriter(scheduler);
  for (const s of schedules) {
    const read = await writer.getScheduleRaw(s);
    if (read.status !== 'found') throw new FaultError('DEPLOY_WRITE_FAILED', `the deploy could not read ${s.group}/${s.name}: ${read.status}`);
    const projection = projectWritable(read.value, s);
    if (!projection.ok) throw new FaultError('DEPLOY_WRITE_FAILED', `the deploy could not copy ${s.group}/${s.name}: ${projection.problems.join('; ')}`);
    const outcome = await writer.updateSchedule(withTargetArn(projection.update, targetArn), `deploy-${s.name}`.slice(0, 64));
    if (!outcome.ok) throw new FaultError('DEPLOY_WRITE_FAILED', `the deploy could not write ${s.group}/${s.name}: ${outcome.failure.errorName}`);
  }
}
