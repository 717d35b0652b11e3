import 'aws-sdk-client-mock-vitest/extend';
import { NoSuchBucket, PutObjectCommand, S3Client, S3ServiceException, type S3ClientConfig } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createStatusPagePublisher, createStatusPageS3Client, MAX_PRESIGN_SECONDS, statusPageKey } from '../../../src/aws/status-page-publisher.ts';
import { FaultError, UserError } from '../../../src/errors.ts';

const s3Mock = mockClient(S3Client);
// Presigning is local: fixed fake keys, no network.
const KEYS = { accessKeyId: 'AKIDSTATUSPAGE', secretAccessKey: 'fake-secret-for-tests' };
const RUN_AT = new Date('2026-01-29T16:35:00.000Z');
const SIGNED_AT = new Date('2026-01-29T16:36:07.000Z');
const HTML = '<!doctype html><html lang="en"><head><title>Status</title></head><body>ok</body></html>';

const client = (credentials: S3ClientConfig['credentials'] = KEYS) => new S3Client({ region: 'us-east-1', credentials });
const publisherWith = (overrides: Partial<Parameters<typeof createStatusPagePublisher>[0]> = {}) =>
  createStatusPagePublisher({ s3: client(), bucket: 'ops-status-abc', expiresInSeconds: 24 * 3600, clock: () => SIGNED_AT, ...overrides });

beforeEach(() => {
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).resolves({ ETag: '"e1"' });
});

