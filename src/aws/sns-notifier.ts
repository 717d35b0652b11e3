/**
 * Sends an alert email through SNS: one Publish to the alert topic with a Subject (what an email
 * subscriber sees as the subject line) and the plain-text body as the Message.
 *
 * SNS rejects a Subject over 100 characters or with line breaks or control characters, so the subject
 * is made to fit rather than losing the whole email over one stray newline. A Message over 256 KB is
 * cut with a note, for the same reason. A failed Publish (missing topic, denied, throttled
 * after retries) is thrown to the caller, which counts it and carries on.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notifier } from '../alerts/notifier.ts';
import { errorMessage, errorName } from '../aws-error.ts';

export type { EmailMessage, Notifier } from '../alerts/notifier.ts';

export const SNS_SUBJECT_MAX = 100;
/** SNS's Message limit is 262,144 bytes; keep room for the truncation note. */
export const SNS_MESSAGE_MAX_BYTES = 262_144;

export class PublishFailedError extends Error {
  constructor(
    readonly topicArn: string,
    readonly errorName: string,
    message: string,
    options: { cause: unknown },
  ) {
    super(`sns:Publish to ${topicArn} failed: ${errorName}: ${message}`, options);
    this.name = 'PublishFailedError';
  }
}

export function createSnsNotifier(client: SNSClient, topicArn: string): Notifier {
  return {
    destination: topicArn,
    async publish(message) {
      try {
        const out = await client.send(new PublishCommand({ TopicArn: topicArn, Subject: snsSubject(message.subject), Message: snsMessage(message.body) }));
        return { messageId: out.MessageId ?? '' };
      } catch (cause) {
        throw new PublishFailedError(topicArn, errorName(cause), errorMessage(cause), { cause });
      }
    },
  };
}

/**
 * A Subject SNS accepts: UTF-8 on one line without control characters, at most 100 characters.
 * The alert renderer already fits its subjects; this is the last line of defence for any caller.
 */
export function snsSubject(subject: string): string {
  const line = subject.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/ {2,}/g, ' ').trim();
  if (line === '') return 'ops healthcheck';
  const chars = [...line];
  return chars.length <= SNS_SUBJECT_MAX ? line : `${chars.slice(0, SNS_SUBJECT_MAX - 1).join('').trimEnd()}…`;
}

export function snsMessage(body: string): string {
  if (Buffer.byteLength(body, 'utf8') <= SNS_MESSAGE_MAX_BYTES) return body;
  const note = '\n\n[truncated: the message exceeded the SNS size limit; run `ops healthcheck` for the full report]\n';
  const room = SNS_MESSAGE_MAX_BYTES - Buffer.byteLength(note, 'utf8');
  // Cut on a character boundary: decoding a byte slice may split the last multi-byte character.
  const cut = Buffer.from(body, 'utf8').subarray(0, room).toString('utf8').replace(/\uFFFD$/, '');
  return cut + note;
}
