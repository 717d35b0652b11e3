import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
  type Account,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { listOrganizationAccounts } from '../../../src/aws/organizations-reader.ts';
import { OFFLINE_CLIENT_CONFIG } from './fake-http-handler.ts';

const client = new OrganizationsClient(OFFLINE_CLIENT_CONFIG);
const mock = mockClient(client);

/** What each call asked, copied when it was made: the SDK's paginators reuse (and mutate) one input object. */
let seen: { command: string; parent?: string; token?: string }[] = [];
const record = (command: string, input: { ParentId?: string; NextToken?: string }) => seen.push({ command, ...(input.ParentId !== undefined ? { parent: input.ParentId } : {}), ...(input.NextToken !== undefined ? { token: input.NextToken } : {}) });
const asked = (command: string) => seen.filter((s) => s.command === command).map((s) => [s.parent, s.token]);

beforeEach(() => {
  mock.reset();
  seen = [];
});

const account = (id: string, name: string | undefined, state: { State?: string; Status?: string }): Account => ({
  Id: id,
  Arn: `arn:aws:organizations::999999999999:account/o-abc/${id}`,
  ...(name !== undefined ? { Name: name } : {}),
  ...(state as Pick<Account, 'State' | 'Status'>),
});

describe('listOrganizationAccounts: the whole Organization', () => {
  it('follows NextToken, keeps ACTIVE accounts sorted by id, and lists the others with their state', async () => {
    mock.on(ListAccountsCommand).callsFake((input: { NextToken?: string }) => {
      record('ListAccounts', input);
      if (input.NextToken === undefined) {
        return {
          Accounts: [
            account('333333333333', 'prod', { State: 'ACTIVE', Status: 'ACTIVE' }),
            account('555555555555', 'closing', { State: 'PENDING_CLOSURE', Status: 'ACTIVE' }),
          ],
          NextToken: 'page-2',
        };
      }
      if (input.NextToken === 'page-2') {
        return {
          Accounts: [
            // Only the retired Status (older SDK answers, emulators): still read.
            account('222222222222', undefined, { Status: 'ACTIVE' }),
            account('444444444444', 'old', { Status: 'SUSPENDED' }),
            account('333333333333', 'prod again', { State: 'ACTIVE' }),
            account('666666666666', 'mystery', {}),
            { Name: 'no id', State: 'ACTIVE' },
          ],
        };
      }
      throw new Error(`unexpected NextToken ${input.NextToken}`);
    });

    const listing = await listOrganizationAccounts(client);

    expect(listing).toEqual({
      accounts: [
        { id: '222222222222', name: '222222222222' },
        { id: '333333333333', name: 'prod' },
      ],
      inactive: [
        { id: '555555555555', name: 'closing', state: 'PENDING_CLOSURE' },
        { id: '444444444444', name: 'old', state: 'SUSPENDED' },
        { id: '666666666666', name: 'mystery', state: 'UNKNOWN' },
      ],
    });
    expect(asked('ListAccounts')).toEqual([
      [undefined, undefined],
      [undefined, 'page-2'],
    ]);
    expect(mock).toHaveReceivedCommandTimes(ListAccountsForParentCommand, 0);
  });

  it('reads the whole Organization when --ou is an empty list', async () => {
    mock.on(ListAccountsCommand).resolves({ Accounts: [account('111111111111', 'a', { State: 'ACTIVE' })] });

    expect(await listOrganizationAccounts(client, { ous: [] })).toEqual({ accounts: [{ id: '111111111111', name: 'a' }], inactive: [] });
    expect(mock).toHaveReceivedCommandTimes(ListAccountsCommand, 1);
  });
});

