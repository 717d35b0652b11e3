/**
 * `ops workflow retry | abort | replay | replay-status`: what an operator does to one workflow.
 *
 * - retry <id>: a FAILED workflow gets a new attempt `<original>.r<n>` (src/trading/domain/retry.ts);
 *   exit 0 when an attempt was created or one is already RUNNING/COMPLETED (nothing new, said so);
 *   exit 2 when the original is RUNNING or COMPLETED (nothing to retry) or the id is unknown.
 * - abort <id>: a RUNNING workflow → FAILED (WORKFLOW_ABORTED) at the step it waits on; exit 0 when
 *   aborted now or before, 1 when it had already finished otherwise (nothing changed), 2 unknown id.
 * - replay <id>: StartReplay of the workflow's time window from the bus's archive back onto the bus;
 *   consumers skip events they processed (claims by event id), so nothing runs twice.
 */
import { explainingAccess } from '../../../aws/access-errors.ts';
import { createAwsClients } from '../../../aws/clients.ts';
import { EventArchive, replayNameFor, type ReplayInfo } from '../../../aws/event-archive.ts';
import { EventBridgeBus } from '../../../aws/eventbridge-bus.ts';
import { DynamoWorkflowStore } from '../../../aws/workflow-store.ts';
import { clipText } from '../../../clip-text.ts';
import { UserError } from '../../../errors.ts';
import { abortWorkflow, AbortOutcome } from '../../../trading/domain/abort.ts';
import { retryWorkflow, RetryAction } from '../../../trading/domain/retry.ts';
import { silentLogger } from '../../../trading/ports/workflow-logger.ts';
import { WorkflowState } from '../../../trading/ports/workflow-store.ts';
import { awsSettingsFrom, withAwsOptions, type AwsOptionArgs } from '../aws-options.ts';
import { defineCommand } from '../command.ts';
import { parseAmountOption } from '../parse-instant.ts';
import { awsTarget, busFailure } from './workflow-failures.ts';
import { busOption, eventArchiveFrom, eventBusFrom, tableOption, workflowTableFrom } from './workflow-ops-settings.ts';

interface TableBusArgs extends AwsOptionArgs {
  table?: string;
  bus?: string;
  correlationId: string;
}

export const workflowRetryCommand = defineCommand<TableBusArgs>({
  command: 'retry <correlationId>',
  describe: 'Retry a FAILED workflow as a new attempt <id>.r2, <id>.r3, … (same parameters, re-planned from the account as it is now)',
  builder: (y) =>
    busOption(tableOption(y))
      .positional('correlationId', { type: 'string', demandOption: true, describe: 'The failed workflow, or any attempt of it' })
      .example('$0 workflow retry wf-20261120T143000Z-1a2b3c4d', 'Start attempt 2 of a failed workflow'),
  run: async (args, ctx) => {
    const clients = createAwsClients(awsSettingsFrom(args), ctx.env);
    const table = workflowTableFrom(args.table, ctx);
    const busName = eventBusFrom(args.bus, ctx);
    const deps = {
      store: new DynamoWorkflowStore({ client: clients.dynamodb, tableName: table }),
      bus: new EventBridgeBus({ client: clients.eventbridge, eventBusName: busName }),
      clock: { now: ctx.now },
    };
    const result = await explainingAccess(awsTarget(clients), () => retryWorkflow(deps, args.correlationId, `table "${clipText(table)}"`)).catch((error: unknown) => {
      throw retryPublishFailure(error, busName, args.correlationId) ?? error;
    });
    const latest = result.latest;
    let text: string;
    switch (result.action) {
      case RetryAction.created:
        text = [
          `${latest.correlationId} started: attempt ${latest.attempt} of ${result.original}`,
          "It re-plans from the account's current positions; its orders get new client order ids.",
          `Follow it with: ops workflow status ${latest.correlationId}`,
        ].join('\n');
        break;
      case RetryAction.running:
        text = `Nothing new: attempt ${latest.correlationId} (attempt ${latest.attempt}) is RUNNING; its WorkflowStarted was re-published.\nFollow it with: ops workflow status ${latest.correlationId}`;
        break;
      case RetryAction.completed:
        text = `Nothing new: attempt ${latest.correlationId} (attempt ${latest.attempt}) COMPLETED.`;
        break;
    }
    return { exitCode: 0, json: result, text };
  },
});

