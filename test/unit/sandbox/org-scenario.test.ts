/**
 * The generated org scenario: deterministic, exact counts, and its expectations complete.
 *
 * Decision pinned here: accounts without the access role still get their pairs seeded, faults and
 * all (a real account without the role has schedules too), but those faults are `hidden`, never
 * `expected`: no org-wide run can see them. What it sees instead is each such pair `unreachable`.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { parseAccountsFile } from '../../../src/org/accounts-file.ts';
import { matchRule } from '../../../src/remediate/cluster-match.ts';
import { fireTimesBetween, parseExpression } from '../../../src/schedule/index.ts';
import { generateOrgScenario, OrgPairNames, type OrgPlantedFinding } from '../../../src/sandbox/org-scenario.ts';
import { orgAccountsFileText, type SeededOrgAccount } from '../../../src/sandbox/org-seed.ts';

const key = (f: Pick<OrgPlantedFinding, 'accountName' | 'region' | 'group' | 'name' | 'code'>) => `${f.accountName} ${f.region} ${f.group}/${f.name} ${f.code}`;

function countBy<T>(items: readonly T[], of: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[of(item)] = (counts[of(item)] ?? 0) + 1;
  return counts;
}

describe('generateOrgScenario', () => {
  it('is deterministic: the same options give the same organization', () => {
    expect(generateOrgScenario()).toEqual(generateOrgScenario());
    expect(generateOrgScenario({ accounts: 7, regions: ['eu-west-1'], schedulesPerPair: 9 })).toEqual(generateOrgScenario({ accounts: 7, regions: ['eu-west-1'], schedulesPerPair: 9 }));
  });

  it('by default: 20 accounts in 3 OUs × 3 regions, 4 schedules a pair, one account without the role', () => {
    const org = generateOrgScenario();
    expect(org.roleName).toBe('ops-org-access');
    expect(org.regions).toEqual(['us-east-1', 'us-west-2', 'eu-west-1']);
    expect(org.organizationalUnits).toEqual(['production', 'non-production', 'trading-desks']);
    expect(org.accounts).toHaveLength(20);
    expect(org.accounts.slice(0, 6).map((a) => a.name)).toEqual(['prod', 'staging', 'desk-01', 'dev', 'prod-dr', 'desk-02']);
    expect(org.accounts.at(-1)?.name).toBe('desk-16');
    expect(countBy(org.accounts, (a) => a.ou)).toEqual({ production: 2, 'non-production': 2, 'trading-desks': 16 });
    expect(new Set(org.accounts.map((a) => a.email)).size).toBe(20);
    expect(org.accounts.filter((a) => !a.hasRole).map((a) => a.name)).toEqual(['desk-16']);

    expect(org.pairs).toHaveLength(60);
    expect(org.pairs.flatMap((p) => p.scenario.schedules)).toHaveLength(240);
    // The management account: every region, the same system, nothing planted.
    expect(org.managementPairs.map((p) => `${p.accountName} ${p.region}`)).toEqual(['management us-east-1', 'management us-west-2', 'management eu-west-1']);
    expect(org.managementPairs.flatMap((p) => p.scenario.schedules).filter((s) => s.plantedFault !== undefined || s.state !== 'ENABLED')).toEqual([]);
    expect(org.managementPairs.flatMap((p) => p.scenario.schedules)).toHaveLength(12);
    // Two pairs in five carry one fault each: 24 faults, one of them in desk-16's pairs.
    expect(org.expected).toHaveLength(23);
    expect(org.hidden).toEqual([{ accountName: 'desk-16', region: 'us-east-1', group: 'desk-batch', name: 'ledger-archive', code: 'SCHEDULE_DISABLED' }]);
    expect(org.unreachable).toEqual(['us-east-1', 'us-west-2', 'eu-west-1'].map((region) => ({ accountName: 'desk-16', region })));
    expect(countBy(org.expected, (f) => f.code)).toEqual({
      TARGET_CLUSTER_NOT_FOUND: 9,
      SCHEDULE_DISABLED: 2,
      TASK_DEFINITION_NOT_ACTIVE: 2,
      DEAD_LETTER_QUEUE_MISSING: 2,
      TARGET_ROLE_MISSING: 2,
      SCHEDULE_EXPIRED: 2,
      TARGET_CLUSTER_INACTIVE: 2,
      TARGET_FUNCTION_MISSING: 2,
    });
    expect(org.expected.slice(0, 3).map(key)).toEqual([
      'prod us-east-1 desk-market/position-snapshot TARGET_CLUSTER_NOT_FOUND',
      'prod eu-west-1 desk-batch/pnl-report SCHEDULE_DISABLED',
      'staging eu-west-1 desk-market/risk-rollup TARGET_CLUSTER_NOT_FOUND',
    ]);
  });

  it('lists every planted fault once: in expected where the role exists, in hidden where it does not', () => {
    for (const options of [{}, { accounts: 3 }, { accounts: 11, regions: ['us-east-1'], schedulesPerPair: 1, missingRoleAccounts: 3 }, { accounts: 5, schedulesPerPair: 12, missingRoleAccounts: 0 }]) {
      const org = generateOrgScenario(options);
      const hasRole = new Map(org.accounts.map((a) => [a.name, a.hasRole]));
      const planted = org.pairs.flatMap((p) =>
        p.scenario.schedules.filter((s) => s.plantedFault !== undefined).map((s) => ({ accountName: p.accountName, region: p.region, group: s.group, name: s.name, code: s.plantedFault! })),
      );
      expect(org.expected.map(key).sort()).toEqual(planted.filter((f) => hasRole.get(f.accountName)).map(key).sort());
      expect(org.hidden.map(key).sort()).toEqual(planted.filter((f) => !hasRole.get(f.accountName)).map(key).sort());
      expect(org.unreachable).toHaveLength(org.accounts.filter((a) => !a.hasRole).length * org.regions.length);
      // At most one fault a pair, and pair names unique per account and region.
      expect(new Set(planted.map((f) => `${f.accountName} ${f.region}`)).size).toBe(planted.length);
      expect(new Set(org.pairs.map((p) => p.scenario.name)).size).toBe(org.pairs.length);
    }
  });

  it('counts pairs, schedules and faults exactly for a small organization', () => {
    const org = generateOrgScenario({ accounts: 3, regions: ['us-east-1', 'us-west-2', 'eu-west-1'] });
    expect(org.accounts.map((a) => [a.name, a.ou, a.hasRole])).toEqual([
      ['prod', 'production', true],
      ['staging', 'non-production', true],
      ['desk-01', 'trading-desks', false],
    ]);
    expect(org.pairs).toHaveLength(9);
    expect(org.pairs.map((p) => p.scenario.schedules.length)).toEqual(Array.from({ length: 9 }, () => 4));
    expect(org.expected.map(key)).toEqual([
      'prod us-east-1 desk-market/position-snapshot TARGET_CLUSTER_NOT_FOUND',
      'prod eu-west-1 desk-batch/pnl-report SCHEDULE_DISABLED',
      'staging eu-west-1 desk-market/risk-rollup TARGET_CLUSTER_NOT_FOUND',
    ]);
    expect(org.hidden.map(key)).toEqual(['desk-01 us-west-2 desk-batch/ledger-archive TASK_DEFINITION_NOT_ACTIVE']);
  });

  it('spreads several role-less accounts from the end, and none when asked for none', () => {
    expect(generateOrgScenario({ missingRoleAccounts: 2 }).accounts.filter((a) => !a.hasRole).map((a) => a.name)).toEqual(['desk-06', 'desk-16']);
    const all = generateOrgScenario({ missingRoleAccounts: 0 });
    expect(all.accounts.every((a) => a.hasRole)).toBe(true);
    expect(all.hidden).toEqual([]);
    expect(all.unreachable).toEqual([]);
    expect(all.expected).toHaveLength(24);
  });

  it('plants each fault the way it happens: missing or inactive references, a DISABLED state, a past EndDate', () => {
    const org = generateOrgScenario({ missingRoleAccounts: 0 });
    const schedules = org.pairs.flatMap((p) => p.scenario.schedules.map((s) => ({ s, scenario: p.scenario })));
    for (const { s, scenario } of schedules) {
      const target = s.target;
      switch (s.plantedFault) {
        case 'TARGET_CLUSTER_NOT_FOUND':
          expect(target).toMatchObject({ kind: 'ecs', cluster: OrgPairNames.missingCluster });
          expect(scenario.clusters.map((c) => c.name)).not.toContain(OrgPairNames.missingCluster);
          break;
        case 'TARGET_CLUSTER_INACTIVE':
          expect(scenario.clusters).toContainEqual(expect.objectContaining({ name: OrgPairNames.inactiveCluster, state: 'INACTIVE' }));
          break;
        case 'TASK_DEFINITION_NOT_ACTIVE':
          expect(scenario.taskDefinitions.find((td) => target.kind === 'ecs' && td.family === target.taskDefinition)?.status).toBe('INACTIVE');
          break;
        case 'SCHEDULE_DISABLED':
          expect(s.state).toBe('DISABLED');
          break;
        case 'SCHEDULE_EXPIRED':
          expect(s.endDate).toBe('2025-12-31T00:00:00Z');
          break;
        case 'TARGET_ROLE_MISSING':
          expect(scenario.roles.map((r) => r.name)).not.toContain(s.role);
          break;
        case 'DEAD_LETTER_QUEUE_MISSING':
          expect(scenario.queues.map((q) => q.name)).not.toContain(s.deadLetterQueue);
          break;
        case 'TARGET_FUNCTION_MISSING':
          expect(target.kind).toBe('lambda');
          break;
        case undefined:
          expect(s.state).toBe('ENABLED');
          expect(target).toMatchObject({ kind: 'ecs', cluster: OrgPairNames.cluster });
          break;
      }
      // Every schedule has a dead-letter queue: no NO_DEAD_LETTER_QUEUE findings in an exact check.
      expect(s.deadLetterQueue).toBeDefined();
    }
    // --fix repairs TARGET_CLUSTER_NOT_FOUND by matching the missing name to the pair's one ACTIVE cluster.
    expect(matchRule(OrgPairNames.missingCluster, OrgPairNames.cluster)).toBe('prefix');
  });

  it('fires only at rare instants, so a check right after seeding sees no MISSED_RUNS', () => {
    const schedules = generateOrgScenario({ schedulesPerPair: 8 }).pairs.flatMap((p) => p.scenario.schedules);
    const distinct = new Map(schedules.map((s) => [`${s.expression}|${s.timezone}`, s]));
    const fires = [...distinct.values()].flatMap((s) =>
      fireTimesBetween(parseExpression(s.expression), { timezone: s.timezone, after: new Date('2027-01-01T00:00:00Z'), atOrBefore: new Date('2028-01-01T00:00:00Z') }),
    );
    expect(fires.map((d) => d.toISOString()).sort()).toEqual([
      '2027-01-01T04:30:00.000Z',
      '2027-01-02T05:00:00.000Z',
      '2027-04-01T04:30:00.000Z',
      '2027-07-01T04:30:00.000Z',
      '2027-10-01T04:30:00.000Z',
    ]);
  });

  it('refuses options out of range with a usage error', () => {
    for (const options of [{ accounts: 0 }, { accounts: 201 }, { accounts: 2.5 }, { schedulesPerPair: 0 }, { missingRoleAccounts: 21 }, { regions: [] }, { regions: ['us-east-1', 'us-east-1'] }, { regions: ['mars'] }, { roleName: 'no spaces allowed' }]) {
      expect(() => generateOrgScenario(options), JSON.stringify(options)).toThrow(UserError);
    }
  });
});

describe('orgAccountsFileText', () => {
  it('writes an accounts file the org run reads back: every member account with the role and regions', () => {
    const accounts: SeededOrgAccount[] = [
      { id: '012345678901', name: 'prod', email: 'p@example.com', ou: 'production', ouId: 'ou-1', hasRole: true, tags: { env: 'prod', ou: 'production' } },
      { id: '222222222222', name: 'desk-01', email: 'd@example.com', ou: 'trading-desks', ouId: 'ou-2', hasRole: false, tags: { env: 'prod', ou: 'trading-desks' } },
    ];
    const text = orgAccountsFileText({ organizationId: 'o-abc', roleName: 'ops-org-access', regions: ['us-east-1', 'eu-west-1'], accounts });
    expect(text.split('\n').slice(0, 2)).toEqual([
      '# The member accounts of the sandbox organization o-abc, written by `ops sandbox up --scenario org`.',
      '# Accounts without ops-org-access: desk-01 (222222222222).',
    ]);
    expect(parseAccountsFile(text)).toEqual(accounts.map((a) => ({ id: a.id, name: a.name, role: 'ops-org-access', regions: ['us-east-1', 'eu-west-1'], tags: a.tags })));
  });
});
