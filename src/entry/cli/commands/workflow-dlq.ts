/**
 * `ops workflow dlq list | redrive`: the trading dead-letter queues (--queue, repeatable, or
 * TRADING_DEAD_LETTER_QUEUES), read through src/aws/dead-letter-queues.ts and interpreted by
 * src/trading/domain/dead-letter.ts.
 *
 * - list never consumes: messages are received and made visible again at once. Exit 1 when any
 *   (matching) message waits, 0 when the queues are empty: a DLQ message is a finding.
 * - redrive re-publishes the workflow event inside each message to the bus and deletes the message
 *   only after PutEvents accepted it. Consumers claim events by id, so an event that was processed
 *   after all is skipped: redriving twice is harmless. Messages without a workflow event (the
 *   sweeper's) are left in place and reported. Writes follow the project's consent rule
 *   (write-consent.ts, as `--fix`): --dry-run shows, --yes redrives, a terminal is asked, and without
 *   either it refuses with exit 2, since a script asking to redrive must not mistake nothing for done.
 */
import { explainingAccess } from '../../../aws/access-errors.ts';
import { createAwsClients, type AwsClients } from '../../../aws/clients.ts';
import { DeadLetterQueues, type HeldMessage, type QueueRef } from '../../../aws/dead-letter-queues.ts';
import { EventBridgeBus } from '../../../aws/eventbridge-bus.ts';
import { errorMessage } from '../../../aws-error.ts';
import { isOpsError } from '../../../errors.ts';
import { describeDeadLetterError, matchesFilter, parseDeadLetter, type DeadLetter } from '../../../trading/domain/dead-letter.ts';
import { formatDurationMs } from '../../../trading/domain/summary.ts';
import { awsSettingsFrom, withAwsOptions, type AwsOptionArgs } from '../aws-options.ts';
import { defineCommand, type OpsGroup } from '../command.ts';
import type { CliContext } from '../context.ts';
import { parseCountOption } from '../parse-instant.ts';
import { obtainConsent } from '../write-consent.ts';
import { awsTarget } from './workflow-failures.ts';
import { busOption, deadLetterQueuesFrom, eventBusFrom } from './workflow-ops-settings.ts';
import type { Argv } from 'yargs';

/** How many messages a queue is read to at most (a DLQ this full needs a look at the cause first). */
const SCAN_LIMIT = 1_000;
/** How long a redrive holds the messages it works on; released (or deleted) well before. */
const REDRIVE_VISIBILITY_SECONDS = 120;

interface DlqArgs extends AwsOptionArgs {
  queue?: string[];
  correlationId?: string;
  limit: number;
}

const dlqOptions = (y: Argv) =>
  withAwsOptions(y)
    .option('queue', { type: 'string', array: true, describe: 'A dead-letter queue name or URL (repeatable; default: TRADING_DEAD_LETTER_QUEUES, comma-separated)' })
    .option('correlation-id', { type: 'string', describe: 'Only messages carrying an event of this workflow' })
    .option('limit', { type: 'number', default: 50, describe: 'At most this many messages (over all queues)' });

/** One message as listed: where it is, what it carries, what went wrong, how old. */
export interface ListedLetter {
  queue: string;
  messageId: string;
  kind: DeadLetter['kind'];
  event?: { type: string; correlationId: string; eventId: string };
  eventProblem?: string;
  error: DeadLetter['error'];
  source: DeadLetter['source'];
  sentAt?: string;
  ageMs?: number;
  receiveCount?: number;
}

interface QueueSummary {
  queue: string;
  url: string;
  /** Approximate counts before we looked. */
  visible: number;
  inFlight: number;
  /** Messages read, and how many of them matched the filter. */
  read: number;
  matched: number;
  withEvent: number;
}

