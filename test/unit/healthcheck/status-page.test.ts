/**
 * The healthcheck's status page: rendered from the run's final report, published before the first
 * email, linked from every email of the run; a failure leaves the emails without the link and is
 * reported, never fatal.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../src/aws/clients.ts';
import { statusPageSettingsFrom } from '../../../src/entry/cli/status-page-options.ts';
import { createHealthcheckDeps } from '../../../src/entry/wiring/healthcheck-aws.ts';
import { healthcheckStatusPageRenderer } from '../../../src/entry/wiring/status-page-render.ts';
import { CHECK_DEFAULTS, type CheckResult } from '../../../src/checks/run-check.ts';
import { loadHealthcheckConfig } from '../../../src/healthcheck/config.ts';
import { resultSummary } from '../../../src/healthcheck/invocation.ts';
import { HealthMetric } from '../../../src/healthcheck/metric-contract.ts';
import { runHealthcheck, type HealthcheckDeps } from '../../../src/healthcheck/run-healthcheck.ts';
import { statusPageLine, type PublishedStatusPage, type StatusPageDeps } from '../../../src/healthcheck/status-page.ts';
import { metricValue, NOW, options, REGION, TOPIC_ARN, world, type World } from './world.ts';

const URL_1 = 'https://ops-status.s3.us-west-2.amazonaws.com/status/2026-11-23T15-00-00.000Z.html?X-Amz-Expires=86400&X-Amz-Signature=abc';
/** NOW + 24 h: Tuesday 10:00 in New York. */
const EXPIRES = new Date('2026-11-24T15:00:00Z');
const LINK_LINE = `Status page (until Tue 2026-11-24 10:00 ET): ${URL_1}`;

interface Recorder {
  events: string[];
  rendered: { check: CheckResult; now: Date; graceMinutes: number }[];
  published: { html: string; now: Date }[];
}

function fakeStatusPage(outcome: PublishedStatusPage | Error, renderError?: Error): StatusPageDeps & Recorder {
  const recorder: Recorder = { events: [], rendered: [], published: [] };
  return {
    ...recorder,
    render: (input) => {
      recorder.events.push('render');
      recorder.rendered.push(input);
      return renderError ? Promise.reject(renderError) : Promise.resolve(`<html>${input.check.report.findings.length}</html>`);
    },
    publisher: {
      publish: (html, now) => {
        recorder.events.push('publish');
        recorder.published.push({ html, now });
        return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
      },
    },
  };
}

const published: PublishedStatusPage = { key: 'status/2026-11-23T15-00-00.000Z.html', url: URL_1, expiresAt: EXPIRES, mayExpireEarlier: false };

let w: World;
beforeEach(() => {
  w = world();
});
afterEach(() => {
  w.restore();
});

const withPage = (statusPage: StatusPageDeps): HealthcheckDeps => ({ ...w.deps, statusPage });

