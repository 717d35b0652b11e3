/**
 * Issue 12 rows 1 and 2: a check that reads nothing, or a scope that matches nothing, must not pass.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ListScheduleGroupsCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { runCli } from '../../../support/cli-harness.ts';

const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: {} });
type ErrorDoc = { ok: false; error: { kind: string; code: string; message: string; hint?: string; details?: Record<string, unknown> } };
type ReportDoc = { ok: boolean; summary: { schedules: number }; findings: { code: string; severity: string; message: string; evidence: Record<string, unknown> }[] };

let scheduler: AwsClientStub<SchedulerClient>;
beforeEach(() => {
  scheduler = mockClient(SchedulerClient);
  scheduler.on(ListScheduleGroupsCommand).resolves({ ScheduleGroups: [{ Name: 'default' }, { Name: 'ops-pipeline' }] });
  scheduler.on(ListSchedulesCommand).resolves({ Schedules: [] });
});
afterEach(() => scheduler.restore());

describe('ops check-schedulers: a blind check exits 2 or 3, never 0', () => {
  it('a region AWS would reject ("us-east-1 ") is a usage error before any call, even with --fail-on critical', async () => {
    const run = await runCli(['check-schedulers', '--region', 'us-east-1 ', '--fail-on', 'critical', '--json'], { env });
    expect(run.exitCode).toBe(2);
    const doc = run.json() as ErrorDoc;
    expect(doc.error).toMatchObject({ kind: 'user', code: 'INVALID_REGION', hint: 'Pass --region us-east-1.' });
    expect(scheduler.calls()).toHaveLength(0);
  });

  it('a region longer than a hostname label (63 characters) is refused too: the SDK would reject it (found by the fuzz test)', async () => {
    const run = await runCli(['workflow', 'list', '--region', 'a'.repeat(64), '--json'], { env: { ...env, WORKFLOW_TABLE: 't' } });
    expect(run.exitCode).toBe(2);
    expect((run.json() as ErrorDoc).error.code).toBe('INVALID_REGION');
  });

  it('ListSchedules denied → exit 2 ACCESS_DENIED with what to grant, in one JSON document', async () => {
    scheduler.on(ListSchedulesCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform: scheduler:ListSchedules'));
    const run = await runCli(['check-schedulers', '--fail-on', 'critical', '--json'], { env });
    expect(run.exitCode).toBe(2);
    const doc = run.json() as ErrorDoc;
    expect(doc.error.code).toBe('ACCESS_DENIED');
    expect(doc.error.message).toMatch(/^the monitor cannot see: no schedule could be listed; scheduler:ListSchedules failed \(AccessDeniedException\)/);
    expect(doc.error.hint).toContain('Grant scheduler:ListSchedules');
    expect(doc.error.details).toMatchObject({ finding: 'MONITOR_BLIND', cause: 'permission', action: 'scheduler:ListSchedules' });
  });

  it('ListSchedules failing with an AWS error that is not the caller’s → exit 3 MONITOR_BLIND, with a hint and no "this is a bug"', async () => {
    scheduler.on(ListSchedulesCommand).rejects(awsError('ValidationException', 'the service is having a bad day'));
    const run = await runCli(['check-schedulers'], { env });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('fault [MONITOR_BLIND]: the monitor cannot see');
    expect(run.stderr).toContain('hint: Re-run in a minute');
    expect(run.stderr).not.toContain('This is a bug');
    expect(run.stdout).toBe('');
  });
});

describe('ops check-schedulers: an empty scope is SCOPE_EMPTY, exit 1 under the default --fail-on warning', () => {
  it('--group nosuch-group names the scope and the groups that exist', async () => {
    const run = await runCli(['check-schedulers', '--group', 'nosuch-group', '--json'], { env });
    expect(run.exitCode).toBe(1);
    const doc = run.json() as ReportDoc;
    expect(doc.ok).toBe(false);
    expect(doc.findings.map((f) => [f.code, f.severity])).toEqual([['SCOPE_EMPTY', 'warning']]);
    expect(doc.findings[0]?.message).toBe('no schedule matches --group nosuch-group in us-east-1 (no schedule group named "nosuch-group"; groups: default, ops-pipeline): nothing was checked; list the groups with `aws scheduler list-schedule-groups --region us-east-1`');
    expect(doc.findings[0]?.evidence).toMatchObject({ groupMissing: true, groups: ['default', 'ops-pipeline'] });
  });

  it('--name-prefix zzz: exit 1, and the text says why', async () => {
    const run = await runCli(['check-schedulers', '--name-prefix', 'zzz'], { env });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('SCOPE_EMPTY');
    expect(run.stdout).toContain('no schedule matches --name-prefix zzz in us-east-1: nothing was checked; list the groups with `aws scheduler list-schedule-groups --region us-east-1`');
    expect(run.stdout).toContain('runbooks/SCOPE_EMPTY.md');
  });

  it('with --fail-on critical the warning is still printed, and the exit is 0', async () => {
    const run = await runCli(['check-schedulers', '--name-prefix', 'zzz', '--fail-on', 'critical', '--json'], { env });
    expect(run.exitCode).toBe(0);
    expect((run.json() as ReportDoc).findings.map((f) => f.code)).toEqual(['SCOPE_EMPTY']);
  });
});

describe('ops healthcheck: a blind check', () => {
  it('exits 2, counts CheckErrors, previews the alert, and says the reason once (row 7: it printed it twice)', async () => {
    scheduler.on(ListSchedulesCommand).rejects(awsError('UnrecognizedClientException', 'The security token included in the request is invalid.'));
    const run = await runCli(['healthcheck', '--alert-state', '/dev/null/none.json'], { env });
    expect(run.exitCode).toBe(2);
    const all = `${run.stdout}${run.stderr}`;
    expect(all.split('The security token included in the request is invalid.')).toHaveLength(2);
    expect(run.stdout).toMatch(/CheckErrors +1/);
    expect(run.stdout).toContain('error: NO_CREDENTIALS: the check could not see');
    expect(run.stdout).toContain('hint: Set AWS_PROFILE');
  });

  it('--json: one document with the blind report and the counters', async () => {
    scheduler.on(ListSchedulesCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform: scheduler:ListSchedules'));
    const run = await runCli(['healthcheck', '--json', '--alert-state', '/dev/null/none.json'], { env });
    expect(run.exitCode).toBe(2);
    const doc = run.json() as { ok: boolean; counters: { checkErrors: number }; report: { blind?: { code: string } } };
    expect(doc).toMatchObject({ ok: false, counters: { checkErrors: 1 }, report: { blind: { code: 'ACCESS_DENIED' } } });
  });
});