function listed(queue: QueueRef, letter: DeadLetter, now: Date): ListedLetter {
  return {
    queue: queue.name,
    messageId: letter.messageId,
    kind: letter.kind,
    ...(letter.event !== undefined ? { event: { type: letter.event.type, correlationId: letter.event.correlationId, eventId: letter.event.eventId } } : {}),
    ...(letter.eventProblem !== undefined ? { eventProblem: letter.eventProblem } : {}),
    error: letter.error,
    source: letter.source,
    ...(letter.sentAt !== undefined ? { sentAt: letter.sentAt.toISOString(), ageMs: Math.max(0, now.getTime() - letter.sentAt.getTime()) } : {}),
    ...(letter.receiveCount !== undefined ? { receiveCount: letter.receiveCount } : {}),
  };
}

function renderLetter(letter: ListedLetter): string {
  const what = letter.event !== undefined ? `${letter.event.type} ${letter.event.correlationId} ${letter.event.eventId}` : `(no workflow event${letter.eventProblem !== undefined ? `: ${letter.eventProblem}` : ''})`;
  const age = letter.ageMs !== undefined ? `${formatDurationMs(letter.ageMs)} old` : 'age unknown';
  return `  ${letter.kind.padEnd(18)} ${what}\n      ${describeDeadLetterError(letter.error)} · ${age} · ${letter.messageId}`;
}

interface Scan {
  queues: { ref: QueueRef; summary: QueueSummary; held: HeldMessage[]; letters: { held: HeldMessage; letter: DeadLetter }[] }[];
}

/** Reads every queue (holding its messages for `visibilitySeconds`); the caller releases or deletes them. */
async function scan(dlq: DeadLetterQueues, names: readonly string[], filter: { correlationId?: string }, visibilitySeconds: number): Promise<Scan> {
  const queues: Scan['queues'] = [];
  try {
    for (const name of names) {
      const ref = await dlq.resolve(name);
      const counts = await dlq.counts(ref);
      const held = await dlq.hold(ref, { max: SCAN_LIMIT, visibilitySeconds });
      const letters = held.map((h) => ({ held: h, letter: parseDeadLetter(h) })).filter(({ letter }) => matchesFilter(letter, filter));
      queues.push({
        ref,
        held,
        letters,
        summary: { queue: ref.name, url: ref.url, ...counts, read: held.length, matched: letters.length, withEvent: letters.filter((l) => l.letter.event !== undefined).length },
      });
    }
  } catch (error) {
    await releaseAll(dlq, queues);
    throw error;
  }
  return { queues };
}

async function releaseAll(dlq: DeadLetterQueues, queues: Scan['queues'], keep: ReadonlySet<string> = new Set()): Promise<void> {
  for (const q of queues) {
    const release = q.held.filter((h) => !keep.has(h.messageId));
    // Best effort: a message we fail to release becomes visible again when its timeout ends.
    if (release.length > 0) await dlq.release(q.ref, release).catch(() => []);
  }
}

function clientsFor(args: AwsOptionArgs, ctx: CliContext): AwsClients {
  return createAwsClients(awsSettingsFrom(args), ctx.env);
}

export const workflowDlqListCommand = defineCommand<DlqArgs>({
  command: 'list',
  describe: 'Messages in the trading dead-letter queues: the workflow event inside, the error, the age (never consumes them; exit 1 when any)',
  builder: (y) =>
    dlqOptions(y)
      .example('$0 workflow dlq list', 'Every queue in TRADING_DEAD_LETTER_QUEUES')
      .example('$0 workflow dlq list --queue ops-trading-rule-dlq --correlation-id wf-20261120T143000Z-1a2b3c4d', 'One workflow in one queue'),
  run: async (args, ctx) => {
    const limit = parseCountOption('limit', args.limit, SCAN_LIMIT);
    const names = deadLetterQueuesFrom(args.queue, ctx);
    const clients = clientsFor(args, ctx);
    const dlq = new DeadLetterQueues({ client: clients.sqs });
    const filter = args.correlationId !== undefined ? { correlationId: args.correlationId } : {};
    const now = ctx.now();
    const result = await explainingAccess(awsTarget(clients), async () => {
      const found = await scan(dlq, names, filter, 30);
      await releaseAll(dlq, found.queues);
      return found;
    });
    const all = result.queues.flatMap((q) => q.letters.map(({ letter }) => listed(q.ref, letter, now)));
    const messages = all.slice(0, limit);
    const lines: string[] = [];
    for (const q of result.queues) {
      const s = q.summary;
      lines.push(`${s.queue}: ${s.matched} message(s)${filter.correlationId !== undefined ? ` of workflow ${filter.correlationId} (${s.read} read)` : ''}, ${s.withEvent} with a workflow event${s.inFlight > 0 ? ` · ${s.inFlight} in flight (being handled by someone else)` : ''}`);
      lines.push(...messages.filter((m) => m.queue === s.queue).map(renderLetter));
    }
    if (all.length > messages.length) lines.push(`… ${all.length - messages.length} more (raise --limit)`);
    if (all.some((m) => m.event !== undefined)) lines.push('', 'Re-deliver the events with: ops workflow dlq redrive (see runbooks/TRADING_DEAD_LETTERS.md)');
    return {
      exitCode: all.length > 0 ? 1 : 0,
      json: { queues: result.queues.map((q) => q.summary), messages, total: all.length, truncated: all.length > messages.length },
      text: lines.join('\n'),
    };
  },
});

