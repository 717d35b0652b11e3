/**
 * ECS task lifecycle order. EventBridge delivers state changes at least once and in any order, so a
 * late PENDING must not overwrite a RUNNING or STOPPED we already saw: stores keep the highest rank.
 */
export const TASK_STATUS_RANK = {
  PROVISIONING: 0,
  PENDING: 1,
  ACTIVATING: 2,
  RUNNING: 3,
  DEACTIVATING: 4,
  STOPPING: 5,
  DEPROVISIONING: 6,
  STOPPED: 7,
} as const;
export type TaskStatus = keyof typeof TASK_STATUS_RANK;

/** Below every known status, so a status ECS adds later is kept only until a known one arrives. */
export const UNKNOWN_STATUS_RANK = -1;

export function taskStatusRank(status: string): number {
  return Object.hasOwn(TASK_STATUS_RANK, status) ? TASK_STATUS_RANK[status as TaskStatus] : UNKNOWN_STATUS_RANK;
}
