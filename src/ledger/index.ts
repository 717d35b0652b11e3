/** The run ledger: which schedule started an ECS task, and durable proof that schedules ran. */
export {
  attributeTask,
  startedByFor,
  taskDefinitionFamily,
  ECS_STARTED_BY_MAX_LENGTH,
  SCHEDULER_STARTED_BY_PREFIX,
  UnattributedReason,
  type Attribution,
  type ContainerExit,
  type ScheduleIdentity,
  type TaskFacts,
} from './attribution.ts';
export {
  MemoryRunLedger,
  scheduleKeyId,
  supersedesLastRun,
  type LastRun,
  type RecordResult,
  type RunLedger,
  type RunRecord,
  type ScheduleKey,
} from './run-ledger.ts';
export { TASK_STATUS_RANK, UNKNOWN_STATUS_RANK, taskStatusRank, type TaskStatus } from './task-status.ts';
export { createScheduleDirectory, type ScheduleDirectory, type ScheduleDirectoryOptions } from './schedule-directory.ts';
export {
  handleTaskStateChange,
  taskStateChangeEventSchema,
  ECS_EVENT_SOURCE,
  TASK_STATE_CHANGE_DETAIL_TYPE,
  TaskStateChangeOutcome,
  type TaskStateChangeDeps,
  type TaskStateChangeEvent,
  type TaskStateChangeResult,
} from './task-state-change.ts';