interface RedriveArgs extends DlqArgs {
  bus?: string;
  dryRun: boolean;
  yes: boolean;
  maxChanges: number;
}

export interface RedriveItem extends ListedLetter {
  outcome: 'redriven' | 'failed' | 'left';
  reason?: string;
}

export const workflowDlqRedriveCommand = defineCommand<RedriveArgs>({
  command: 'redrive',
  describe: 'Re-publish the workflow events in the trading dead-letter queues to the bus; a message is deleted only once EventBridge accepted its event',
  builder: (y) =>
    busOption(dlqOptions(y))
      .option('dry-run', { type: 'boolean', default: false, describe: 'Only show what would be re-published; never writes, even with --yes' })
      .option('yes', { type: 'boolean', default: false, describe: 'Redrive without asking (required when not at a terminal)' })
      .option('max-changes', { type: 'number', default: 100, describe: 'Refuse, before the first publish, to redrive more messages than this' })
      .example('$0 workflow dlq redrive --dry-run', 'What would be re-published')
      .example('$0 workflow dlq redrive --correlation-id wf-20261120T143000Z-1a2b3c4d --yes', "Re-deliver one workflow's dead letters"),
  run: async (args, ctx) => {
    const limit = parseCountOption('limit', args.limit, SCAN_LIMIT);
    const maxChanges = parseCountOption('max-changes', args.maxChanges, 10_000);
    const names = deadLetterQueuesFrom(args.queue, ctx);
    const busName = eventBusFrom(args.bus, ctx);
    const clients = clientsFor(args, ctx);
    const dlq = new DeadLetterQueues({ client: clients.sqs });
    const bus = new EventBridgeBus({ client: clients.eventbridge, eventBusName: busName });
    const filter = args.correlationId !== undefined ? { correlationId: args.correlationId } : {};
    const now = ctx.now();

    // Look first (released at once), ask, then take the messages for real: a question may outlast any visibility timeout.
    const preview = await explainingAccess(awsTarget(clients), async () => {
      const found = await scan(dlq, names, filter, 30);
      await releaseAll(dlq, found.queues);
      return found;
    });
    const planned = preview.queues.flatMap((q) => q.letters.map(({ letter }) => listed(q.ref, letter, now)));
    const toSend = planned.filter((m) => m.event !== undefined).slice(0, limit);
    const toLeave = planned.filter((m) => m.event === undefined);
    const previewText = [
      `${toSend.length} event(s) to re-publish to bus ${busName}:`,
      ...toSend.map(renderLetter),
      ...(toLeave.length > 0 ? [`${toLeave.length} message(s) without a workflow event stay in place:`, ...toLeave.map(renderLetter)] : []),
    ].join('\n');
    const document = (mode: 'dry-run' | 'refused' | 'declined' | 'applied' | 'nothing-to-do', extra: Record<string, unknown> = {}) => ({
      mode,
      bus: busName,
      queues: preview.queues.map((q) => q.summary),
      planned: toSend,
      left: toLeave,
      results: [] as RedriveItem[],
      ...extra,
    });
    if (toSend.length === 0) {
      return { exitCode: toLeave.length > 0 ? 1 : 0, json: document('nothing-to-do'), text: `${previewText}\nNothing to redrive.` };
    }
    const consent = await obtainConsent({
      args,
      ctx,
      command: 'ops workflow dlq redrive',
      preview: previewText,
      stderrPreview: previewText,
      document: (mode, extra) => document(mode, extra),
      dryRun: () => ({ exitCode: toLeave.length > 0 ? 1 : 0, json: document('dry-run'), text: `${previewText}\nDry run: nothing was published or deleted. Redrive with --yes.` }),
      writes: toSend.length,
      maxChanges,
      what: 'message',
      question: `Re-publish ${toSend.length} event(s) to ${busName} and delete their messages?`,
      declined: 'Not redriven: declined. Nothing was published or deleted.',
    });
    if (!consent.granted) return consent.outcome;

    const chosen = new Set(toSend.map((m) => m.messageId));
    const results = await explainingAccess(awsTarget(clients), async () => {
      const taken = await scan(dlq, names, filter, REDRIVE_VISIBILITY_SECONDS);
      const items: RedriveItem[] = [];
      const deleted = new Set<string>();
      try {
        for (const q of taken.queues) {
          for (const { held, letter } of q.letters) {
            const item = listed(q.ref, letter, now);
            if (letter.event === undefined) {
              items.push({ ...item, outcome: 'left', reason: 'no workflow event inside' });
              continue;
            }
            // Only what was shown and agreed to (a message that arrived meanwhile waits for the next run).
            if (!chosen.has(letter.messageId)) continue;
            try {
              await bus.publish([letter.event]);
            } catch (error) {
              items.push({ ...item, outcome: 'failed', reason: `not published: ${isOpsError(error) ? `${error.code}: ` : ''}${errorMessage(error)}` });
              continue;
            }
            const failed = await dlq.remove(q.ref, [held]);
            deleted.add(held.messageId);
            items.push(failed.length === 0 ? { ...item, outcome: 'redriven' } : { ...item, outcome: 'failed', reason: `published, but the message was not deleted (${failed[0]?.code ?? '?'}): it may be redriven again, harmlessly` });
          }
        }
      } finally {
        await releaseAll(dlq, taken.queues, deleted);
      }
      return items;
    });
    const redriven = results.filter((r) => r.outcome === 'redriven');
    const failed = results.filter((r) => r.outcome === 'failed');
    const left = results.filter((r) => r.outcome === 'left');
    const missing = toSend.filter((m) => !results.some((r) => r.messageId === m.messageId));
    const lines = [
      `${redriven.length} event(s) re-published to ${busName} and their messages deleted`,
      ...redriven.map((r) => `  ${r.event?.type ?? '?'} ${r.event?.correlationId ?? '?'} ${r.event?.eventId ?? '?'} (${r.queue})`),
      ...(failed.length > 0 ? [`${failed.length} failed:`, ...failed.map((r) => `  ${r.messageId} (${r.queue}): ${r.reason ?? ''}`)] : []),
      ...(missing.length > 0 ? [`${missing.length} message(s) were gone when the redrive started (deleted or taken by someone else)`] : []),
      ...(left.length > 0 ? [`${left.length} message(s) without a workflow event left in place: see runbooks/TRADING_DEAD_LETTERS.md`] : []),
    ];
    return {
      exitCode: failed.length > 0 || left.length > 0 ? 1 : 0,
      json: document('applied', { results, ok: failed.length === 0 }),
      text: `${consent.prefix}${lines.join('\n')}`,
    };
  },
});

export const workflowDlqGroup: OpsGroup = {
  command: 'dlq',
  describe: 'The trading dead-letter queues: list what failed delivery, redrive it to the bus',
  subcommands: [workflowDlqListCommand, workflowDlqRedriveCommand],
};