describe('createStatusPagePublisher', () => {
  it('puts the page under status/<run instant>.html: HTML, not cached, encrypted with SSE-S3', async () => {
    const page = await publisherWith().publish(HTML, RUN_AT);

    expect(page.key).toBe('status/2026-01-29T16-35-00.000Z.html');
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(s3Mock.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'ops-status-abc',
      Key: 'status/2026-01-29T16-35-00.000Z.html',
      Body: HTML,
      ContentType: 'text/html; charset=utf-8',
      CacheControl: 'no-store',
      ServerSideEncryption: 'AES256',
    });
  });

  it('returns a presigned GET of exactly that object, valid for the configured seconds from the signing time', async () => {
    const page = await publisherWith().publish(HTML, RUN_AT);
    const url = new URL(page.url);

    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('ops-status-abc.s3.us-east-1.amazonaws.com');
    expect(url.pathname).toBe('/status/2026-01-29T16-35-00.000Z.html');
    const q = url.searchParams;
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Expires')).toBe('86400');
    expect(q.get('X-Amz-Date')).toBe('20260129T163607Z');
    expect(q.get('X-Amz-Credential')).toBe('AKIDSTATUSPAGE/20260129/us-east-1/s3/aws4_request');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(q.get('X-Amz-Security-Token')).toBeNull();
    expect(page.expiresAt).toEqual(new Date(SIGNED_AT.getTime() + 86_400_000));
    expect(page.mayExpireEarlier).toBe(false);
    // Signed over the key: another run's page gets another signature.
    const other = await publisherWith().publish(HTML, new Date(RUN_AT.getTime() + 300_000));
    expect(new URL(other.url).searchParams.get('X-Amz-Signature')).not.toBe(q.get('X-Amz-Signature'));
  });

  it('keys under a prefix and encrypts with the KMS key when one is configured', async () => {
    const page = await publisherWith({ prefix: 'prod', kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k1', expiresInSeconds: 3600 }).publish(HTML, RUN_AT);

    expect(page.key).toBe('prod/status/2026-01-29T16-35-00.000Z.html');
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: 'prod/status/2026-01-29T16-35-00.000Z.html', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k1' });
    expect(new URL(page.url).pathname).toBe('/prod/status/2026-01-29T16-35-00.000Z.html');
    expect(new URL(page.url).searchParams.get('X-Amz-Expires')).toBe('3600');
  });

  it('ends the link when the signing credentials expire, if they say when', async () => {
    const expiration = new Date(SIGNED_AT.getTime() + 2 * 3600_000);
    const page = await publisherWith({ s3: client({ ...KEYS, sessionToken: 'session-token', expiration }) }).publish(HTML, RUN_AT);

    expect(page.expiresAt).toEqual(expiration);
    expect(page.mayExpireEarlier).toBe(false);
    expect(new URL(page.url).searchParams.get('X-Amz-Security-Token')).toBe('session-token');
    // The URL itself keeps the configured lifetime; the credentials cut it short.
    expect(new URL(page.url).searchParams.get('X-Amz-Expires')).toBe('86400');
  });

  it('flags a link signed with temporary credentials of unknown expiry (a Lambda role from the environment)', async () => {
    const page = await publisherWith({ s3: client({ ...KEYS, sessionToken: 'session-token' }) }).publish(HTML, RUN_AT);

    expect(page.expiresAt).toEqual(new Date(SIGNED_AT.getTime() + 86_400_000));
    expect(page.mayExpireEarlier).toBe(true);
  });

  it('names the bucket and s3:PutObject when the put is denied', async () => {
    s3Mock.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' }));

    const error = await publisherWith().publish(HTML, RUN_AT).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({
      code: 'STATUS_PAGE_ACCESS_DENIED',
      message: 's3:PutObject of s3://ops-status-abc/status/2026-01-29T16-35-00.000Z.html was denied (AccessDenied: Access Denied).',
      hint: "Grant the healthcheck's role s3:PutObject and s3:GetObject on arn:aws:s3:::ops-status-abc/status/* (the stack does, with config statusPage: true).",
    });
  });

  it('says the bucket is missing, and reports any other failure as a fault naming the call', async () => {
    s3Mock.on(PutObjectCommand).rejects(new NoSuchBucket({ $metadata: { httpStatusCode: 404 }, message: 'The specified bucket does not exist' }));
    expect(await publisherWith().publish(HTML, RUN_AT).catch((e: unknown) => e)).toMatchObject({ code: 'STATUS_BUCKET_MISSING', message: expect.stringContaining('the bucket ops-status-abc does not exist') as unknown });

    s3Mock.on(PutObjectCommand).rejects(Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError' }));
    const fault = await publisherWith().publish(HTML, RUN_AT).catch((e: unknown) => e);
    expect(fault).toBeInstanceOf(FaultError);
    expect(fault).toMatchObject({ code: 'STATUS_PAGE_PUBLISH_FAILED', message: 's3:PutObject of s3://ops-status-abc/status/2026-01-29T16-35-00.000Z.html failed: InternalError: We encountered an internal error.' });
  });

  it('refuses a link lifetime SigV4 would refuse (over 7 days)', () => {
    expect(() => publisherWith({ expiresInSeconds: MAX_PRESIGN_SECONDS + 1 })).toThrow(/1 to 604800 seconds/);
    expect(() => publisherWith({ expiresInSeconds: 0 })).toThrow(UserError);
    expect(() => publisherWith({ expiresInSeconds: MAX_PRESIGN_SECONDS })).not.toThrow();
  });
});

describe('createStatusPageS3Client', () => {
  it('addresses buckets by path against a custom endpoint (moto, LocalStack)', async () => {
    const s3 = createStatusPageS3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:5000', credentials: () => Promise.resolve(KEYS), maxAttempts: 1, retryMode: 'adaptive' });
    const page = await publisherWith({ s3 }).publish(HTML, RUN_AT);

    const url = new URL(page.url);
    expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:5000/ops-status-abc/status/2026-01-29T16-35-00.000Z.html');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('86400');
  });

  it('keeps virtual-hosted addressing on AWS itself', async () => {
    const s3 = createStatusPageS3Client({ region: 'eu-west-1', credentials: () => Promise.resolve(KEYS), maxAttempts: 1, retryMode: 'adaptive' });
    expect(new URL((await publisherWith({ s3 }).publish(HTML, RUN_AT)).url).host).toBe('ops-status-abc.s3.eu-west-1.amazonaws.com');
  });
});

describe('statusPageKey', () => {
  it('is sortable by time and needs no escaping', () => {
    expect(statusPageKey('', RUN_AT)).toBe('status/2026-01-29T16-35-00.000Z.html');
    expect(statusPageKey('a/b/', RUN_AT)).toBe('a/b/status/2026-01-29T16-35-00.000Z.html');
    expect(statusPageKey('', new Date('2026-01-29T09:05:00Z')) < statusPageKey('', new Date('2026-01-29T16:35:00Z'))).toBe(true);
    expect(encodeURIComponent(statusPageKey('', RUN_AT).slice('status/'.length))).toBe('2026-01-29T16-35-00.000Z.html');
  });
});