describe('runHealthcheck with a status page', () => {
  it('publishes the page of the final report before the email, and the email ends with its link', async () => {
    const page = fakeStatusPage(published);
    const result = await runHealthcheck(withPage(page), options());

    expect(page.rendered).toHaveLength(1);
    expect(page.rendered[0]!.check.report).toBe(result.report);
    expect(page.rendered[0]!.now).toEqual(NOW);
    expect(page.rendered[0]!.graceMinutes).toBe(options().graceMinutes ?? CHECK_DEFAULTS.graceMinutes);
    expect(page.published).toEqual([{ html: `<html>${result.report.findings.length}</html>`, now: NOW }]);
    expect(result.statusPage).toEqual({ url: URL_1, key: 'status/2026-11-23T15-00-00.000Z.html', expiresAt: '2026-11-24T15:00:00.000Z' });
    expect(result.errors).toEqual([]);
    expect(w.published).toHaveLength(1);
    expect(w.published[0]!.Message!.trimEnd().split('\n').at(-1)).toBe(LINK_LINE);
    expect(w.published[0]!.Message).toContain('ops-pipeline-dispatcher');
    expect(w.log.lines.filter((l) => l.message === 'status page published').map((l) => l.fields)).toEqual([{ statusPage: { key: 'status/2026-11-23T15-00-00.000Z.html', expiresAt: '2026-11-24T15:00:00.000Z' } }]);
  });

  it('sends the email without the link when publishing fails, says why, and records the error without failing the run', async () => {
    const denied = new Error('s3:PutObject of s3://ops-status/status/2026-11-23T15-00-00.000Z.html was denied (AccessDenied: Access Denied).');
    const page = fakeStatusPage(denied);
    const result = await runHealthcheck(withPage(page), options());

    expect(result.alert).toMatchObject({ status: 'decided', send: true, sent: true });
    expect(w.published).toHaveLength(1);
    const body = w.published[0]!.Message!;
    expect(body).not.toContain('https://');
    expect(body).toContain('Status page: not published this run (Error: s3:PutObject of s3://ops-status/status/2026-11-23T15-00-00.000Z.html was denied');
    expect(result.statusPage).toEqual({ error: `Error: ${denied.message}` });
    expect(result.errors).toEqual([{ stage: 'status-page', message: `Error: ${denied.message}` }]);
    expect(w.log.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual(['status page not published; the emails go out without its link']);
    // The check was fine: no CheckError, and the alarm on it stays quiet.
    expect(metricValue(w.sink, HealthMetric.CheckErrors)).toBe(0);
    expect(metricValue(w.sink, HealthMetric.AlertPublishFailures)).toBe(0);
  });

  it('treats a renderer that throws like a failed publish: nothing is stored, the email still goes', async () => {
    const page = fakeStatusPage(published, new TypeError('report.findings is not iterable'));
    const result = await runHealthcheck(withPage(page), options());

    expect(page.events).toEqual(['render']);
    expect(result.statusPage).toEqual({ error: 'TypeError: report.findings is not iterable' });
    expect(w.published).toHaveLength(1);
    expect(w.published[0]!.Message).not.toContain(URL_1);
  });

  it('links the page from every email of the run: the self-healed one and the alert, both after the fix', async () => {
    const page = fakeStatusPage(published);
    const result = await runHealthcheck(withPage(page), options({ autoFix: true, maxChanges: 2 }));

    expect(result.autoFix).toMatchObject({ status: 'applied', healed: 2 });
    // One page, of the healed state, published before either email.
    expect(page.rendered).toHaveLength(1);
    expect(page.rendered[0]!.check.report.findings.filter((f) => f.code === 'TARGET_CLUSTER_NOT_FOUND')).toEqual([]);
    expect(result.selfHealedEmail).toMatchObject({ sent: true });
    expect(w.published.map((e) => e.Subject?.split(' ')[0])).toContain('[AUTO-FIXED]');
    for (const email of w.published) expect(email.Message!.trimEnd().split('\n').at(-1), email.Subject).toBe(LINK_LINE);
  });

  it('publishes without notify too (the CLI prints the link), and is absent from the result when off', async () => {
    const page = fakeStatusPage(published);
    const previewed = await runHealthcheck(withPage(page), options({ notify: false }));
    expect(previewed.statusPage).toMatchObject({ url: URL_1 });
    expect(w.published).toEqual([]);

    const off = await runHealthcheck(w.deps, options());
    expect(off).not.toHaveProperty('statusPage');
    expect(w.published[0]!.Message).not.toContain('Status page');
  });
});

describe('statusPageLine', () => {
  it('says until when the link works, and that role credentials may end it sooner when their expiry is unknown', () => {
    const outcome = { url: URL_1, key: 'k', expiresAt: EXPIRES.toISOString() };
    expect(statusPageLine(outcome)).toBe(LINK_LINE);
    expect(statusPageLine({ ...outcome, mayExpireEarlier: true })).toBe(`Status page (until Tue 2026-11-24 10:00 ET at the latest; role credentials may end it sooner): ${URL_1}`);
    expect(statusPageLine(outcome, 'UTC')).toBe(`Status page (until Tue 2026-11-24 15:00 UTC): ${URL_1}`);
    expect(statusPageLine({ error: 'UserError: denied\nsecond line' })).toBe('Status page: not published this run (UserError: denied second line).');
  });
});

describe('the Lambda summary', () => {
  it('names the page key and expiry but not the presigned URL (the summary is logged)', async () => {
    const result = await runHealthcheck(withPage(fakeStatusPage(published)), options());
    const summary = resultSummary(result);
    expect(summary.statusPage).toEqual({ key: 'status/2026-11-23T15-00-00.000Z.html', expiresAt: '2026-11-24T15:00:00.000Z' });
    expect(JSON.stringify(summary)).not.toContain('X-Amz-Signature');
  });
});

describe('the AWS wiring (real adapter, mocked S3)', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());

  const wired = () => {
    const clients = createAwsClients({ region: REGION }, { AWS_ACCESS_KEY_ID: 'AKIDWIRED', AWS_SECRET_ACCESS_KEY: 'testing' });
    const deps = createHealthcheckDeps(clients, {
      metrics: w.sink,
      log: w.log,
      alerts: { store: w.store, topicArn: TOPIC_ARN },
      statusPage: { bucket: 'ops-status-wired', prefix: '', linkHours: 6 },
      clock: () => new Date('2026-11-23T15:00:30Z'),
    });
    return deps;
  };

  it('puts the rendered page in the bucket and links a presigned URL to it from the email', async () => {
    s3.on(PutObjectCommand).resolves({});
    const result = await runHealthcheck(wired(), options());

    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ Bucket: 'ops-status-wired', Key: 'status/2026-11-23T15-00-00.000Z.html', ContentType: 'text/html; charset=utf-8', ServerSideEncryption: 'AES256' });
    // The real page, from the run's own report: its title and every finding of it.
    expect(put.Body).toEqual(expect.stringContaining(`<title>ops status · ${REGION}</title>`));
    expect((put.Body as string).match(/<li class="finding"/g)).toHaveLength(result.report.findings.length);
    expect(result.statusPage).toMatchObject({ key: 'status/2026-11-23T15-00-00.000Z.html', expiresAt: '2026-11-23T21:00:30.000Z' });
    const url = 'url' in result.statusPage! ? new URL(result.statusPage.url) : undefined;
    expect(url?.host).toBe('ops-status-wired.s3.us-west-2.amazonaws.com');
    expect(url?.searchParams.get('X-Amz-Expires')).toBe(String(6 * 3600));
    expect(w.published[0]!.Message).toContain(`Status page (until Mon 2026-11-23 16:00 ET): ${url?.href}`);
  });

  it('sends the email without a link when S3 denies the put, naming the bucket and s3:PutObject', async () => {
    s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' }));
    const result = await runHealthcheck(wired(), options());

    expect(result.alert).toMatchObject({ sent: true });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ stage: 'status-page' });
    expect(result.errors[0]!.message).toMatch(/^UserError: s3:PutObject of s3:\/\/ops-status-wired\/status\/2026-11-23T15-00-00\.000Z\.html was denied \(AccessDenied: Access Denied\)\.$/);
    expect(w.published[0]!.Message).not.toContain('X-Amz-');
  });
});

