import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertOrgOptions, isOrgRun, operatorOf, targetSpecFrom, type OrgOptionArgs } from '../../../src/entry/cli/org-options.ts';
import { UserError } from '../../../src/errors.ts';

/** The parsed flags with yargs' defaults. */
const args = (overrides: Partial<OrgOptionArgs> = {}): OrgOptionArgs => ({
  org: false,
  ou: [],
  excludeAccount: [],
  allRegions: false,
  roleName: 'ops-org-access',
  pairConcurrency: 8,
  ...overrides,
});

function caught(fn: () => unknown): UserError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

async function rejected(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('assertOrgOptions', () => {
  it('refuses two account sources', () => {
    const two = caught(() => assertOrgOptions(args({ org: true, accounts: ['111111111111'] })));
    expect([two.code, two.message, two.hint]).toEqual([
      'ORG_TARGETS',
      '--org and --accounts both name the accounts; pass one.',
      'Use --org (the Organization), --accounts <ids> or --accounts-file <file>.',
    ]);
    expect(caught(() => assertOrgOptions(args({ org: true, accounts: ['111111111111'], accountsFile: 'a.yaml' }))).message).toBe(
      '--org and --accounts and --accounts-file both name the accounts; pass one.',
    );
    expect(caught(() => assertOrgOptions(args({ accounts: [], accountsFile: 'a.yaml' }))).message).toBe('--accounts and --accounts-file both name the accounts; pass one.');
  });

  it('refuses --ou without --org', () => {
    const error = caught(() => assertOrgOptions(args({ ou: ['ou-ab12-cdef3456'], accounts: ['111111111111'] })));

    expect([error.code, error.message]).toEqual(['ORG_TARGETS', '--ou narrows --org, which was not given.']);
    expect(error.hint).toBe('Add --org, e.g. `ops check-schedulers --org --ou ou-ab12-cdef3456 --regions us-east-1`.');
  });

  it('refuses --regions with --all-regions', () => {
    const error = caught(() => assertOrgOptions(args({ org: true, regions: 'us-east-1', allRegions: true })));

    expect([error.code, error.message]).toEqual(['ORG_TARGETS', '--regions and --all-regions both choose the regions; pass one.']);
  });

  it('refuses org-only flags without an account source', () => {
    const regions = caught(() => assertOrgOptions(args({ regions: 'us-east-1' })));
    expect([regions.code, regions.message, regions.hint]).toEqual([
      'ORG_TARGETS',
      '--regions only applies to an org-wide run.',
      'Add --org, --accounts <ids> or --accounts-file <file>; for this account alone use --region.',
    ]);
    expect(caught(() => assertOrgOptions(args({ allRegions: true, excludeAccount: ['111111111111'] }))).message).toBe('--all-regions, --exclude-account only apply to an org-wide run.');
    expect(caught(() => assertOrgOptions(args({ externalId: 'ops-org-7f3a' }))).message).toBe('--external-id only applies to an org-wide run.');
  });

  it('accepts a single-account run and each well-formed org run', () => {
    expect(() => assertOrgOptions(args())).not.toThrow();
    expect(() => assertOrgOptions(args({ org: true, ou: ['ou-ab12-cdef3456'], regions: 'us-east-1', excludeAccount: ['111111111111'] }))).not.toThrow();
    expect(() => assertOrgOptions(args({ accounts: ['111111111111'], allRegions: true }))).not.toThrow();
    expect(() => assertOrgOptions(args({ accountsFile: 'a.yaml' }))).not.toThrow();
  });
});

describe('isOrgRun', () => {
  it('is true for any account source', () => {
    expect([isOrgRun(args()), isOrgRun(args({ org: true })), isOrgRun(args({ accounts: [] })), isOrgRun(args({ accountsFile: 'a.yaml' }))]).toEqual([false, true, true, true]);
  });
});

describe('targetSpecFrom', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ops-org-options-'));
    await writeFile(join(dir, 'accounts.yaml'), 'accounts:\n  - id: "111111111111"\n    name: prod\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--org --ou: comma lists and repeats, trimmed; --regions deduplicated; the role and the concurrency', async () => {
    const { spec, pairConcurrency } = await targetSpecFrom(
      args({ org: true, ou: ['ou-ab12-cdef3456, r-ab12', ''], regions: 'us-east-1, us-west-2,,us-east-1', roleName: 'auditor', pairConcurrency: 16 }),
      dir,
    );

    expect(spec).toEqual({ source: { kind: 'org', ous: ['ou-ab12-cdef3456', 'r-ab12'] }, exclude: [], regions: ['us-east-1', 'us-west-2'], roleName: 'auditor' });
    expect(pairConcurrency).toBe(16);
  });

  it('--accounts with --exclude-account and --all-regions', async () => {
    const { spec } = await targetSpecFrom(args({ accounts: ['111111111111,222222222222', '333333333333'], excludeAccount: ['222222222222, 444444444444'], allRegions: true }), dir);

    expect(spec).toEqual({
      source: { kind: 'accounts', ids: ['111111111111', '222222222222', '333333333333'] },
      exclude: ['222222222222', '444444444444'],
      regions: 'all',
      roleName: 'ops-org-access',
    });
  });

  it('--accounts-file: read relative to the working directory; no --regions is an empty list', async () => {
    const { spec } = await targetSpecFrom(args({ accountsFile: 'accounts.yaml' }), dir);

    expect(spec).toEqual({ source: { kind: 'file', path: join(dir, 'accounts.yaml'), accounts: [{ id: '111111111111', name: 'prod' }] }, exclude: [], regions: [], roleName: 'ops-org-access' });
  });

  it('refuses an id that is not an OU or root id', async () => {
    for (const ou of ['ou-12', 'OU-AB12-CDEF3456', 'o-abc123def4', '111111111111']) {
      const error = await rejected(targetSpecFrom(args({ org: true, ou: [ou] }), dir));
      expect([error.code, error.message]).toEqual(['ORG_TARGETS', `--ou ${JSON.stringify(ou)} is not an OU id (ou-xxxx-xxxxxxxx) or root id (r-xxxx).`]);
    }
  });

  it('refuses a region that is not a region name', async () => {
    const error = await rejected(targetSpecFrom(args({ org: true, regions: 'us-east-1,US_EAST_1' }), dir));

    expect([error.code, error.message, error.hint]).toEqual(['INVALID_REGION', '--regions: "US_EAST_1" is not a region name.', 'Pass region names, comma-separated, e.g. --regions us-east-1,eu-west-1.']);
  });

  it('refuses bad account ids in --accounts and --exclude-account', async () => {
    expect((await rejected(targetSpecFrom(args({ accounts: ['12345'] }), dir))).message).toBe('--accounts: "12345" is not an account id (12 digits).');
    expect((await rejected(targetSpecFrom(args({ org: true, excludeAccount: ['prod'] }), dir))).message).toBe('--exclude-account: "prod" is not an account id (12 digits).');
  });

  it('takes --pair-concurrency from 1 to 64', async () => {
    expect((await targetSpecFrom(args({ org: true, pairConcurrency: 1 }), dir)).pairConcurrency).toBe(1);
    expect((await targetSpecFrom(args({ org: true, pairConcurrency: 64 }), dir)).pairConcurrency).toBe(64);
    for (const [value, message] of [
      [0, '--pair-concurrency must be a whole number from 1 to 64, got 0.'],
      [65, '--pair-concurrency must be a whole number from 1 to 64, got 65.'],
      [2.5, '--pair-concurrency must be a whole number from 1 to 64, got 2.5.'],
      [Number.NaN, '--pair-concurrency must be a whole number from 1 to 64; the value given is not a number.'],
    ] as const) {
      const error = await rejected(targetSpecFrom(args({ org: true, pairConcurrency: value }), dir));
      expect([error.code, error.message, error.hint]).toEqual(['INVALID_COUNT', message, 'Pass --pair-concurrency 8, for example.']);
    }
  });
});

describe('operatorOf', () => {
  it('is USER, else LOGNAME, else USERNAME', () => {
    expect(operatorOf({ USER: 'alice', LOGNAME: 'bob', USERNAME: 'carol' })).toBe('alice');
    expect(operatorOf({ LOGNAME: 'bob', USERNAME: 'carol' })).toBe('bob');
    expect(operatorOf({ USERNAME: 'carol' })).toBe('carol');
    expect(operatorOf({})).toBeUndefined();
  });
});
