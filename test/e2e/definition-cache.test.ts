/**
 * The schedule-definition cache on the sandbox's real DynamoDB and Scheduler APIs, through the CLI
 * in-process: every `ops check-schedulers` run builds new clients, ports and an empty in-memory cache
 * (a cold process), so only the table carries definitions from one run to the next. After a first run
 * fills it, a second makes no GetSchedule; after an UpdateSchedule of one schedule, exactly one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetScheduleCommand, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureScheduleDefinitionTable } from '../../src/aws/schedule-definition-store.ts';
import type { CheckReport } from '../../src/checks/report.ts';
import type { HealthcheckResult } from '../../src/healthcheck/run-healthcheck.ts';
import { runCli } from '../support/cli-harness.ts';
import { seededSandbox, type SeededSandbox } from './sandbox-harness.ts';

const TABLE = 'ops-schedule-definitions-e2e';
const START = new Date('2026-11-23T14:30:00Z');
const AT = new Date('2026-11-23T14:45:00Z');

let sb: SeededSandbox;

async function check(at: Date, options: { flag?: boolean; env?: Record<string, string> } = {}) {
  const run = await runCli(['check-schedulers', '--json', '--at', at.toISOString(), ...(options.flag === false ? [] : ['--definition-cache-table', TABLE])], {
    env: { AWS_ENDPOINT_URL: sb.endpoint, AWS_REGION: sb.scenario.region, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', ...options.env },
    now: () => at,
  });
  const report = run.json() as CheckReport;
  return { exitCode: run.exitCode, report, calls: report.calls ?? {}, stderr: run.stderr };
}

const findingsOf = (report: CheckReport) => report.findings.map((f) => [f.schedule?.name ?? f.group ?? '', f.code, f.severity].join(' ')).sort();

beforeAll(async () => {
  sb = await seededSandbox('healthy', START);
  await sb.firer.advanceTo(AT);
  expect(await ensureScheduleDefinitionTable(sb.clients.dynamodb, TABLE)).toMatchObject({ created: true });
});

describe('ensureScheduleDefinitionTable', () => {
  it('is idempotent on an existing table', async () => {
    expect(await ensureScheduleDefinitionTable(sb.clients.dynamodb, TABLE)).toEqual({ created: false, ttlUpdated: false });
  });
});

describe('ops check-schedulers --definition-cache-table over runs of cold processes', () => {
  it('fills the table, then skips GetSchedule for every unchanged schedule, then re-reads exactly the one that changed', async () => {
    const schedules = sb.scenario.schedules.length;
    expect(schedules).toBeGreaterThan(5);

    const first = await check(AT);
    expect(first.calls['Scheduler.GetSchedule']).toBe(schedules);
    expect(first.calls['DynamoDB.BatchWriteItem']).toBe(Math.ceil(schedules / 25));
    expect(first.stderr).not.toMatch(/warning/);

    const second = await check(AT);
    expect(second.calls['Scheduler.GetSchedule'] ?? 0).toBe(0);
    expect(second.calls['DynamoDB.BatchWriteItem'] ?? 0).toBe(0);
    expect(second.exitCode).toBe(first.exitCode);
    expect(findingsOf(second.report)).toEqual(findingsOf(first.report));
    expect(second.report.summary).toEqual(first.report.summary);

    // A write a minute later (moto stamps LastModificationDate from the sandbox clock).
    const victim = sb.scenario.schedules.find((s) => s.target.kind === 'ecs')!;
    const group = victim.group;
    sb.clock.advance(60_000);
    const before = await sb.clients.scheduler.send(new GetScheduleCommand({ GroupName: group, Name: victim.name }));
    await sb.clients.scheduler.send(
      new UpdateScheduleCommand({
        Name: before.Name!,
        GroupName: before.GroupName!,
        ScheduleExpression: before.ScheduleExpression!,
        ...(before.ScheduleExpressionTimezone ? { ScheduleExpressionTimezone: before.ScheduleExpressionTimezone } : {}),
        ...(before.StartDate ? { StartDate: before.StartDate } : {}),
        ...(before.EndDate ? { EndDate: before.EndDate } : {}),
        Description: 'edited by the definition-cache e2e test',
        State: 'DISABLED',
        FlexibleTimeWindow: before.FlexibleTimeWindow!,
        Target: before.Target!,
      }),
    );
    const after = await sb.clients.scheduler.send(new GetScheduleCommand({ GroupName: group, Name: victim.name }));
    expect(after.LastModificationDate?.getTime()).not.toBe(before.LastModificationDate?.getTime());

    // The table named by the environment this time, as a deployed stack's output would be exported.
    const third = await check(AT, { flag: false, env: { OPS_DEFINITION_CACHE_TABLE: TABLE } });
    expect(third.calls['Scheduler.GetSchedule']).toBe(1);
    expect(third.calls['DynamoDB.BatchWriteItem']).toBe(1);
    // The change is seen, not hidden by the cached definition.
    expect(third.report.findings.some((f) => f.schedule?.name === victim.name && f.code === 'SCHEDULE_DISABLED')).toBe(true);

    const fourth = await check(AT);
    expect(fourth.calls['Scheduler.GetSchedule'] ?? 0).toBe(0);
    expect(findingsOf(fourth.report)).toEqual(findingsOf(third.report));
  });

  it('without a table, every run reads every schedule', async () => {
    const run = await check(AT, { flag: false });
    expect(run.calls['Scheduler.GetSchedule']).toBe(sb.scenario.schedules.length);
    expect(run.calls['DynamoDB.BatchWriteItem'] ?? 0).toBe(0);
  });

  it('a table that does not exist costs GetSchedule calls and a warning, not the check', async () => {
    const run = await runCli(['check-schedulers', '--json', '--at', AT.toISOString(), '--definition-cache-table', 'no-such-table'], {
      env: { AWS_ENDPOINT_URL: sb.endpoint, AWS_REGION: sb.scenario.region, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' },
      now: () => AT,
    });
    const report = run.json() as CheckReport;
    expect(report.calls?.['Scheduler.GetSchedule']).toBe(sb.scenario.schedules.length);
    expect(report.summary.schedules).toBe(sb.scenario.schedules.length);
    expect(run.stderr).toMatch(/warning: DynamoDB BatchGetItem failed: schedule-definition cache table "no-such-table" does not exist/);
    expect(run.stderr).toMatch(/warning: DynamoDB BatchWriteItem failed: schedule-definition cache table "no-such-table" does not exist/);
  });
});

describe('ops healthcheck --definition-cache-table', () => {
  it('shares the table: a second cold run makes no GetSchedule', async () => {
    const table = 'ops-schedule-definitions-healthcheck-e2e';
    await ensureScheduleDefinitionTable(sb.clients.dynamodb, table);
    const cwd = await mkdtemp(join(tmpdir(), 'ops-definition-cache-e2e-'));
    try {
      const healthcheck = async () => {
        const run = await runCli(['healthcheck', '--json', '--at', AT.toISOString(), '--definition-cache-table', table], {
          env: { AWS_ENDPOINT_URL: sb.endpoint, AWS_REGION: sb.scenario.region, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' },
          cwd,
          now: () => AT,
        });
        return { calls: (run.json() as HealthcheckResult).report.calls ?? {}, stderr: run.stderr };
      };
      const first = await healthcheck();
      expect(first.calls['Scheduler.GetSchedule']).toBe(sb.scenario.schedules.length);
      expect(first.stderr).not.toMatch(/definition/);
      const second = await healthcheck();
      expect(second.calls['Scheduler.GetSchedule'] ?? 0).toBe(0);
      expect(second.calls['DynamoDB.BatchGetItem']).toBeGreaterThan(0);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
