import { describe, expect, it } from 'vitest';
import { RoleAssumptionError } from '../../../src/aws/assumed-role.ts';
import type { Finding } from '../../../src/checks/finding.ts';
import type { ClusterFacts, ScheduleFacts } from '../../../src/checks/model.ts';
import { buildReport } from '../../../src/checks/report.ts';
import type { CheckResult } from '../../../src/checks/run-check.ts';
import { nyse } from '../../../src/market/index.ts';
import { applyOrgFix, planOrgFix, renderOrgPlan, type OrgPlan } from '../../../src/org/org-fix.ts';
import { placedAuditLog, placedBackupStore } from '../../../src/org/placed-stores.ts';
import type { AccountTarget, OrgPair } from '../../../src/org/targets.ts';
import { TooManyChangesError } from '../../../src/remediate/change-limit.ts';
import type { ClusterDirectory } from '../../../src/remediate/ports.ts';
import type { FixPorts } from '../../../src/remediate/run-fix.ts';
import type { RawSchedule } from '../../../src/remediate/schedule-document.ts';
import { snapshotOf } from '../../support/check-fixtures.ts';
import { clusterArn, ecsSchedule, memoryAudit, memoryBackups, memoryScheduler, targetChecker, WHO, type MemoryAudit, type MemoryBackups, type MemoryScheduler } from '../remediate/fakes.ts';

const RUN = 'fix-20260129T230100000Z-abcd';
const NOW = new Date('2026-01-29T23:01:00Z');

const account = (id: string, name: string): AccountTarget => ({ id, name, role: 'ops-org-access', tags: {} });

/** A schedule in this account and region whose target names `cluster` there. */
function rawIn(pair: OrgPair, group: string, name: string, cluster: string): RawSchedule {
  const base = ecsSchedule(group, name);
  const { account: { id }, region } = pair;
  return { ...base, Arn: `arn:aws:scheduler:${region}:${id}:schedule/${group}/${name}`, Target: { ...base.Target!, Arn: clusterArn(cluster, id, region) } };
}

function factsOf(raw: RawSchedule): ScheduleFacts {
  return {
    group: raw.GroupName!,
    name: raw.Name!,
    arn: raw.Arn!,
    state: 'ENABLED',
    expression: raw.ScheduleExpression!,
    timezone: raw.ScheduleExpressionTimezone!,
    lastModificationDate: raw.LastModificationDate!,
    flexibleWindowMinutes: 0,
    target: { kind: 'ecs', arn: raw.Target!.Arn!, roleArn: raw.Target!.RoleArn!, ecs: { taskDefinitionArn: raw.Target!.EcsParameters!.TaskDefinitionArn! } },
  };
}

function notFound(facts: ScheduleFacts): Finding {
  return {
    code: 'TARGET_CLUSTER_NOT_FOUND',
    severity: 'critical',
    schedule: { group: facts.group, name: facts.name, arn: facts.arn },
    message: 'targets a missing cluster',
    evidence: { clusterArn: facts.target.arn },
    fix: '',
    runbook: 'runbooks/TARGET_CLUSTER_NOT_FOUND.md',
  };
}

interface World {
  pair: OrgPair;
  raws: RawSchedule[];
  clusters: ClusterFacts[];
  broken: boolean;
}

const active = (pair: OrgPair, name: string): ClusterFacts => ({ arn: clusterArn(name, pair.account.id, pair.region), name, status: 'ACTIVE' });

const A: OrgPair = { account: account('111111111111', 'prod'), region: 'us-west-2' };
const B: OrgPair = { account: account('222222222222', 'dev'), region: 'us-east-1' };
const C: OrgPair = { account: account('333333333333', 'stage'), region: 'us-west-2' };
const D: OrgPair = { account: account('444444444444', 'sandbox'), region: 'us-west-2' };

const WORLDS: World[] = [
  // Two broken schedules, repaired through --map ops-pipeline=ops-pipeline-cluster.
  { pair: A, raws: [rawIn(A, 'ops-pipeline-market', 'dispatcher', 'ops-pipeline'), rawIn(A, 'ops-pipeline', 'telemetry', 'ops-pipeline')], clusters: [active(A, 'ops-pipeline-cluster')], broken: true },
  // Two broken schedules, repaired by the auto-match (the map names no cluster here).
  { pair: B, raws: [rawIn(B, 'ingest', 'ingest', 'legacy'), rawIn(B, 'ingest', 'ingest-eod', 'legacy')], clusters: [active(B, 'legacy-cluster')], broken: true },
  // Healthy: nothing to plan.
  { pair: C, raws: [rawIn(C, 'trading', 'job', 'trading')], clusters: [active(C, 'trading')], broken: false },
  // Broken, with no evident match: a decision only.
  { pair: D, raws: [rawIn(D, 'trading', 'orphan', 'gone')], clusters: [active(D, 'alpha'), active(D, 'beta')], broken: true },
];

