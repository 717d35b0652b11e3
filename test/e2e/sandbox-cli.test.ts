/**
 * `ops sandbox up` and `ops sandbox down` as real child processes: up prints its endpoint once ready,
 * a plain SDK client in this process sees the seeded schedules through it, and down leaves nothing
 * running. This test starts its own moto (through `up`), separate from the shared one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient, UpdateScheduleCommand, type ScheduleSummary } from '@aws-sdk/client-scheduler';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthcheckResult } from '../../src/healthcheck/run-healthcheck.ts';
import { parseAccountsFile } from '../../src/org/accounts-file.ts';
import { isAlive } from '../../src/sandbox/process-control.ts';
import { readSandboxState } from '../../src/sandbox/state-file.ts';
import { childEnv } from '../support/child-env.ts';
import { runCli } from '../support/cli-harness.ts';

const OPS = resolve(import.meta.dirname, '../../bin/ops.mjs');

interface ReadyDocument {
  endpoint: string;
  region: string;
  scenario: string;
  schedules: number;
  pids: { ops: number; moto: number };
  env: Record<string, string>;
  clock: { kind: string; start?: string; day?: string; dayKind?: string };
  changeEvents: { detecting: boolean; rule: string; queueName: string; queueUrl: string; queueArn: string };
  definitionCacheTable: string;
}

const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

function run(args: string[], cwd: string): ChildProcess {
  // Only the test's own PATH/HOME reach the child: no AWS settings from the developer's shell.
  return spawn(process.execPath, [OPS, ...args], { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
}

function collect(child: ChildProcess): { stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { stdout: () => out, stderr: () => err, exit };
}

/** The one JSON document `up --json` prints once ready (it keeps running afterwards). */
async function readyDocument(up: ReturnType<typeof collect>, timeoutMs: number): Promise<ReadyDocument> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void up.exit.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      return JSON.parse(up.stdout()) as ReadyDocument;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`ops sandbox up did not print its document (exited: ${exited}).\nstdout:\n${up.stdout()}\nstderr:\n${up.stderr()}`);
}

