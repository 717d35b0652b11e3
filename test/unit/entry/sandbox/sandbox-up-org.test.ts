/**
 * `ops sandbox up --scenario org` without moto: the options it refuses before starting anything, and
 * the ready document's lines about the organization, pinned.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxReadyDocument } from '../../../../src/entry/sandbox/sandbox-ready.ts';
import { orgScenarioFromArgs } from '../../../../src/entry/sandbox/sandbox-up-org.ts';
import type { SandboxState } from '../../../../src/sandbox/state-file.ts';
import { runCli } from '../../../support/cli-harness.ts';

const ENDPOINT = 'http://127.0.0.1:5999';
const QUEUE_URL = `${ENDPOINT}/123456789012/ops-sandbox-schedule-changes`;
const base = { scenario: 'org', fire: false, trading: false };

describe('orgScenarioFromArgs', () => {
  it('defaults to 20 accounts × us-east-1, us-west-2, eu-west-1, and takes --org-accounts / --org-regions', () => {
    const org = orgScenarioFromArgs(base);
    expect(org?.accounts).toHaveLength(20);
    expect(org?.regions).toEqual(['us-east-1', 'us-west-2', 'eu-west-1']);
    const small = orgScenarioFromArgs({ ...base, orgAccounts: 3, orgRegions: ' eu-west-1, us-east-1 ' });
    expect(small?.pairs.map((p) => `${p.accountName} ${p.region}`)).toEqual([
      'prod eu-west-1',
      'prod us-east-1',
      'staging eu-west-1',
      'staging us-east-1',
      'desk-01 eu-west-1',
      'desk-01 us-east-1',
    ]);
  });

  it('is undefined for other scenarios', () => {
    expect(orgScenarioFromArgs({ ...base, scenario: 'healthy' })).toBeUndefined();
  });

  it.each([
    [{ ...base, scenario: 'healthy', orgAccounts: 3 }, 'ORG_OPTION_WITHOUT_ORG', '--org-accounts only apply to --scenario org.'],
    [{ ...base, fire: true, day: '2026-11-23' }, 'ORG_SCENARIO_OPTION', '--scenario org does not support --fire, --day: the firer, the trading stack and the day clock run in one account.'],
    [{ ...base, orgAccounts: 0 }, 'INVALID_ORG_OPTIONS', '--org-accounts must be an integer between 1 and 200, got 0.'],
    [{ ...base, orgRegions: 'us-east-1,moon-1' }, 'INVALID_ORG_OPTIONS', '--org-regions / --org-accounts: Not a region name: moon-1.'],
  ])('refuses %j', (args, code, message) => {
    expect(() => orgScenarioFromArgs(args)).toThrow(expect.objectContaining({ code, message }));
  });
});

describe('ops sandbox up --scenario org: usage errors before anything starts', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ops-sandbox-org-unit-'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('exits 2 with the reason and a hint', async () => {
    const run = await runCli(['sandbox', 'up', '--scenario', 'org', '--trading', '--json'], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.json()).toMatchObject({ ok: false, error: { code: 'ORG_SCENARIO_OPTION' } });
    const without = await runCli(['sandbox', 'up', '--org-regions', 'us-east-1'], { cwd });
    expect(without.exitCode).toBe(2);
    expect(without.stderr).toContain('--org-regions only apply to --scenario org.');
  });
});

describe('the ready document of an organization', () => {
  const state: SandboxState = {
    version: 1,
    pids: { ops: 100, moto: 101 },
    port: 5999,
    endpoint: ENDPOINT,
    region: 'us-west-2',
    scenario: 'org',
    schedules: 48,
    firing: false,
    startedAt: '2026-11-23T14:00:00.000Z',
    changeQueueUrl: QUEUE_URL,
    definitionCacheTable: 'ops-schedule-definitions',
    org: {
      organizationId: 'o-abc123',
      managementAccount: '123456789012',
      managementSchedules: 12,
      accounts: 3,
      ous: ['production', 'non-production', 'trading-desks'],
      regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
      roleName: 'ops-org-access',
      withoutRole: [{ id: '333333333333', name: 'desk-01' }],
      accountsFile: '/tmp/x/.ops/org-accounts.yaml',
      plantedFindings: 3,
    },
  };
  const input = {
    sandbox: { endpoint: ENDPOINT, region: 'us-west-2', clockStart: new Date('2026-11-23T14:00:00Z'), timings: { readyMs: 900, seedMs: 2_000 } },
    state,
    statePath: '/tmp/x/.ops/sandbox.json',
    tick: 15,
    changes: {
      ruleName: 'ops-sandbox-schedule-changes',
      queueName: 'ops-sandbox-schedule-changes',
      queueUrl: QUEUE_URL,
      queueArn: 'arn:aws:sqs:us-west-2:123456789012:ops-sandbox-schedule-changes',
      definitionCacheTable: 'ops-schedule-definitions',
    },
  };

  it('says what the organization holds, who cannot be entered, where the accounts file is and how to check it', () => {
    const { text } = sandboxReadyDocument(input);
    expect(text.split('\n')).toEqual([
      `# ops sandbox: moto on ${ENDPOINT} · scenario org (48 schedules) · region us-west-2`,
      '# clock: the wall clock',
      '# firing: off (add --fire to run schedules)',
      `# change events: off (with --fire: CloudTrail-shaped events → default bus → queue ${QUEUE_URL})`,
      '# definition cache: DynamoDB table ops-schedule-definitions (OPS_DEFINITION_CACHE_TABLE below)',
      '# organization o-abc123: 3 member accounts in 3 OUs (production, non-production, trading-desks) × 3 regions (us-east-1, us-west-2, eu-west-1), 48 schedules, 3 planted faults to find',
      '# access role ops-org-access: in the management account 123456789012 (12 schedules, all healthy) and every member account but desk-01 (333333333333), which a check cannot enter (AccessDenied)',
      '# accounts file: /tmp/x/.ops/org-accounts.yaml (the member accounts, each with the role and regions; --accounts-file)',
      '# check it: ops check-schedulers --org --regions us-east-1,us-west-2,eu-west-1',
      `export AWS_ENDPOINT_URL=${ENDPOINT}`,
      'export AWS_REGION=us-west-2',
      'export AWS_DEFAULT_REGION=us-west-2',
      'export AWS_ACCESS_KEY_ID=testing',
      'export AWS_SECRET_ACCESS_KEY=testing',
      'export OPS_DEFINITION_CACHE_TABLE=ops-schedule-definitions',
      '# Ctrl-C here, or `ops sandbox down`, stops it.',
    ]);
  });

  it('--json carries the summary, the member accounts and the findings to expect', () => {
    const expected = [{ account: '111111111111', accountName: 'prod', region: 'us-east-1', group: 'desk-market', name: 'position-snapshot', code: 'TARGET_CLUSTER_NOT_FOUND' as const }];
    const { json } = sandboxReadyDocument({
      ...input,
      orgSeed: {
        accounts: [{ id: '111111111111', name: 'prod', email: 'p@example.com', ou: 'production', ouId: 'ou-1', hasRole: true, tags: {} }],
        expected,
        unreachable: [{ account: '333333333333', accountName: 'desk-01', region: 'us-east-1' }],
      },
    });
    expect(json.org).toMatchObject({
      organizationId: 'o-abc123',
      checkCommand: 'ops check-schedulers --org --regions us-east-1,us-west-2,eu-west-1',
      memberAccounts: [{ id: '111111111111', name: 'prod', ou: 'production', hasRole: true }],
      expected,
      unreachable: [{ account: '333333333333', accountName: 'desk-01', region: 'us-east-1' }],
    });
    expect(sandboxReadyDocument({ ...input, state: { ...state, org: undefined } }).json.org).toBeNull();
  });
});
