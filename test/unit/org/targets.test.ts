import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import {
  describeSource,
  pairsOf,
  parseAccountIds,
  resolveTargets,
  type AccountTarget,
  type TargetLookups,
  type TargetSpec,
} from '../../../src/org/targets.ts';

const PROD = '111111111111';
const DEV = '222222222222';
const OLD = '333333333333';
const STAGE = '444444444444';
const NOWHERE = '999999999999';

function lookups(listing: Awaited<ReturnType<TargetLookups['organizationAccounts']>>): TargetLookups & { asked: (readonly string[])[] } {
  const asked: (readonly string[])[] = [];
  return {
    asked,
    organizationAccounts: async (ous) => {
      asked.push(ous);
      return listing;
    },
  };
}

const noLookups: TargetLookups = {
  organizationAccounts: () => Promise.reject(new Error('the Organization must not be read for this source')),
};

const spec = (overrides: Partial<TargetSpec> & Pick<TargetSpec, 'source'>): TargetSpec => ({ exclude: [], regions: ['us-east-1'], roleName: 'ops-org-access', ...overrides });

async function userError(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('resolveTargets: sources', () => {
  it('--org: ACTIVE accounts with the run role and their OU; inactive ones skipped with their state', async () => {
    const org = lookups({
      accounts: [
        { id: PROD, name: 'prod', ou: 'ou-ab12-cdef3456' },
        { id: DEV, name: 'dev' },
      ],
      inactive: [{ id: OLD, name: 'old', state: 'SUSPENDED' }],
    });

    const targets = await resolveTargets(spec({ source: { kind: 'org', ous: ['ou-ab12-cdef3456'] } }), org);

    expect(org.asked).toEqual([['ou-ab12-cdef3456']]);
    expect(targets).toEqual({
      accounts: [
        { id: PROD, name: 'prod', role: 'ops-org-access', tags: {}, ou: 'ou-ab12-cdef3456' },
        { id: DEV, name: 'dev', role: 'ops-org-access', tags: {} },
      ],
      skipped: [{ id: OLD, name: 'old', reason: 'SUSPENDED in the Organization' }],
      regionsFromAccount: [],
    });
  });

  it('--accounts: each id, named by its id', async () => {
    const targets = await resolveTargets(spec({ source: { kind: 'accounts', ids: [DEV, PROD] }, roleName: 'auditor' }), noLookups);

    expect(targets).toEqual({
      accounts: [
        { id: DEV, name: DEV, role: 'auditor', tags: {} },
        { id: PROD, name: PROD, role: 'auditor', tags: {} },
      ],
      skipped: [],
      regionsFromAccount: [],
    });
  });

  it('--accounts-file: names, tags, per-account regions and a role override', async () => {
    const roleArn = `arn:aws:iam::${DEV}:role/legacy-audit`;
    const targets = await resolveTargets(
      spec({
        source: {
          kind: 'file',
          path: '/etc/ops/accounts.yaml',
          accounts: [
            { id: PROD, name: 'prod', regions: ['us-west-2', 'us-east-1'], tags: { env: 'prod' } },
            { id: DEV, role: roleArn },
          ],
        },
      }),
      noLookups,
    );

    expect(targets.accounts).toEqual([
      { id: PROD, name: 'prod', role: 'ops-org-access', tags: { env: 'prod' }, regions: ['us-west-2', 'us-east-1'] },
      { id: DEV, name: DEV, role: roleArn, tags: {} },
    ]);
    expect(targets.skipped).toEqual([]);
  });
});

describe('resolveTargets: exclusions', () => {
  it('leaves excluded accounts out and reports an exclusion that matched nothing', async () => {
    const org = lookups({
      accounts: [
        { id: PROD, name: 'prod' },
        { id: DEV, name: 'dev' },
        { id: STAGE, name: 'stage' },
      ],
      inactive: [{ id: OLD, name: 'old', state: 'CLOSED' }],
    });

    const targets = await resolveTargets(spec({ source: { kind: 'org', ous: [] }, exclude: [DEV, NOWHERE, OLD] }), org);

    expect(targets.accounts.map((a) => a.id)).toEqual([PROD, STAGE]);
    expect(targets.skipped).toEqual([
      { id: OLD, name: 'old', reason: 'CLOSED in the Organization' },
      { id: DEV, name: 'dev', reason: 'excluded (--exclude-account)' },
      { id: NOWHERE, name: NOWHERE, reason: 'excluded (--exclude-account), and not among the targets anyway' },
    ]);
    expect(org.asked).toEqual([[]]);
  });

  it('throws NO_ACCOUNTS when nothing is left', async () => {
    const error = await userError(resolveTargets(spec({ source: { kind: 'accounts', ids: [PROD] }, exclude: [PROD] }), noLookups));

    expect(error.code).toBe('NO_ACCOUNTS');
    expect(error.message).toBe('No account to check: --accounts gave 1 account(s), and 1 were left out.');
    expect(error.hint).toBe('Check --org / --ou, --accounts or the accounts file, and --exclude-account.');
  });

  it('throws NO_ACCOUNTS for an Organization with only inactive accounts', async () => {
    const org = lookups({ accounts: [], inactive: [{ id: OLD, name: 'old', state: 'SUSPENDED' }] });

    const error = await userError(resolveTargets(spec({ source: { kind: 'org', ous: ['ou-ab12-cdef3456'] } }), org));

    expect(error.code).toBe('NO_ACCOUNTS');
    expect(error.message).toBe('No account to check: the Organization under ou-ab12-cdef3456 gave 0 account(s), and 1 were left out.');
  });
});

describe('resolveTargets: regions', () => {
  it('throws NO_REGIONS for an account with neither --regions nor file regions', async () => {
    const error = await userError(
      resolveTargets(
        spec({
          source: { kind: 'file', path: 'a.yaml', accounts: [{ id: PROD, name: 'prod', regions: ['us-east-1'] }, { id: DEV, name: 'dev' }] },
          regions: [],
        }),
        noLookups,
      ),
    );

    expect(error.code).toBe('NO_REGIONS');
    expect(error.message).toBe(`No regions for account ${DEV} (dev).`);
  });

  it('needs no --regions when every account has its own', async () => {
    const targets = await resolveTargets(spec({ source: { kind: 'file', path: 'a.yaml', accounts: [{ id: PROD, regions: ['eu-west-1'] }] }, regions: [] }), noLookups);

    expect(targets.accounts.map((a) => [a.id, a.regions])).toEqual([[PROD, ['eu-west-1']]]);
    expect(targets.regionsFromAccount).toEqual([]);
  });

  it('--all-regions: reads regions from the accounts that have none in the file', async () => {
    const targets = await resolveTargets(
      spec({ source: { kind: 'file', path: 'a.yaml', accounts: [{ id: PROD, regions: ['eu-west-1'] }, { id: DEV }, { id: STAGE }] }, regions: 'all' }),
      noLookups,
    );

    expect(targets.regionsFromAccount).toEqual([DEV, STAGE]);
  });
});

describe('pairsOf', () => {
  const account = (id: string, regions?: string[]): AccountTarget => ({ id, name: id, role: 'r', tags: {}, ...(regions ? { regions } : {}) });

  it('is account order, then regions sorted and deduplicated; file regions win over the run regions', () => {
    const accounts = [account(DEV), account(PROD, ['us-west-2', 'eu-west-1', 'us-west-2'])];

    const pairs = pairsOf(accounts, ['us-west-2', 'us-east-1', 'us-west-2'], new Map());

    expect(pairs.map((p) => `${p.account.id}/${p.region}`)).toEqual([`${DEV}/us-east-1`, `${DEV}/us-west-2`, `${PROD}/eu-west-1`, `${PROD}/us-west-2`]);
    expect(pairs[0]?.account).toBe(accounts[0]);
  });

  it('--all-regions: each account its enabled regions; none known, no pairs', () => {
    const enabled = new Map([
      [DEV, ['us-west-2', 'ap-south-1']],
      [STAGE, ['eu-central-1']],
    ]);

    const pairs = pairsOf([account(DEV), account(PROD), account(STAGE, ['us-east-1'])], 'all', enabled);

    expect(pairs.map((p) => `${p.account.id}/${p.region}`)).toEqual([`${DEV}/ap-south-1`, `${DEV}/us-west-2`, `${STAGE}/us-east-1`]);
  });
});

describe('describeSource', () => {
  it('names each source', () => {
    expect(describeSource({ kind: 'org', ous: [] })).toBe('the Organization');
    expect(describeSource({ kind: 'org', ous: ['ou-ab12-cdef3456', 'r-ab12'] })).toBe('the Organization under ou-ab12-cdef3456, r-ab12');
    expect(describeSource({ kind: 'accounts', ids: [PROD] })).toBe('--accounts');
    expect(describeSource({ kind: 'file', path: '/etc/ops/accounts.yaml', accounts: [] })).toBe('/etc/ops/accounts.yaml');
  });
});

describe('parseAccountIds', () => {
  it('splits commas, trims, drops empties and duplicates', () => {
    expect(parseAccountIds('--accounts', [`${PROD},${DEV}`, ` ${PROD} `, '', `,${STAGE},`])).toEqual([PROD, DEV, STAGE]);
    expect(parseAccountIds('--exclude-account', [])).toEqual([]);
  });

  it('rejects anything but 12 digits, naming each bad value', () => {
    let error: unknown;
    try {
      parseAccountIds('--accounts', [`${PROD},12345`, 'prod']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('INVALID_ACCOUNT_ID');
    expect((error as UserError).message).toBe('--accounts: "12345", "prod" are not account ids (12 digits).');
    expect((error as UserError).hint).toBe('Pass 12-digit account ids, comma-separated, e.g. --accounts 111111111111,222222222222.');

    expect(() => parseAccountIds('--exclude-account', ['1111111111111'])).toThrow('--exclude-account: "1111111111111" is not an account id (12 digits).');
  });
});