describe('ops sandbox up / down as child processes', () => {
  let cwd: string;
  let up: ReturnType<typeof collect>;
  let upProcess: ChildProcess;
  let doc: ReadyDocument;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ops-sandbox-cli-'));
    upProcess = run(['sandbox', 'up', '--scenario', 'incident-2026-01-29', '--json'], cwd);
    up = collect(upProcess);
    doc = await readyDocument(up, 45_000);
  });

  afterAll(async () => {
    // Whatever happened above, leave nothing behind.
    for (const pid of [doc?.pids.moto, doc?.pids.ops, upProcess?.pid]) {
      if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await rm(cwd, { recursive: true, force: true });
  });

  it('prints the endpoint and the environment once ready, and records its state', () => {
    expect(doc.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(doc.env).toEqual({
      AWS_ENDPOINT_URL: doc.endpoint,
      AWS_REGION: 'us-west-2',
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      OPS_DEFINITION_CACHE_TABLE: 'ops-schedule-definitions',
    });
    expect(doc).toMatchObject({ scenario: 'incident-2026-01-29', schedules: 13, pids: { ops: upProcess.pid } });
    expect(doc.changeEvents).toEqual({
      detecting: false,
      rule: 'ops-sandbox-schedule-changes',
      queueName: 'ops-sandbox-schedule-changes',
      queueUrl: expect.stringMatching(/\/123456789012\/ops-sandbox-schedule-changes$/) as unknown,
      queueArn: 'arn:aws:sqs:us-west-2:123456789012:ops-sandbox-schedule-changes',
    });
    expect(doc.definitionCacheTable).toBe('ops-schedule-definitions');
    expect(isAlive(doc.pids.moto)).toBe(true);
    expect(existsSync(join(cwd, '.ops', 'sandbox.json'))).toBe(true);
  });

  it('records the change queue and the cache table in its state file', async () => {
    expect(await readSandboxState(join(cwd, '.ops', 'sandbox.json'))).toMatchObject({ changeQueueUrl: doc.changeEvents.queueUrl, definitionCacheTable: 'ops-schedule-definitions', firing: false });
  });

  it('has created the definition-cache table (TTL on), the change queue and the rule that delivers to it', async () => {
    const config = { endpoint: doc.endpoint, region: doc.region, credentials: CREDENTIALS };
    const dynamo = new DynamoDBClient(config);
    const sqs = new SQSClient(config);
    const events = new EventBridgeClient(config);
    try {
      const table = await dynamo.send(new DescribeTableCommand({ TableName: 'ops-schedule-definitions' }));
      expect(table.Table?.KeySchema).toEqual([{ AttributeName: 'arn', KeyType: 'HASH' }]);
      const ttl = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: 'ops-schedule-definitions' }));
      expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
      expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'ops-sandbox-schedule-changes' }))).QueueUrl).toBe(doc.changeEvents.queueUrl);
      const rule = await events.send(new DescribeRuleCommand({ Name: 'ops-sandbox-schedule-changes' }));
      expect(JSON.parse(rule.EventPattern ?? '{}')).toMatchObject({ 'detail-type': ['AWS API Call via CloudTrail'] });
      const targets = await events.send(new ListTargetsByRuleCommand({ Rule: 'ops-sandbox-schedule-changes' }));
      expect(targets.Targets?.map((t) => t.Arn)).toEqual([doc.changeEvents.queueArn]);
    } finally {
      dynamo.destroy();
      sqs.destroy();
      events.destroy();
    }
  });

  it('serves the 13 incident schedules to a plain SDK client', async () => {
    const client = new SchedulerClient({ endpoint: doc.endpoint, region: doc.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const schedules: ScheduleSummary[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListSchedulesCommand({ MaxResults: 5, ...(token ? { NextToken: token } : {}) }));
      schedules.push(...(page.Schedules ?? []));
      token = page.NextToken;
    } while (token);
    expect(schedules.map((s) => s.Name).sort()).toEqual([
      'ops-pipeline-classifier',
      'ops-pipeline-dispatcher',
      'ops-pipeline-dispatcher-tiny',
      'ops-pipeline-feature-computer-1m',
      'ops-pipeline-healthcheck-5m',
      'ops-pipeline-position-manager',
      'ops-pipeline-rss-ingest',
      'ops-pipeline-signal-engine-1m',
      'ops-pipeline-telemetry-ingestor-1m',
      'ops-pipeline-watchlist-engine-5m',
      'position-manager-1min',
      'ticker-discovery-6h',
      'trade-alert-checker',
    ]);
    const ecs = schedules.filter((s) => s.Target?.Arn?.includes(':ecs:'));
    expect(new Set(ecs.map((s) => s.Target?.Arn))).toEqual(new Set(['arn:aws:ecs:us-west-2:123456789012:cluster/ops-pipeline']));
    client.destroy();
  });

  it('`ops sandbox down` stops both processes and removes the state file', async () => {
    const down = collect(run(['sandbox', 'down', '--json'], cwd));
    expect(await down.exit).toBe(0);
    expect(JSON.parse(down.stdout())).toMatchObject({ ok: true, running: false, stopped: true, pids: doc.pids });
    expect(await up.exit).toBe(0);
    expect(isAlive(doc.pids.ops)).toBe(false);
    expect(isAlive(doc.pids.moto)).toBe(false);
    expect(existsSync(join(cwd, '.ops', 'sandbox.json'))).toBe(false);
    // --json: `up` printed exactly one document, the ready one.
    expect(JSON.parse(up.stdout())).toMatchObject({ status: 'running', endpoint: doc.endpoint });
  });

  it('`ops sandbox down` again says nothing is running and exits 0', async () => {
    const again = collect(run(['sandbox', 'down'], cwd));
    expect(await again.exit).toBe(0);
    expect(again.stdout()).toContain('No sandbox is running');
  });
});

