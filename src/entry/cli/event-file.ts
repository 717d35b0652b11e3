/**
 * `ops healthcheck --event FILE`: what the change rule would deliver, read from a file (saved from the
 * console, a log line, or the sandbox): one EventBridge event, a JSON list of them, or the SQS batch
 * the healthcheck's event source hands the Lambda. A list or a batch is one run, as in the Lambda.
 * Stricter than the Lambda: a person who hands in a file that cannot scope a check gets exit 2 and
 * what to do, instead of a full check with an error (`ops healthcheck` without --event is the full
 * check).
 */
import { readFile } from 'node:fs/promises';
import { changeRecordsOf } from '../../checks/change-batch.ts';
import { CHANGE_EVENTS, CLOUDTRAIL_DETAIL_TYPE } from '../../checks/change-event.ts';
import { clipText } from '../../clip-text.ts';
import { UserError } from '../../errors.ts';
import { healthcheckTrigger, type HealthcheckTrigger } from '../../healthcheck/change-trigger.ts';

const EVENT_NAMES = Object.values(CHANGE_EVENTS).flatMap((s) => [...s.eventNames]).join(', ');
const SHAPE_HINT = `Pass the whole EventBridge event (with "detail-type": "${CLOUDTRAIL_DETAIL_TYPE}" and its "detail"), for ${EVENT_NAMES}, a JSON list of such events, or an SQS batch of them ({"Records": [{"eventSource": "aws:sqs", "body": "<event JSON>", …}]}); or run \`ops healthcheck\` without --event for the full check.`;

export type EventFileTrigger = Extract<HealthcheckTrigger, { kind: 'change' | 'ignored' }>;

export async function readEventFile(path: string, shown: string): Promise<EventFileTrigger> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError('EVENT_FILE_UNREADABLE', `--event ${clipText(shown)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, 'Pass the path of a JSON file holding one EventBridge event.', { cause: error });
  }
  let event: unknown;
  try {
    event = JSON.parse(text) as unknown;
  } catch (error) {
    throw new UserError('EVENT_FILE_INVALID', `--event ${clipText(shown)} is not JSON: ${error instanceof Error ? error.message : String(error)}.`, SHAPE_HINT, { cause: error });
  }
  if (changeRecordsOf(event) === undefined) {
    throw new UserError('EVENT_FILE_INVALID', `--event ${clipText(shown)} is not a CloudTrail API-call event (its "detail-type" is not "${CLOUDTRAIL_DETAIL_TYPE}"), nor a list or an SQS batch of them.`, SHAPE_HINT);
  }
  const trigger = healthcheckTrigger(event);
  switch (trigger.kind) {
    case 'change':
    case 'ignored':
      return trigger;
    case 'unscoped-change':
      throw new UserError('EVENT_FILE_UNSCOPABLE', `--event ${clipText(shown)} cannot scope a check: ${trigger.reason}.`, SHAPE_HINT);
    case 'schedule':
      // changeRecordsOf said otherwise; kept for the exhaustive switch.
      throw new UserError('EVENT_FILE_INVALID', `--event ${clipText(shown)} is not a CloudTrail API-call event.`, SHAPE_HINT);
  }
}