describe('listOrganizationAccounts: under OUs', () => {
  // ou-root ─┬─ 111 (page 1), 777 (page 2)
  //          ├─ ou-child-1 ── 222 ── ou-grand ── 333, and 111 again
  //          └─ ou-child-2 (on the second page of child OUs) ── 444 SUSPENDED
  const accountsOf: Record<string, Account[][]> = {
    'ou-root-aaaaaaaa': [[account('111111111111', 'prod', { State: 'ACTIVE' })], [account('777777777777', 'shared', { State: 'ACTIVE' })]],
    'ou-child-1aaaaaa': [[account('222222222222', 'dev', { State: 'ACTIVE' })]],
    'ou-grand-aaaaaaa': [[account('333333333333', 'stage', { State: 'ACTIVE' }), account('111111111111', 'prod', { State: 'ACTIVE' })]],
    'ou-child-2aaaaaa': [[account('444444444444', 'old', { State: 'SUSPENDED' })]],
  };
  const childrenOf: Record<string, string[][]> = {
    'ou-root-aaaaaaaa': [['ou-child-1aaaaaa'], ['ou-child-2aaaaaa']],
    'ou-child-1aaaaaa': [['ou-grand-aaaaaaa']],
  };
  const page = <T>(pages: T[][] | undefined, token: string | undefined): { items: T[]; next?: string } => {
    const index = token === undefined ? 0 : Number(token);
    const items = pages?.[index] ?? [];
    return index + 1 < (pages?.length ?? 0) ? { items, next: String(index + 1) } : { items };
  };

  beforeEach(() => {
    mock.on(ListAccountsForParentCommand).callsFake((input: { ParentId: string; NextToken?: string }) => {
      record('ListAccountsForParent', input);
      const { items, next } = page(accountsOf[input.ParentId], input.NextToken);
      return { Accounts: items, ...(next !== undefined ? { NextToken: next } : {}) };
    });
    mock.on(ListOrganizationalUnitsForParentCommand).callsFake((input: { ParentId: string; NextToken?: string }) => {
      record('ListOrganizationalUnitsForParent', input);
      const { items, next } = page(childrenOf[input.ParentId], input.NextToken);
      return { OrganizationalUnits: items.map((id) => ({ Id: id, Name: id })), ...(next !== undefined ? { NextToken: next } : {}) };
    });
  });

  it('walks nested OUs through every page, keeps the OU each account was first found under, and dedupes', async () => {
    const listing = await listOrganizationAccounts(client, { ous: ['ou-root-aaaaaaaa'] });

    expect(listing).toEqual({
      accounts: [
        { id: '111111111111', name: 'prod', ou: 'ou-root-aaaaaaaa' },
        { id: '222222222222', name: 'dev', ou: 'ou-child-1aaaaaa' },
        { id: '333333333333', name: 'stage', ou: 'ou-grand-aaaaaaa' },
        { id: '777777777777', name: 'shared', ou: 'ou-root-aaaaaaaa' },
      ],
      inactive: [{ id: '444444444444', name: 'old', state: 'SUSPENDED' }],
    });
    expect(asked('ListAccountsForParent')).toEqual([
      ['ou-root-aaaaaaaa', undefined],
      ['ou-root-aaaaaaaa', '1'],
      ['ou-child-1aaaaaa', undefined],
      ['ou-grand-aaaaaaa', undefined],
      ['ou-child-2aaaaaa', undefined],
    ]);
    expect(asked('ListOrganizationalUnitsForParent')).toEqual([
      ['ou-root-aaaaaaaa', undefined],
      ['ou-child-1aaaaaa', undefined],
      ['ou-grand-aaaaaaa', undefined],
      ['ou-root-aaaaaaaa', '1'],
      ['ou-child-2aaaaaa', undefined],
    ]);
    expect(mock).toHaveReceivedCommandTimes(ListAccountsCommand, 0);
  });

  it('walks an OU given twice (or under another given OU) once', async () => {
    const listing = await listOrganizationAccounts(client, { ous: ['ou-child-1aaaaaa', 'ou-root-aaaaaaaa', 'ou-child-1aaaaaa'] });

    expect(listing.accounts.map((a) => [a.id, a.ou])).toEqual([
      ['111111111111', 'ou-grand-aaaaaaa'],
      ['222222222222', 'ou-child-1aaaaaa'],
      ['333333333333', 'ou-grand-aaaaaaa'],
      ['777777777777', 'ou-root-aaaaaaaa'],
    ]);
    expect(asked('ListAccountsForParent')).toEqual([
      ['ou-child-1aaaaaa', undefined],
      ['ou-grand-aaaaaaa', undefined],
      ['ou-root-aaaaaaaa', undefined],
      ['ou-root-aaaaaaaa', '1'],
      ['ou-child-2aaaaaa', undefined],
    ]);
  });
});