describe('ops sandbox up --fire: change events', () => {
  it('a write after the ready document becomes a CloudTrail event on the queue and a stderr line, which `ops healthcheck --event` checks', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'ops-sandbox-fire-'));
    const upProcess = run(['sandbox', 'up', '--scenario', 'healthy', '--fire', '--tick', '1', '--json'], cwd);
    const up = collect(upProcess);
    let doc: ReadyDocument | undefined;
    const config = (endpoint: string) => ({ endpoint, region: 'us-west-2', credentials: CREDENTIALS });
    try {
      doc = await readyDocument(up, 45_000);
      expect(doc.changeEvents.detecting).toBe(true);
      const scheduler = new SchedulerClient(config(doc.endpoint));
      const sqs = new SQSClient(config(doc.endpoint));
      try {
        // The baseline was taken before the ready document: this write is a change.
        const current = await scheduler.send(new GetScheduleCommand({ GroupName: 'ops-pipeline-market', Name: 'ops-pipeline-dispatcher' }));
        await scheduler.send(
          new UpdateScheduleCommand({
            GroupName: 'ops-pipeline-market',
            Name: 'ops-pipeline-dispatcher',
            ScheduleExpression: current.ScheduleExpression,
            ScheduleExpressionTimezone: current.ScheduleExpressionTimezone,
            FlexibleTimeWindow: current.FlexibleTimeWindow,
            State: current.State,
            Target: { ...current.Target!, Arn: 'arn:aws:ecs:us-west-2:123456789012:cluster/no-such-cluster' },
          }),
        );
        const line = 'change: UpdateSchedule ops-pipeline-market/ops-pipeline-dispatcher → event on the default bus';
        const deadline = Date.now() + 30_000;
        while (!up.stderr().includes(line) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(up.stderr()).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${line}$`, 'm'));
        expect(up.stderr()).not.toContain('change detector');

        const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: doc.changeEvents.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        expect(received.Messages).toHaveLength(1);
        const body = received.Messages?.[0]?.Body ?? '';
        expect(JSON.parse(body)).toMatchObject({
          'detail-type': 'AWS API Call via CloudTrail',
          source: 'aws.scheduler',
          detail: { eventName: 'UpdateSchedule', requestParameters: { Name: 'ops-pipeline-dispatcher', GroupName: 'ops-pipeline-market' } },
        });

        // What the README says to do by hand: the message body as a file, then the change-driven check.
        await writeFile(join(cwd, 'change.json'), body);
        const check = await runCli(['healthcheck', '--event', 'change.json', '--json'], { env: doc.env, cwd, now: () => new Date() });
        const result = check.json() as HealthcheckResult;
        expect(result.change).toMatchObject({ cause: { eventName: 'UpdateSchedule' }, checked: ['ops-pipeline-market/ops-pipeline-dispatcher'] });
        expect(result.report.findings.map((f) => f.code)).toContain('TARGET_CLUSTER_NOT_FOUND');
        expect(check.stderr).not.toContain('definition cache');
        expect(check.exitCode).toBe(1);
      } finally {
        scheduler.destroy();
        sqs.destroy();
      }
      const down = collect(run(['sandbox', 'down', '--json'], cwd));
      expect(await down.exit).toBe(0);
      expect(await up.exit).toBe(0);
    } finally {
      for (const pid of [doc?.pids.moto, doc?.pids.ops, upProcess.pid]) if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
      await rm(cwd, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('ops sandbox up --day', () => {
  it('moves the scenario to the day and starts moto\'s clock at its 09:30 New York replay start', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'ops-sandbox-day-'));
    const upProcess = run(['sandbox', 'up', '--scenario', 'mixed', '--day', '2031-06-09', '--json'], cwd);
    const up = collect(upProcess);
    let doc: ReadyDocument | undefined;
    try {
      doc = await readyDocument(up, 45_000);
      // Monday 2031-06-09 is in summer time: 09:30 New York is 13:30Z.
      expect(doc.clock).toEqual({ kind: 'virtual', start: '2031-06-09T13:30:00.000Z', day: '2031-06-09', dayKind: 'regular' });
      const client = new SchedulerClient({ endpoint: doc.endpoint, region: doc.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      const expired = await client.send(new GetScheduleCommand({ GroupName: 'ops-pipeline', Name: 'ticker-discovery-6h' }));
      const created = expired.CreationDate!.getTime() - Date.parse(doc.clock.start!);
      expect(created).toBeGreaterThanOrEqual(0);
      expect(created).toBeLessThan(60_000);
      expect(expired.EndDate!.getTime()).toBeLessThan(Date.parse(doc.clock.start!));
      client.destroy();
      const down = collect(run(['sandbox', 'down', '--json'], cwd));
      expect(await down.exit).toBe(0);
      expect(await up.exit).toBe(0);
    } finally {
      for (const pid of [doc?.pids.moto, doc?.pids.ops, upProcess.pid]) if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('refuses a day that is not a date, before starting anything', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'ops-sandbox-day-'));
    try {
      const up = collect(run(['sandbox', 'up', '--day', 'monday', '--json'], cwd));
      expect(await up.exit).toBe(2);
      expect(JSON.parse(up.stdout())).toMatchObject({ ok: false, error: { code: 'INVALID_DAY' } });
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});

describe('ops sandbox up --scenario org', () => {
  it('seeds an organization of --org-accounts accounts, prints how to check it, and records it for status', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'ops-sandbox-org-'));
    const upProcess = run(['sandbox', 'up', '--scenario', 'org', '--org-accounts', '3'], cwd);
    const up = collect(upProcess);
    let pids: { ops: number; moto: number } | undefined;
    try {
      const deadline = Date.now() + 60_000;
      while (!up.stdout().includes('# Ctrl-C here') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const state = await readSandboxState(join(cwd, '.ops', 'sandbox.json'));
      pids = state?.pids;
      const accounts = parseAccountsFile(await readFile(join(cwd, '.ops', 'org-accounts.yaml'), 'utf8'));
      expect(accounts.map((a) => a.name)).toEqual(['prod', 'staging', 'desk-01']);
      // Ids and the organization are moto's random ones; everything else is pinned.
      let text = up.stdout().replaceAll(state!.endpoint, 'ENDPOINT').replaceAll(cwd, 'CWD').replaceAll(state!.org!.organizationId, 'o-ORG');
      for (const a of accounts) text = text.replaceAll(a.id, `ID-${a.name}`);
      expect(text.split('\n')).toEqual([
        '# ops sandbox: moto on ENDPOINT · scenario org (48 schedules) · region us-west-2',
        '# clock: the wall clock',
        '# firing: off (add --fire to run schedules)',
        '# change events: off (with --fire: CloudTrail-shaped events → default bus → queue ENDPOINT/123456789012/ops-sandbox-schedule-changes)',
        '# definition cache: DynamoDB table ops-schedule-definitions (OPS_DEFINITION_CACHE_TABLE below)',
        '# organization o-ORG: 3 member accounts in 3 OUs (production, non-production, trading-desks) × 3 regions (us-east-1, us-west-2, eu-west-1), 48 schedules, 3 planted faults to find',
        '# access role ops-org-access: in the management account 123456789012 (12 schedules, all healthy) and every member account but desk-01 (ID-desk-01), which a check cannot enter (AccessDenied)',
        '# accounts file: CWD/.ops/org-accounts.yaml (the member accounts, each with the role and regions; --accounts-file)',
        '# check it: ops check-schedulers --org --regions us-east-1,us-west-2,eu-west-1',
        'export AWS_ENDPOINT_URL=ENDPOINT',
        'export AWS_REGION=us-west-2',
        'export AWS_DEFAULT_REGION=us-west-2',
        'export AWS_ACCESS_KEY_ID=testing',
        'export AWS_SECRET_ACCESS_KEY=testing',
        'export OPS_DEFINITION_CACHE_TABLE=ops-schedule-definitions',
        '# Ctrl-C here, or `ops sandbox down`, stops it.',
        '',
      ]);

      const organizations = new OrganizationsClient({ endpoint: state!.endpoint, region: 'us-east-1', credentials: CREDENTIALS });
      const listed = await organizations.send(new ListAccountsCommand({}));
      expect(listed.Accounts?.map((a) => a.Name).sort()).toEqual(['desk-01', 'master', 'prod', 'staging']);
      organizations.destroy();

      const status = collect(run(['sandbox', 'status'], cwd));
      expect(await status.exit).toBe(0);
      expect(status.stdout()).toContain(`Organization ${state!.org!.organizationId}: 3 member accounts × 3 regions · accounts file ${join(cwd, '.ops', 'org-accounts.yaml')} · check it: ops check-schedulers --org --regions us-east-1,us-west-2,eu-west-1`);

      const down = collect(run(['sandbox', 'down', '--json'], cwd));
      expect(await down.exit).toBe(0);
      expect(await up.exit).toBe(0);
    } finally {
      for (const pid of [pids?.moto, pids?.ops, upProcess.pid]) if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
      await rm(cwd, { recursive: true, force: true });
    }
  }, 90_000);
});
