/**
 * SchedulerWriter over EventBridge Scheduler: the complete GetSchedule output, and UpdateSchedule.
 *
 * The remediation builds UpdateSchedule requests from plain types (src/remediate/schedule-document.ts)
 * through an allow-list of writable fields. The type checks below fail to compile when the SDK learns
 * a member those types lack, so an SDK upgrade cannot silently add a field that our writes would
 * reset. Throttling and 5xx answers are retried by the client's retry strategy (clients.ts: adaptive,
 * 5 attempts); what is left after that comes back as a failure, never as an exception.
 */
import {
  GetScheduleCommand,
  UpdateScheduleCommand,
  type EcsParameters,
  type GetScheduleCommandOutput,
  type GetScheduleOutput,
  type SchedulerClient,
  type Target,
  type UpdateScheduleInput,
} from '@aws-sdk/client-scheduler';
import type { Lookup } from '../checks/model.ts';
import type { SchedulerWriter, WriteOutcome } from '../remediate/ports.ts';
import { cloneData, type RawEcsParameters, type RawSchedule, type RawTarget, type ScheduleUpdate } from '../remediate/schedule-document.ts';
import { isNotFound } from '../aws-error.ts';
import { toLookupFailure } from './lookup-failure.ts';

export const SchedulerWriteAction = {
  getSchedule: 'scheduler:GetSchedule',
  updateSchedule: 'scheduler:UpdateSchedule',
} as const;

// Our plain types must name every member of the SDK's, and no other.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
const scheduleKeys: SameKeys<GetScheduleOutput, RawSchedule> = true;
const updateKeys: SameKeys<Omit<UpdateScheduleInput, 'ClientToken'>, ScheduleUpdate> = true;
const targetKeys: SameKeys<Target, RawTarget> = true;
const ecsKeys: SameKeys<EcsParameters, RawEcsParameters> = true;
void [scheduleKeys, updateKeys, targetKeys, ecsKeys];

export function createSchedulerWriter(client: SchedulerClient): SchedulerWriter {
  return {
    async getScheduleRaw(ref) {
      let out: GetScheduleCommandOutput;
      try {
        out = await client.send(new GetScheduleCommand({ GroupName: ref.group, Name: ref.name }));
      } catch (error) {
        if (isNotFound(error, 'ResourceNotFoundException')) return { status: 'missing', reason: `schedule ${ref.group}/${ref.name} does not exist` };
        return { status: 'unknown', failure: toLookupFailure(error, SchedulerWriteAction.getSchedule) };
      }
      const { $metadata: _metadata, ...definition } = out;
      // A deep copy without nulls: what the caller holds must not change if the SDK's object does.
      return { status: 'found', value: cloneData(definition as RawSchedule) } satisfies Lookup<RawSchedule>;
    },

    async updateSchedule(update, clientToken): Promise<WriteOutcome> {
      // Our types widen the SDK's string enums to string; the values came from GetSchedule.
      const input = { ...cloneData(update), GroupName: update.GroupName, ClientToken: clientToken } as UpdateScheduleInput;
      try {
        await client.send(new UpdateScheduleCommand(input));
        return { ok: true };
      } catch (error) {
        return { ok: false, failure: toLookupFailure(error, SchedulerWriteAction.updateSchedule) };
      }
    },
  };
}
