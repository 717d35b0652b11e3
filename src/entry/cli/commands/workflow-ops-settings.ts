/**
 * Where the workflow operations (retry, abort, dlq, replay) find their AWS resources: an option,
 * else the environment variable named after the stack output, else a usage error saying which.
 * workflow.ts uses the same look-ups, so every workflow command says the same for the same names.
 */
import type { Argv } from 'yargs';
import { UserError } from '../../../errors.ts';
import { withAwsOptions } from '../aws-options.ts';
import type { CliContext } from '../context.ts';

export const tableOption = (y: Argv) => withAwsOptions(y).option('table', { type: 'string', describe: 'DynamoDB workflow table (default: WORKFLOW_TABLE)' });
export const busOption = (y: Argv) => y.option('bus', { type: 'string', describe: 'EventBridge bus name (default: EVENT_BUS_NAME)' });

export function workflowTableFrom(table: string | undefined, ctx: CliContext): string {
  const name = table ?? ctx.env.WORKFLOW_TABLE;
  if (name === undefined || name === '') {
    throw new UserError('NO_WORKFLOW_TABLE', 'No workflow table is configured.', 'Pass --table <name> or export WORKFLOW_TABLE (the stack output workflowTableName).');
  }
  return name;
}

export function eventBusFrom(bus: string | undefined, ctx: CliContext): string {
  const name = bus ?? ctx.env.EVENT_BUS_NAME;
  if (name === undefined || name === '') throw new UserError('NO_EVENT_BUS', 'No event bus is configured.', 'Pass --bus <name> or export EVENT_BUS_NAME (the stack output eventBusName).');
  return name;
}

export function eventArchiveFrom(archive: string | undefined, ctx: CliContext): string {
  const name = archive ?? ctx.env.EVENT_ARCHIVE_NAME;
  if (name === undefined || name === '') {
    throw new UserError('NO_EVENT_ARCHIVE', 'No event archive is configured.', 'Pass --archive <name> or export EVENT_ARCHIVE_NAME (the stack output eventArchiveName).');
  }
  return name;
}

/** --queue (repeatable) wins over TRADING_DEAD_LETTER_QUEUES (comma-separated names or URLs). */
export function deadLetterQueuesFrom(queues: readonly string[] | undefined, ctx: CliContext): string[] {
  const given = queues !== undefined && queues.length > 0 ? queues : (ctx.env.TRADING_DEAD_LETTER_QUEUES ?? '').split(',');
  const names = [...new Set(given.map((q) => q.trim()).filter((q) => q !== ''))];
  if (names.length === 0) {
    throw new UserError(
      'NO_DEAD_LETTER_QUEUES',
      'No trading dead-letter queues are configured.',
      'Pass --queue <name or URL> (repeatable) or export TRADING_DEAD_LETTER_QUEUES=a,b,c (the stack output tradingDeadLetterQueueNames; on the sandbox ops-trading-rule-dlq,ops-trading-failed,ops-trading-sweeper-dlq).',
    );
  }
  return names;
}