interface AbortArgs extends TableBusArgs {
  reason?: string;
}

export const workflowAbortCommand = defineCommand<AbortArgs>({
  command: 'abort <correlationId>',
  describe: 'Fail a RUNNING workflow now (WORKFLOW_ABORTED at the step it waits on); later deliveries are skipped, the outcome is emailed once',
  builder: (y) =>
    busOption(tableOption(y))
      .positional('correlationId', { type: 'string', demandOption: true, describe: 'The workflow id' })
      .option('reason', { type: 'string', describe: 'Why, recorded in the failure reason and the email' }),
  run: async (args, ctx) => {
    const clients = createAwsClients(awsSettingsFrom(args), ctx.env);
    const table = workflowTableFrom(args.table, ctx);
    const deps = {
      store: new DynamoWorkflowStore({ client: clients.dynamodb, tableName: table }),
      bus: new EventBridgeBus({ client: clients.eventbridge, eventBusName: eventBusFrom(args.bus, ctx) }),
      clock: { now: ctx.now },
      logger: silentLogger,
    };
    const result = await explainingAccess(awsTarget(clients), () => abortWorkflow(deps, args.correlationId, args.reason));
    switch (result.outcome) {
      case AbortOutcome.notFound:
        throw new UserError('WORKFLOW_NOT_FOUND', `No workflow ${clipText(args.correlationId)} in table "${clipText(table)}".`, 'Check the id with `ops workflow list`, and the table and region.');
      case AbortOutcome.aborted:
        return {
          exitCode: 0,
          json: result,
          text: [
            `${result.correlationId} aborted: FAILED at ${result.step ?? '?'} (WORKFLOW_ABORTED)`,
            result.published
              ? 'WorkflowFailed published: later deliveries are skipped; the notification step emails the outcome.'
              : 'WorkflowFailed is stored but not yet published; the sweeper re-publishes it within minutes.',
          ].join('\n'),
        };
      case AbortOutcome.alreadyAborted:
        return { exitCode: 0, json: result, text: `${result.correlationId} was already aborted (${result.reason ?? 'FAILED'}); nothing changed.` };
      case AbortOutcome.finished:
        return {
          exitCode: 1,
          json: result,
          text: `${result.correlationId} is already ${result.state ?? 'finished'}${result.state === WorkflowState.failed ? ` (${result.errorCode ?? ''} at ${result.step ?? '?'})` : ''}; nothing changed.`,
        };
    }
  },
});

interface ReplayArgs extends AwsOptionArgs {
  table?: string;
  archive?: string;
  correlationId: string;
  ruleArn?: string[];
  marginMinutes: number;
}

export const workflowReplayCommand = defineCommand<ReplayArgs>({
  command: 'replay <correlationId>',
  describe: "Re-deliver a workflow's archived events (its time window) from the bus's archive; consumers skip what they already processed",
  builder: (y) =>
    tableOption(y)
      .positional('correlationId', { type: 'string', demandOption: true, describe: 'The workflow id' })
      .option('archive', { type: 'string', describe: 'EventBridge archive of the trading bus (default: EVENT_ARCHIVE_NAME)' })
      .option('rule-arn', { type: 'string', array: true, describe: 'Deliver only to these rules of the bus (repeatable; default: every rule)' })
      .option('margin-minutes', { type: 'number', default: 2, describe: 'Widen the window by this much on both sides' }),
  run: async (args, ctx) => {
    const margin = parseAmountOption('margin-minutes', args.marginMinutes, { min: 0, max: 24 * 60, example: 2, unit: 'minutes' }) * 60_000;
    const clients = createAwsClients(awsSettingsFrom(args), ctx.env);
    const table = workflowTableFrom(args.table, ctx);
    const archiveName = eventArchiveFrom(args.archive, ctx);
    const store = new DynamoWorkflowStore({ client: clients.dynamodb, tableName: table });
    const archives = new EventArchive({ client: clients.eventbridge });
    const now = ctx.now();
    const { record, archive, started, replay } = await explainingAccess(awsTarget(clients), async () => {
      const found = await store.get(args.correlationId);
      if (found === undefined) {
        throw new UserError('WORKFLOW_NOT_FOUND', `No workflow ${clipText(args.correlationId)} in table "${clipText(table)}".`, 'Check the id with `ops workflow list`, and the table and region.');
      }
      const info = await archives.describe(archiveName);
      const from = new Date(found.startedAt.getTime() - margin);
      // EventBridge replays events up to the end time; a window reaching into the future only waits.
      const to = new Date(Math.min(now.getTime(), (found.finishedAt ?? now).getTime() + margin));
      const replayName = replayNameFor(found.correlationId, now);
      const start = await archives.startReplay({
        replayName,
        archive: info,
        from,
        to: to.getTime() > from.getTime() ? to : new Date(from.getTime() + 1_000),
        ...(args.ruleArn !== undefined ? { ruleArns: args.ruleArn } : {}),
        description: `ops workflow replay ${found.correlationId}`,
      });
      return { record: found, archive: info, started: start, replay: await archives.describeReplay(replayName).catch(() => start) };
    });
    const json = {
      correlationId: record.correlationId,
      state: record.state,
      archive: { name: archive.name, arn: archive.arn },
      replay,
      started,
    };
    const text = [
      `Replay ${replay.name} of ${record.correlationId} (${record.state}) from archive ${archive.name}: ${replay.state}`,
      `  window ${replay.from ?? '?'} … ${replay.to ?? '?'}`,
      'Every event of the bus in that window is re-delivered; consumers skip events they already processed, so no step runs twice.',
      `Follow it with: ops workflow replay-status ${replay.name}`,
    ].join('\n');
    return { exitCode: failedReplay(replay) ? 1 : 0, json, text };
  },
});