function checkedPairs() {
  const listed: string[] = [];
  const checked = WORLDS.map((w) => {
    const facts = w.raws.map(factsOf);
    const findings = w.broken ? facts.map(notFound) : [];
    const snapshot = snapshotOf({ schedules: facts, region: w.pair.region, collectedAt: NOW });
    const check: CheckResult = { snapshot, findings, report: buildReport(snapshot, findings, { failOn: 'warning', calendar: nyse }) };
    const clusters: ClusterDirectory = {
      async listClusters() {
        listed.push(w.pair.account.name);
        return { status: 'found', value: w.clusters };
      },
    };
    return { pair: w.pair, check, clusters };
  });
  return { checked, listed };
}

const MAPPINGS = [
  { from: 'ops-pipeline', to: 'ops-pipeline-cluster' },
  { from: 'typo', to: 'nothing' },
];

async function plan(): Promise<OrgPlan> {
  return planOrgFix(checkedPairs().checked, { mappings: MAPPINGS });
}

interface PairWorld {
  scheduler: MemoryScheduler;
  backups: MemoryBackups;
}

/** FixPorts per pair over in-memory fakes; one audit log for the whole run, as on disk. */
function fixWorld(failFor: ReadonlySet<string> = new Set()) {
  const audit: MemoryAudit = memoryAudit();
  const worlds = new Map<string, PairWorld>();
  const asked: string[] = [];
  for (const w of WORLDS) worlds.set(w.pair.account.id, { scheduler: memoryScheduler(w.raws), backups: memoryBackups(`/backups/${w.pair.account.id}/${w.pair.region}`) });
  const portsFor = async (pair: OrgPair): Promise<FixPorts> => {
    asked.push(pair.account.name);
    if (failFor.has(pair.account.id)) throw new RoleAssumptionError(`arn:aws:iam::${pair.account.id}:role/ops-org-access`, 'AccessDenied', 'not authorized to perform: sts:AssumeRole');
    const world = worlds.get(pair.account.id)!;
    const place = { account: pair.account.id, region: pair.region };
    return {
      writer: world.scheduler,
      backups: placedBackupStore(world.backups, place),
      audit: placedAuditLog(audit, place),
      targets: targetChecker(WORLDS.find((w) => w.pair === pair)!.clusters),
      identity: { whoAmI: async () => WHO },
    };
  };
  return { audit, worlds, asked, portsFor };
}

describe('planOrgFix', () => {
  it('keeps only pairs with changes or decisions, and lists clusters only where something is repairable', async () => {
    const { checked, listed } = checkedPairs();

    const orgPlan = await planOrgFix(checked, { mappings: MAPPINGS });

    expect(orgPlan.pairs.map((p) => [p.account, p.accountName, p.region, p.plan.changes.length, p.plan.decisions.length])).toEqual([
      ['111111111111', 'prod', 'us-west-2', 2, 0],
      ['222222222222', 'dev', 'us-east-1', 2, 0],
      ['444444444444', 'sandbox', 'us-west-2', 0, 1],
    ]);
    expect(orgPlan.pairs[0]?.pair).toBe(A);
    expect(orgPlan.pairs[0]?.check).toBe(checked[0]?.check);
    expect({ changes: orgPlan.changes, decisions: orgPlan.decisions }).toEqual({ changes: 4, decisions: 1 });
    expect(listed).toEqual(['prod', 'dev', 'sandbox']);
    // Each pair's changes point at its own account's and region's cluster.
    expect(orgPlan.pairs.flatMap((p) => p.plan.changes.map((c) => [c.schedule.name, c.resolvedBy, c.to]))).toEqual([
      ['telemetry', '--map', clusterArn('ops-pipeline-cluster', A.account.id, A.region)],
      ['dispatcher', '--map', clusterArn('ops-pipeline-cluster', A.account.id, A.region)],
      ['ingest', 'auto-match', clusterArn('legacy-cluster', B.account.id, B.region)],
      ['ingest-eod', 'auto-match', clusterArn('legacy-cluster', B.account.id, B.region)],
    ]);
  });

  it('reports a --map entry as unused only when no pair used it', async () => {
    const orgPlan = await plan();

    expect(orgPlan.unusedMappings).toEqual(['typo=nothing']);
    // Pair B alone would have called ops-pipeline=ops-pipeline-cluster unused.
    expect(orgPlan.pairs[1]?.plan.unusedMappings).toEqual(['ops-pipeline=ops-pipeline-cluster', 'typo=nothing']);
  });

  it('is empty for pairs with nothing to repair', async () => {
    const { checked } = checkedPairs();

    expect(await planOrgFix([checked[2]!], {})).toEqual({ pairs: [], changes: 0, decisions: 0, unusedMappings: [] });
  });
});

