import { describe, expect, it } from 'vitest';
import { RoleAssumptionError } from '../../../src/aws/assumed-role.ts';
import { preparePairs, type EntryPorts } from '../../../src/org/prepare-pairs.ts';
import type { AccountTarget } from '../../../src/org/targets.ts';

const account = (id: string, name: string, regions?: string[]): AccountTarget => ({ id, name, role: 'ops-org-access', tags: {}, ...(regions ? { regions } : {}) });
const PROD = account('111111111111', 'prod');
const LOCKED = account('222222222222', 'locked');
const EU = account('333333333333', 'eu', ['eu-west-1', 'ap-south-1']);
const BARE = account('444444444444', 'bare');

const deniedRole = (a: AccountTarget) =>
  new RoleAssumptionError(`arn:aws:iam::${a.id}:role/ops-org-access`, 'AccessDenied', `not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${a.id}:role/ops-org-access`);

function ports(behaviour: { enter?: (a: AccountTarget) => void; regions?: (a: AccountTarget) => string[] }): EntryPorts & { entered: string[]; asked: string[] } {
  const entered: string[] = [];
  const asked: string[] = [];
  return {
    entered,
    asked,
    async enter(a) {
      entered.push(a.name);
      behaviour.enter?.(a);
    },
    async enabledRegions(a) {
      asked.push(a.name);
      if (behaviour.regions === undefined) throw new Error('enabledRegions must not be called without --all-regions');
      return behaviour.regions(a);
    },
  };
}

const where = (pairs: { account: AccountTarget; region: string }[]) => pairs.map((p) => `${p.account.name}/${p.region}`);

describe('preparePairs with --regions', () => {
  it('enters each account once; one that cannot be entered is one failure with its planned regions and no pairs', async () => {
    const entry = ports({
      enter: (a) => {
        if (a === LOCKED) throw deniedRole(a);
      },
    });

    const { pairs, failures } = await preparePairs([PROD, LOCKED, EU], ['us-west-2', 'us-east-1'], entry, 2);

    expect(where(pairs)).toEqual(['prod/us-east-1', 'prod/us-west-2', 'eu/ap-south-1', 'eu/eu-west-1']);
    expect(failures).toEqual([
      {
        account: LOCKED,
        failure: { action: 'sts:AssumeRole', errorName: 'AccessDenied', reason: `not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${LOCKED.id}:role/ops-org-access` },
        regions: ['us-east-1', 'us-west-2'],
      },
    ]);
    expect([...entry.entered].sort()).toEqual(['eu', 'locked', 'prod']);
    expect(entry.asked).toEqual([]);
  });

  it('names the account-file regions of an account that cannot be entered', async () => {
    const entry = ports({
      enter: (a) => {
        throw deniedRole(a);
      },
    });

    const { pairs, failures } = await preparePairs([EU], ['us-east-1'], entry, 1);

    expect(pairs).toEqual([]);
    expect(failures.map((f) => [f.account.name, f.failure.action, f.regions])).toEqual([['eu', 'sts:AssumeRole', ['ap-south-1', 'eu-west-1']]]);
  });

  it('fails an account whose entry throws something else with action unknown', async () => {
    const { failures } = await preparePairs(
      [PROD],
      ['us-east-1'],
      ports({
        enter: () => {
          throw Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:443'), { name: 'TimeoutError' });
        },
      }),
      1,
    );

    expect(failures).toEqual([{ account: PROD, failure: { action: 'unknown', errorName: 'TimeoutError', reason: 'connect ETIMEDOUT 10.0.0.1:443' }, regions: ['us-east-1'] }]);
  });
});

describe('preparePairs with --all-regions', () => {
  it('reads the enabled regions of accounts without file regions; a failing read is ec2:DescribeRegions', async () => {
    const entry = ports({
      enter: (a) => {
        if (a === LOCKED) throw deniedRole(a);
      },
      regions: (a) => {
        if (a === PROD) return ['us-west-2', 'us-east-1'];
        if (a === BARE) return [];
        throw Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' });
      },
    });
    const denied = account('555555555555', 'no-ec2');

    const { pairs, failures } = await preparePairs([PROD, LOCKED, EU, BARE, denied], 'all', entry, 3);

    expect(where(pairs)).toEqual(['prod/us-east-1', 'prod/us-west-2', 'eu/ap-south-1', 'eu/eu-west-1']);
    expect(failures).toEqual([
      { account: LOCKED, failure: { action: 'sts:AssumeRole', errorName: 'AccessDenied', reason: expect.stringContaining('sts:AssumeRole') as unknown }, regions: [] },
      { account: BARE, failure: { action: 'ec2:DescribeRegions', errorName: 'NoRegions', reason: 'the account reports no enabled region' }, regions: [] },
      { account: denied, failure: { action: 'ec2:DescribeRegions', errorName: 'UnauthorizedOperation', reason: 'You are not authorized to perform this operation.' }, regions: [] },
    ]);
    // The locked account is never asked for its regions; the one with file regions needs no asking.
    expect([...entry.asked].sort()).toEqual(['bare', 'no-ec2', 'prod']);
  });
});