interface ReplayStatusArgs extends AwsOptionArgs {
  replayName: string;
}

export const workflowReplayStatusCommand = defineCommand<ReplayStatusArgs>({
  command: 'replay-status <replayName>',
  describe: 'The state of a replay started by `ops workflow replay` (exit 1 when FAILED or CANCELLED)',
  builder: (y) => withAwsOptions(y).positional('replayName', { type: 'string', demandOption: true, describe: 'The replay name `ops workflow replay` printed' }),
  run: async (args, ctx) => {
    const clients = createAwsClients(awsSettingsFrom(args), ctx.env);
    const replay = await explainingAccess(awsTarget(clients), () => new EventArchive({ client: clients.eventbridge }).describeReplay(args.replayName)).catch((error: unknown) => {
      if (error instanceof UserError && error.code === 'EVENT_ARCHIVE_MISSING') {
        throw new UserError('EVENT_REPLAY_MISSING', `No replay ${clipText(args.replayName)}.`, 'Use the name `ops workflow replay` printed, in the same region.', { cause: error });
      }
      throw error;
    });
    const lines = [
      `Replay ${replay.name}: ${replay.state}${replay.stateReason !== undefined ? ` (${replay.stateReason})` : ''}`,
      `  window ${replay.from ?? '?'} … ${replay.to ?? '?'}`,
      ...(replay.lastReplayedEventTime !== undefined ? [`  last replayed event ${replay.lastReplayedEventTime}`] : []),
      ...(replay.endedAt !== undefined ? [`  ended ${replay.endedAt}`] : []),
    ];
    return { exitCode: failedReplay(replay) ? 1 : 0, json: replay, text: lines.join('\n') };
  },
});

/** A bus that is missing or refuses us, after the attempt's record was written: a second retry publishes it. */
function retryPublishFailure(error: unknown, busName: string, requested: string): UserError | undefined {
  const explained = busFailure(error, busName, requested);
  if (explained === undefined) return undefined;
  const bus = clipText(busName);
  const what = explained.code === 'EVENT_BUS_MISSING' ? `EventBridge bus "${bus}" does not exist` : `EventBridge refused PutEvents on bus "${bus}"`;
  return new UserError(
    explained.code,
    `${what}: the new attempt is recorded (RUNNING) but its WorkflowStarted was not published.`,
    `Pass --bus <name> or export EVENT_BUS_NAME (the stack output eventBusName), and check events:PutEvents and the region; then run \`ops workflow retry ${requested}\` again: it re-publishes WorkflowStarted for the RUNNING attempt.`,
    { cause: error },
  );
}

function failedReplay(replay: ReplayInfo): boolean {
  return replay.state === 'FAILED' || replay.state === 'CANCELLED';
}
