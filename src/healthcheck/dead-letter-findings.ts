/**
 * Dead-letter facts → INVOCATION_FAILED findings, pure.
 *
 * - One finding per schedule per batch: a schedule that failed three runs in a row is one problem, so
 *   the finding shows the latest failed run (by SCHEDULED_TIME) and counts the others (`occurrences`,
 *   `firstScheduledTime`). Across batches the alert policy's fingerprint (code + schedule ARN) keeps
 *   it to one email.
 * - One finding per queue for unrecognised messages (no valid SCHEDULE_ARN), with the reason and an
 *   excerpt of the body: a person has to see it, and the consumer deletes it once alerted so it cannot
 *   block the queue (its full body is in the consumer's log).
 */
import { sqsQueueParts } from '../arn.ts';
import { FindingCode, type Finding } from '../checks/finding.ts';
import { declarationOf } from '../checks/registry.ts';
import { clipText } from '../clip-text.ts';
import type { DeadLetterFact, DeadLetterRead, UnrecognisedMessage } from './dead-letter-event.ts';

const DECLARATION = declarationOf(FindingCode.INVOCATION_FAILED);
const ERROR_MESSAGE_LIMIT = 300;
const BODY_EXCERPT_LIMIT = 300;

export function deadLetterFindings(reads: readonly DeadLetterRead[]): Finding[] {
  const bySchedule = new Map<string, DeadLetterFact[]>();
  const byQueue = new Map<string, UnrecognisedMessage[]>();
  for (const read of reads) {
    switch (read.kind) {
      case 'dead-letter':
        bySchedule.set(read.schedule.arn, [...(bySchedule.get(read.schedule.arn) ?? []), read]);
        break;
      case 'unrecognised':
        byQueue.set(read.queueArn, [...(byQueue.get(read.queueArn) ?? []), read]);
        break;
    }
  }
  return [...[...bySchedule.values()].map(scheduleFinding), ...[...byQueue.values()].map(queueFinding)];
}

/** `2026-01-29T16:37:00Z`, as Scheduler writes SCHEDULED_TIME. */
function iso(instant: Date): string {
  return instant.toISOString().replace(/\.000Z$/, 'Z');
}

function scheduleFinding(facts: DeadLetterFact[]): Finding {
  // The latest run is what the finding shows; a fact without a scheduled time ranks first, then batch order.
  const ordered = [...facts].sort((a, b) => (a.scheduledTime?.getTime() ?? -Infinity) - (b.scheduledTime?.getTime() ?? -Infinity));
  const latest = ordered.at(-1)!;
  const earliest = ordered.find((f) => f.scheduledTime !== undefined)?.scheduledTime;
  const { group, name } = latest.schedule;
  const due = latest.scheduledTime ? `the run due ${iso(latest.scheduledTime)}` : 'a run (SCHEDULED_TIME missing)';
  const error = latest.errorCode ?? 'no ERROR_CODE';
  const detail = latest.errorMessage !== undefined && latest.errorMessage !== latest.errorCode ? ` (${clipText(latest.errorMessage, ERROR_MESSAGE_LIMIT)})` : '';
  const more = facts.length > 1 ? `; ${facts.length} failed runs in this batch${earliest ? `, the first due ${iso(earliest)}` : ''}` : '';
  const problems = [...new Set(facts.flatMap((f) => f.problems))];
  return {
    code: FindingCode.INVOCATION_FAILED,
    severity: DECLARATION.severity,
    schedule: latest.schedule,
    message: `Scheduler gave up invoking the target of ${group}/${name} for ${due}: ${error}${detail}${more}.`,
    evidence: {
      errorCode: latest.errorCode ?? null,
      ...(latest.errorMessage !== undefined ? { errorMessage: clipText(latest.errorMessage, ERROR_MESSAGE_LIMIT) } : {}),
      scheduledTime: latest.scheduledTime ? iso(latest.scheduledTime) : null,
      ...(latest.targetArn !== undefined ? { targetArn: latest.targetArn } : {}),
      ...(latest.retryAttempts !== undefined ? { retryAttempts: latest.retryAttempts } : {}),
      exhaustedRetryCondition: latest.exhaustedRetryCondition ?? null,
      ...(latest.executionId !== undefined ? { executionId: latest.executionId } : {}),
      queueArn: latest.queueArn,
      messageId: latest.messageId,
      occurrences: facts.length,
      ...(facts.length > 1 && earliest ? { firstScheduledTime: iso(earliest) } : {}),
      ...(problems.length > 0 ? { attributeProblems: problems } : {}),
    },
    fix: `ops check-schedulers --group ${group} --name-prefix ${name}`,
    runbook: DECLARATION.runbook,
  };
}

function queueFinding(messages: UnrecognisedMessage[]): Finding {
  const [first] = messages as [UnrecognisedMessage, ...UnrecognisedMessage[]];
  const queue = sqsQueueParts(first.queueArn)?.name ?? (first.queueArn || '(unknown queue)');
  const more = messages.length > 1 ? ` (${messages.length} such messages in this batch)` : '';
  return {
    code: FindingCode.INVOCATION_FAILED,
    severity: DECLARATION.severity,
    message: `A message on dead-letter queue ${queue} is not a Scheduler dead-letter event: ${first.reason}${more}. It is alerted on and then deleted; its body is in the consumer's log.`,
    evidence: {
      queueArn: first.queueArn,
      messageId: first.messageId,
      occurrences: messages.length,
      reason: first.reason,
      attributeNames: first.attributeNames,
      bodyExcerpt: clipText(first.body, BODY_EXCERPT_LIMIT),
    },
    fix: `aws sqs receive-message --queue-url "$(aws sqs get-queue-url --queue-name ${queue} --query QueueUrl --output text)" --message-attribute-names All --max-number-of-messages 10 --visibility-timeout 0`,
    runbook: DECLARATION.runbook,
  };
}

/**
 * The one repair command an alert email shows: the findings' own when they agree, else a check of
 * the group they share, else of everything.
 */
export function deadLetterFixCommand(findings: readonly Finding[]): string {
  const fixes = [...new Set(findings.map((f) => f.fix))];
  if (fixes.length === 1) return fixes[0]!;
  const groups = new Set(findings.flatMap((f) => (f.schedule ? [f.schedule.group] : [])));
  const [group] = groups;
  return groups.size === 1 && group !== undefined ? `ops check-schedulers --group ${group}` : 'ops check-schedulers';
}