describe('the renderer the healthcheck publishes with', () => {
  it('draws the whole page from the run\'s own check (no second check), with the repair history of its audit log', async () => {
    const page = fakeStatusPage(published);
    await runHealthcheck(withPage(page), options({ notify: false }));
    const { check } = page.rendered[0]!;
    const audit = { path: 'dynamodb://ops-remediation/AUDIT', append: () => Promise.resolve(), readAll: () => Promise.resolve([]) };
    const html = await healthcheckStatusPageRenderer({ audit })({ check, now: NOW, graceMinutes: 2 });
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain(`<main id="status-main" data-generated-at="${check.report.generatedAt}">`);
    for (const s of check.report.schedules) expect(html).toContain(`<th scope="row">${s.group}/${s.name}</th>`);
    expect(html.match(/<li class="finding"/g)).toHaveLength(check.report.findings.length);
    // No ledger here: no run can be confirmed, and the page says so instead of showing misses.
    expect(html).toContain('No run ledger is configured');
    expect(html).not.toContain('<td class="cell missed');
    expect(html).toContain('No repairs recorded in DynamoDB table ops-remediation.');
    // The Lambda ships no runbooks: each is named by its path.
    expect(html).toContain('Runbook: <code>runbooks/');
    expect(html).not.toMatch(/<script|<link /);
  });
});

