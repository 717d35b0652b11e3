import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSnsNotifier, PublishFailedError, snsMessage, snsSubject, SNS_MESSAGE_MAX_BYTES } from '../../../src/aws/sns-notifier.ts';

const TOPIC = 'arn:aws:sns:us-west-2:123456789012:ops-alerts';
const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

describe('createSnsNotifier', () => {
  it('publishes the subject and the plain-text body to the topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'abc-1' });

    const out = await createSnsNotifier(new SNSClient({ region: 'us-west-2' }), TOPIC).publish({ subject: '[CRITICAL] 12 schedules target missing cluster ops-pipeline', body: 'line 1\nline 2\n' });

    expect(out).toEqual({ messageId: 'abc-1' });
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input)).toEqual([
      { TopicArn: TOPIC, Subject: '[CRITICAL] 12 schedules target missing cluster ops-pipeline', Message: 'line 1\nline 2\n' },
    ]);
  });

  it('throws PublishFailedError naming the topic and the AWS error for a missing topic', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' }));

    const publish = createSnsNotifier(new SNSClient({ region: 'us-west-2' }), TOPIC).publish({ subject: 's', body: 'b' });

    await expect(publish).rejects.toBeInstanceOf(PublishFailedError);
    await expect(publish).rejects.toMatchObject({ topicArn: TOPIC, errorName: 'NotFoundException', message: `sns:Publish to ${TOPIC} failed: NotFoundException: Topic does not exist` });
  });
});

describe('snsSubject', () => {
  it('keeps a subject that fits', () => {
    expect(snsSubject('[RESOLVED] all schedules healthy again')).toBe('[RESOLVED] all schedules healthy again');
  });

  it('puts it on one line without control characters, at most 100 characters', () => {
    expect(snsSubject('two\nlines\tand\u0007bell')).toBe('two lines and bell');
    const long = snsSubject(`[CRITICAL] ${'x'.repeat(200)}`);
    expect([...long]).toHaveLength(100);
    expect(long.endsWith('…')).toBe(true);
    expect(snsSubject('  \n ')).toBe('ops healthcheck');
  });
});

describe('snsMessage', () => {
  it('cuts a body over 256 KB with a note, on a character boundary', () => {
    const body = '€'.repeat(SNS_MESSAGE_MAX_BYTES);
    const cut = snsMessage(body);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(SNS_MESSAGE_MAX_BYTES);
    expect(cut).toContain('[truncated');
    expect(cut).not.toContain('\uFFFD');
    expect(snsMessage('short')).toBe('short');
  });
});
