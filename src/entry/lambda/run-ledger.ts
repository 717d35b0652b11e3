/**
 * The run-ledger Lambda: an EventBridge rule on `aws.ecs` "ECS Task State Change" invokes it, and it
 * records which schedule started the task (handleTaskStateChange). Module scope holds the ledger and a
 * schedule directory (listed through the Scheduler API, cached for 5 minutes, re-listed when a task
 * names a schedule it does not know), so most events cost one or two DynamoDB writes and no listing.
 *
 * Environment: AWS_REGION, RUN_LEDGER_TABLE, optional AWS_ENDPOINT_URL.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { isEcsClusterArn } from '../../arn.ts';
import { createAwsClients } from '../../aws/clients.ts';
import { DynamoRunLedger } from '../../aws/run-ledger-store.ts';
import { createScheduleDefinitionCache, createSchedulerReader } from '../../aws/scheduler-reader.ts';
import { mapWithConcurrency } from '../../concurrency.ts';
import { UserError } from '../../errors.ts';
import { createScheduleDirectory, handleTaskStateChange, type ScheduleIdentity, type TaskStateChangeResult } from '../../ledger/index.ts';

const logger = new Logger({ serviceName: 'ops-run-ledger' });

function tableName(): string {
  const name = process.env.RUN_LEDGER_TABLE?.trim();
  if (name) return name;
  const error = new UserError('INVALID_LEDGER_CONFIG', 'RUN_LEDGER_TABLE is not set.', 'Set RUN_LEDGER_TABLE to the run-ledger table of the stack.');
  logger.error('invalid configuration: the run-ledger handler cannot start', { error });
  throw error;
}

const clients = createAwsClients();
const ledger = new DynamoRunLedger({ client: clients.dynamodb, tableName: tableName() });
const reader = createSchedulerReader(clients.scheduler, { definitionCache: createScheduleDefinitionCache() });
const directory = createScheduleDirectory(listEcsSchedules, { ttlMs: 5 * 60_000, now: Date.now });

/** Every ECS-target schedule with what attribution needs (EcsParameters.Group, task definition). */
async function listEcsSchedules(): Promise<ScheduleIdentity[]> {
  const listed = (await reader.listSchedules({})).filter((s) => isEcsClusterArn(s.targetArn));
  const facts = await mapWithConcurrency(listed, 8, (s) => reader.getSchedule(s));
  return facts.flatMap((lookup) => {
    if (lookup.status !== 'found') return [];
    const s = lookup.value;
    return [{ group: s.group, name: s.name, arn: s.arn, ...(s.target.ecs?.group !== undefined ? { ecsGroup: s.target.ecs.group } : {}), ...(s.target.ecs ? { taskDefinitionArn: s.target.ecs.taskDefinitionArn } : {}) }];
  });
}

export async function handler(event: unknown): Promise<TaskStateChangeResult> {
  return handleTaskStateChange(event, {
    schedules: directory.schedules,
    refreshSchedules: directory.refresh,
    ledger,
    log: (entry) => logger.info(typeof entry.msg === 'string' ? entry.msg : 'task-state-change', entry),
  });
}
