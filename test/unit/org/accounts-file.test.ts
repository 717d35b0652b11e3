import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { parseAccountsFile, readAccountsFile } from '../../../src/org/accounts-file.ts';

const HINT = 'Each entry needs `id: "<12 digits>"`; name, role, regions and tags are optional. See "Org-wide checks" in the README.';

function invalid(text: string): UserError {
  let error: unknown;
  try {
    parseAccountsFile(text, 'accounts.yaml');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).code).toBe('ACCOUNTS_FILE_INVALID');
  return error as UserError;
}

describe('parseAccountsFile', () => {
  it('reads every field, and leaves out what is not given', () => {
    const accounts = parseAccountsFile(
      [
        'accounts:',
        '  - id: "011111111111"',
        '    name: prod',
        '    role: ops-org-access',
        '    regions: [us-east-1, us-west-2]',
        '    tags: { env: prod, team: trading }',
        '  - id: "222222222222"',
        '    role: arn:aws:iam::222222222222:role/team/legacy-audit',
        '  - id: "333333333333"',
        '    role: arn:aws-cn:iam::333333333333:role/ops',
        '    regions: [cn-north-1]',
      ].join('\n'),
    );

    expect(accounts).toEqual([
      { id: '011111111111', name: 'prod', role: 'ops-org-access', regions: ['us-east-1', 'us-west-2'], tags: { env: 'prod', team: 'trading' } },
      { id: '222222222222', role: 'arn:aws:iam::222222222222:role/team/legacy-audit' },
      { id: '333333333333', role: 'arn:aws-cn:iam::333333333333:role/ops', regions: ['cn-north-1'] },
    ]);
  });

  it('reads JSON too', () => {
    expect(parseAccountsFile('{"accounts":[{"id":"111111111111","name":"prod"}]}')).toEqual([{ id: '111111111111', name: 'prod' }]);
  });

  it('refuses an unquoted id with the hint about quoting', () => {
    const error = invalid('accounts:\n  - id: 012345678901\n    name: prod\n');

    expect(error.message).toBe(
      'accounts.yaml is not a valid accounts file: accounts.0.id: must be a quoted string ("012345678901"): YAML reads an unquoted id as a number and drops leading zeros',
    );
    expect(error.hint).toBe(HINT);
  });

  it('says an id is required, and must be 12 digits', () => {
    expect(invalid('accounts:\n  - name: prod\n').message).toBe('accounts.yaml is not a valid accounts file: accounts.0.id: is required');
    expect(invalid('accounts:\n  - id: "12345"\n').message).toBe('accounts.yaml is not a valid accounts file: accounts.0.id: must be 12 digits');
  });

  it('refuses an account listed twice', () => {
    const error = invalid('accounts:\n  - id: "111111111111"\n  - id: "222222222222"\n  - id: "111111111111"\n  - id: "111111111111"\n');

    expect(error.message).toBe('accounts.yaml lists 111111111111 more than once.');
    expect(error.hint).toBe('List each account once; give it every region it needs in `regions:`.');
  });

  it('refuses a bad region, an empty region list and a bad role', () => {
    expect(invalid('accounts:\n  - id: "111111111111"\n    regions: [us-east-1, US_EAST_1]\n').message).toBe(
      'accounts.yaml is not a valid accounts file: accounts.0.regions.1: must be a region name such as us-east-1',
    );
    expect(invalid('accounts:\n  - id: "111111111111"\n    regions: []\n').message).toMatch(/^accounts\.yaml is not a valid accounts file: accounts\.0\.regions: /);
    expect(invalid('accounts:\n  - id: "111111111111"\n    role: "not a role"\n').message).toMatch(/^accounts\.yaml is not a valid accounts file: accounts\.0\.role: /);
  });

  it('refuses an unknown key (a typo of regions) in an entry and at the top level', () => {
    expect(invalid('accounts:\n  - id: "111111111111"\n    region: us-east-1\n').message).toBe(
      'accounts.yaml is not a valid accounts file: accounts.0: Unrecognized key: "region"',
    );
    expect(invalid('accounts:\n  - id: "111111111111"\nroles: x\n').message).toBe('accounts.yaml is not a valid accounts file: (top level): Unrecognized key: "roles"');
  });

  it('refuses a file without accounts', () => {
    expect(invalid('accounts: []\n').message).toBe('accounts.yaml is not a valid accounts file: accounts: must list at least one account');
    expect(invalid('').message).toMatch(/^accounts\.yaml is not a valid accounts file: \(top level\): /);
  });

  it('refuses text that is not YAML', () => {
    const error = invalid('accounts:\n  - id: "111111111111\n    name: [prod\n');

    expect(error.message).toMatch(/^accounts\.yaml is not YAML: /);
    expect(error.hint).toBe('Fix the syntax; see "Org-wide checks" in the README for the format.');
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('readAccountsFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ops-accounts-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and parses the file, naming it in errors', async () => {
    const good = join(dir, 'accounts.yaml');
    await writeFile(good, 'accounts:\n  - id: "111111111111"\n    regions: [eu-west-1]\n');
    expect(await readAccountsFile(good)).toEqual([{ id: '111111111111', regions: ['eu-west-1'] }]);

    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'accounts:\n  - id: 111111111111\n');
    await expect(readAccountsFile(bad)).rejects.toThrow(`${bad} is not a valid accounts file: accounts.0.id: must be a quoted string`);
  });

  it('is ACCOUNTS_FILE_UNREADABLE for a missing file', async () => {
    const path = join(dir, 'missing.yaml');
    const error = await readAccountsFile(path).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('ACCOUNTS_FILE_UNREADABLE');
    expect((error as UserError).message).toMatch(new RegExp(`^Cannot read the accounts file ${path}: ENOENT`));
  });
});