describe('renderOrgPlan', () => {
  it('heads the plan with its totals, one block per pair, the unused --map entries once and the limit', async () => {
    const text = renderOrgPlan(await plan(), { maxChanges: 3 });
    const lines = text.split('\n');

    expect(lines[0]).toBe('Org fix plan: 4 change(s) to Target.Arn in 2 account(s), 1 schedule(s) need a decision');
    expect(lines.filter((l) => !l.startsWith(' '))).toEqual([
      'Org fix plan: 4 change(s) to Target.Arn in 2 account(s), 1 schedule(s) need a decision',
      'prod (111111111111) us-west-2',
      'dev (222222222222) us-east-1',
      'sandbox (444444444444) us-west-2',
      '--map entries that matched no broken schedule in any account: typo=nothing',
      'The plan is larger than --max-changes 3 (counted over every account): applying it will be refused.',
    ]);
    expect(lines[1 + 1]).toBe('  Fix plan: 2 change(s) to Target.Arn, 0 schedule(s) need a decision');
    expect(text).not.toContain('--map entries that matched no broken schedule:');
    expect(renderOrgPlan(await plan(), { maxChanges: 4 })).not.toContain('larger than --max-changes');
  });
});

describe('applyOrgFix', () => {
  it('refuses before any write when the total exceeds maxChanges, though each pair is under it', async () => {
    const orgPlan = await plan();
    const world = fixWorld();

    const error = await applyOrgFix(orgPlan, world.portsFor, { now: () => NOW, maxChanges: 3, runId: RUN }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TooManyChangesError);
    expect((error as TooManyChangesError).details()).toEqual({ planned: 4, maxChanges: 3 });
    expect((error as TooManyChangesError).code).toBe('TOO_MANY_CHANGES');
    expect(orgPlan.pairs.map((p) => p.plan.changes.length).every((n) => n < 3)).toBe(true);
    expect(world.asked).toEqual([]);
    expect([...world.worlds.values()].flatMap((w) => w.scheduler.updates)).toEqual([]);
    expect(world.audit.entries).toEqual([]);
  });

  it('numbers entries across pairs under one run id, and stamps audit entries and backups with account and region', async () => {
    const world = fixWorld();
    const progress: string[] = [];

    const results = await applyOrgFix(await plan(), world.portsFor, { now: () => NOW, maxChanges: 4, runId: RUN, progress: (m) => progress.push(m) });

    expect(results.map((r) => ('run' in r ? [r.account, r.accountName, r.region, r.run.runId, r.run.results.map((x) => [x.entryId, x.schedule.name, x.status])] : r))).toEqual([
      [
        '111111111111',
        'prod',
        'us-west-2',
        RUN,
        [
          [`${RUN}.01`, 'telemetry', 'ok'],
          [`${RUN}.02`, 'dispatcher', 'ok'],
        ],
      ],
      [
        '222222222222',
        'dev',
        'us-east-1',
        RUN,
        [
          [`${RUN}.03`, 'ingest', 'ok'],
          [`${RUN}.04`, 'ingest-eod', 'ok'],
        ],
      ],
    ]);
    // Pairs with decisions only are not entered.
    expect(world.asked).toEqual(['prod', 'dev']);
    expect(world.audit.entries.map((e) => [e.entryId, e.phase, e.account, e.region, e.schedule.name])).toEqual([
      [`${RUN}.01`, 'pending', '111111111111', 'us-west-2', 'telemetry'],
      [`${RUN}.01`, 'result', '111111111111', 'us-west-2', 'telemetry'],
      [`${RUN}.02`, 'pending', '111111111111', 'us-west-2', 'dispatcher'],
      [`${RUN}.02`, 'result', '111111111111', 'us-west-2', 'dispatcher'],
      [`${RUN}.03`, 'pending', '222222222222', 'us-east-1', 'ingest'],
      [`${RUN}.03`, 'result', '222222222222', 'us-east-1', 'ingest'],
      [`${RUN}.04`, 'pending', '222222222222', 'us-east-1', 'ingest-eod'],
      [`${RUN}.04`, 'result', '222222222222', 'us-east-1', 'ingest-eod'],
    ]);
    // Each write went to its own account's scheduler, pointing at its own cluster.
    expect(world.worlds.get('111111111111')!.scheduler.store.get('ops-pipeline/telemetry')?.Target?.Arn).toBe(clusterArn('ops-pipeline-cluster', A.account.id, A.region));
    expect(world.worlds.get('222222222222')!.scheduler.store.get('ingest/ingest-eod')?.Target?.Arn).toBe(clusterArn('legacy-cluster', B.account.id, B.region));
    expect(world.worlds.get('444444444444')!.scheduler.updates).toEqual([]);
    // Backups carry the placement, and survive the JSON round trip (memoryBackups reads through parseBackup).
    for (const [id, region] of [
      ['111111111111', 'us-west-2'],
      ['222222222222', 'us-east-1'],
    ] as const) {
      const backups = world.worlds.get(id)!.backups;
      expect(backups.files.size).toBe(2);
      for (const path of backups.files.keys()) {
        const doc = await backups.read(path);
        expect([doc.account, doc.region, doc.runId, doc.entryId.startsWith(`${RUN}.0`)]).toEqual([id, region, RUN, true]);
      }
    }
    expect(progress.filter((m) => m.includes('change(s)'))).toEqual(['prod (111111111111) us-west-2: 2 change(s)', 'dev (222222222222) us-east-1: 2 change(s)']);
  });

  it('records a pair whose ports cannot be built as a failure, and still applies the next pair', async () => {
    const world = fixWorld(new Set(['111111111111']));

    const results = await applyOrgFix(await plan(), world.portsFor, { now: () => NOW, maxChanges: 25, runId: RUN });

    expect(results[0]).toEqual({
      account: '111111111111',
      accountName: 'prod',
      region: 'us-west-2',
      failure: { action: 'sts:AssumeRole', errorName: 'AccessDenied', reason: 'not authorized to perform: sts:AssumeRole' },
      changes: 2,
    });
    const second = results[1]!;
    expect('run' in second ? second.run.results.map((r) => [r.entryId, r.status]) : second).toEqual([
      [`${RUN}.03`, 'ok'],
      [`${RUN}.04`, 'ok'],
    ]);
    expect(results).toHaveLength(2);
    expect(world.asked).toEqual(['prod', 'dev']);
    expect(world.worlds.get('111111111111')!.scheduler.updates).toEqual([]);
    expect(world.audit.entries.map((e) => [e.entryId, e.account])).toEqual([
      [`${RUN}.03`, '222222222222'],
      [`${RUN}.03`, '222222222222'],
      [`${RUN}.04`, '222222222222'],
      [`${RUN}.04`, '222222222222'],
    ]);
  });

  it('records a pair whose writes throw part-way as a failure, and still applies the next pair', async () => {
    const world = fixWorld();
    const broken = async (pair: OrgPair): Promise<FixPorts> => {
      const ports = await world.portsFor(pair);
      return pair.account.id === '111111111111' ? { ...ports, identity: { whoAmI: () => Promise.reject(new Error('identity lookup exploded')) } } : ports;
    };

    const results = await applyOrgFix(await plan(), broken, { now: () => NOW, maxChanges: 25, runId: RUN });

    expect(results[0]).toEqual({ account: '111111111111', accountName: 'prod', region: 'us-west-2', failure: { action: 'unknown', errorName: 'Error', reason: 'identity lookup exploded' }, changes: 2 });
    const second = results[1]!;
    expect('run' in second ? second.run.results.map((r) => [r.entryId, r.status]) : second).toEqual([
      [`${RUN}.03`, 'ok'],
      [`${RUN}.04`, 'ok'],
    ]);
  });
});
