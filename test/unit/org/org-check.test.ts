import { describe, expect, it } from 'vitest';
import { RoleAssumptionError } from '../../../src/aws/assumed-role.ts';
import { nyse } from '../../../src/market/index.ts';
import { checkOrg, type OrgCheckPorts } from '../../../src/org/org-check.ts';
import type { AccountTarget, OrgPair } from '../../../src/org/targets.ts';
import { createFakePorts, DEFAULT_COLLECTED_AT, lookupError, scheduleFacts } from '../../support/check-fixtures.ts';

const account = (id: string, name: string): AccountTarget => ({ id, name, role: 'ops-org-access', tags: {} });
const PROD = account('111111111111', 'prod');
const DEV = account('222222222222', 'dev');
const LOCKED = account('333333333333', 'locked');

describe('checkOrg', () => {
  it('checks every pair of the accounts it could enter; a blind pair fails with the call that blinded it', async () => {
    const asked: string[] = [];
    const ports: OrgCheckPorts = {
      async enter(a) {
        if (a === LOCKED) throw new RoleAssumptionError(`arn:aws:iam::${a.id}:role/ops-org-access`, 'AccessDenied', 'denied');
      },
      async enabledRegions() {
        throw new Error('not with --regions');
      },
      async checkPorts(pair: OrgPair) {
        asked.push(`${pair.account.name}/${pair.region}`);
        if (pair.account === PROD && pair.region === 'us-west-2') return createFakePorts({ listSchedulesError: lookupError('scheduler:ListSchedules') }).ports;
        return createFakePorts({ schedules: [scheduleFacts(`job-${pair.account.name}`)] }).ports;
      },
    };
    const progress: [number, number, number][] = [];

    const check = await checkOrg([PROD, LOCKED, DEV], ['us-west-2', 'us-east-1'], ports, {
      pairConcurrency: 2,
      now: DEFAULT_COLLECTED_AT,
      calendar: nyse,
      marketCriticalPatterns: [],
      elapsed: () => 0,
      progress: (done, total, failed) => progress.push([done, total, failed]),
    });

    expect([...asked].sort()).toEqual(['dev/us-east-1', 'dev/us-west-2', 'prod/us-east-1', 'prod/us-west-2']);
    expect(check.accountFailures.map((f) => [f.account.name, f.failure.action, f.regions])).toEqual([['locked', 'sts:AssumeRole', ['us-east-1', 'us-west-2']]]);
    expect(
      check.outcomes.map((o) => (o.ok ? [`${o.pair.account.name}/${o.pair.region}`, o.value.report.region, o.value.report.summary.schedules] : [`${o.pair.account.name}/${o.pair.region}`, o.failure])),
    ).toEqual([
      ['prod/us-east-1', 'us-east-1', 1],
      ['prod/us-west-2', { action: 'scheduler:ListSchedules', errorName: 'AccessDeniedException', reason: 'User is not authorized to perform: scheduler:ListSchedules' }],
      ['dev/us-east-1', 'us-east-1', 1],
      ['dev/us-west-2', 'us-west-2', 1],
    ]);
    expect(progress.map(([done, total]) => [done, total])).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    expect(progress.at(-1)?.[2]).toBe(1);
  });
});