describe('configuration', () => {
  const BASE = { AWS_REGION: REGION, ALERT_TOPIC_ARN: TOPIC_ARN, ALERT_STATE_TABLE: 'ops-alert-state' };

  it('is off without STATUS_BUCKET, on with it: prefix normalised, link hours default 24', () => {
    expect(loadHealthcheckConfig(BASE).statusPage).toBeUndefined();
    expect(loadHealthcheckConfig({ ...BASE, STATUS_BUCKET: '' }).statusPage).toBeUndefined();
    expect(loadHealthcheckConfig({ ...BASE, STATUS_BUCKET: 'ops-status-abc' }).statusPage).toEqual({ bucket: 'ops-status-abc', prefix: '', linkHours: 24 });
    expect(loadHealthcheckConfig({ ...BASE, STATUS_BUCKET: 'ops-status-abc', STATUS_PREFIX: 'prod', STATUS_LINK_HOURS: '6', STATUS_KMS_KEY_ID: 'alias/ops' }).statusPage).toEqual({
      bucket: 'ops-status-abc',
      prefix: 'prod/',
      linkHours: 6,
      kmsKeyId: 'alias/ops',
    });
  });

  it('refuses a bad bucket name, a link over 7 days, and status settings without a bucket', () => {
    expect(() => loadHealthcheckConfig({ ...BASE, STATUS_BUCKET: 'Ops_Status' })).toThrow(/STATUS_BUCKET must be an S3 bucket name/);
    expect(() => loadHealthcheckConfig({ ...BASE, STATUS_BUCKET: 'ops-status', STATUS_LINK_HOURS: '169' })).toThrow(/STATUS_LINK_HOURS must be at most 168/);
    expect(() => loadHealthcheckConfig({ ...BASE, STATUS_BUCKET: 'ops-status', STATUS_PREFIX: '/abs' })).toThrow(/STATUS_PREFIX must be an S3 key prefix/);
    expect(() => loadHealthcheckConfig({ ...BASE, STATUS_PREFIX: 'prod', STATUS_LINK_HOURS: '2' })).toThrow(/STATUS_PREFIX only applies with STATUS_BUCKET; STATUS_LINK_HOURS only applies with STATUS_BUCKET/);
  });

  it('reads the CLI flags, else the same variables, with the same rules', () => {
    expect(statusPageSettingsFrom({}, {})).toBeUndefined();
    expect(statusPageSettingsFrom({ statusBucket: 'ops-status' }, {})).toEqual({ bucket: 'ops-status', prefix: '', linkHours: 24 });
    expect(statusPageSettingsFrom({}, { STATUS_BUCKET: 'env-bucket', STATUS_PREFIX: 'a/b', STATUS_LINK_HOURS: '2' })).toEqual({ bucket: 'env-bucket', prefix: 'a/b/', linkHours: 2 });
    expect(statusPageSettingsFrom({ statusBucket: 'flag-bucket', statusLinkHours: 1 }, { STATUS_BUCKET: 'env-bucket' })).toEqual({ bucket: 'flag-bucket', prefix: '', linkHours: 1 });
    expect(() => statusPageSettingsFrom({ statusBucket: 'ops-status', statusLinkHours: 200 }, {})).toThrow(/--status-link-hours "200" must be at most 168/);
    expect(() => statusPageSettingsFrom({ statusLinkHours: 2 }, {})).toThrow(/only apply with a status bucket/);
  });
});
