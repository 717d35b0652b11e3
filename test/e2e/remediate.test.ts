/**
 * `ops check-schedulers --fix` and `ops rollback` against the sandbox, in-process, through the same
 * adapters that talk to AWS. The incident scenario: 12 ECS schedules point at the missing cluster
 * `ops-pipeline`, the Lambda schedule `trade-alert-checker` is healthy.
 *
 * The CLI, the firer and moto share one virtual clock, on Friday 2026-01-30 from 17:59Z (moto stamps
 * LastModificationDate and ECS tasks with it), a window in which every one of the
 * 12 schedules is due at least once (the 6-hourly ticker at 18:00Z plus up to 30 flexible minutes,
 * the market-hours crons because 13:00 in New York is within 9-15).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateScheduleCommand, GetScheduleCommand, type CreateScheduleInput, type GetScheduleOutput } from '@aws-sdk/client-scheduler';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEcsReader } from '../../src/aws/ecs-reader.ts';
import { createSchedulerWriter } from '../../src/aws/scheduler-writer.ts';
import type { CliContext } from '../../src/entry/cli/context.ts';
import { startedByFor } from '../../src/ledger/index.ts';
import { applyChanges } from '../../src/remediate/apply.ts';
import { createFileAuditLog } from '../../src/remediate/audit-log.ts';
import { createFileBackupStore } from '../../src/remediate/backup.ts';
import { changeIdOf } from '../../src/remediate/identifiers.ts';
import { anyRunSource, ecsRunSource, ledgerRunSource, waitForRuns } from '../../src/remediate/wait-for-run.ts';
import type { SchedulerWriter } from '../../src/remediate/ports.ts';
import { cloneData, projectWritable, type RawSchedule } from '../../src/remediate/schedule-document.ts';
import { resetSandbox } from '../../src/sandbox/moto-server.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { loadScenario } from '../../src/sandbox/scenario.ts';
import { seedScenario } from '../../src/sandbox/seed.ts';
import { runCli } from '../support/cli-harness.ts';
import { ecsScheduleArbitrary } from '../unit/remediate/schedule-arbitrary.ts';
import { tasksStartedBy } from './aws-evidence.ts';
import type { VirtualClock } from '../../src/sandbox/virtual-clock.ts';
import { motoEndpoint, sandboxClock, seededSandbox, type SeededSandbox } from './sandbox-harness.ts';

const FIRE_FROM = new Date('2026-01-30T17:59:00Z');
const FIRE_TO = new Date('2026-01-30T18:31:00Z');
const LAMBDA = 'trade-alert-checker';

/** GetSchedule without the SDK's per-response metadata. */
async function definition(sb: { clients: SeededSandbox['clients'] }, group: string, name: string): Promise<GetScheduleOutput> {
  const { $metadata: _metadata, ...out } = await sb.clients.scheduler.send(new GetScheduleCommand({ GroupName: group, Name: name }));
  return out;
}

async function definitions(sb: SeededSandbox): Promise<Map<string, GetScheduleOutput>> {
  const all = new Map<string, GetScheduleOutput>();
  for (const s of sb.seed.schedules) all.set(s.name, await definition(sb, s.group, s.name));
  return all;
}

const withoutModified = (s: GetScheduleOutput | undefined) => {
  const { LastModificationDate: _modified, ...rest } = s ?? {};
  return rest;
};

/** The CLI in-process against the sandbox, on the sandbox's virtual clock, in its own working directory. */
function opsOn(endpoint: string, region: string, cwd: string, clock: VirtualClock) {
  return (argv: string[], overrides: Partial<CliContext> = {}) =>
    runCli(argv, { env: { AWS_ENDPOINT_URL: endpoint, AWS_REGION: region }, cwd, now: () => clock.now(), ...overrides });
}

beforeAll(() => {
  // The default credentials chain reads process.env: dummy keys keep it from looking anywhere else
  // (no profile files, no instance metadata); every request goes to the sandbox on 127.0.0.1.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_PROFILE', '');
});

afterAll(() => {
  vi.unstubAllEnvs();
});

describe('the incident, fixed with ops check-schedulers --fix and undone with ops rollback', () => {
  let sb: SeededSandbox;
  let cwd: string;
  let ops: ReturnType<typeof opsOn>;
  let broken: Map<string, GetScheduleOutput>;
  let ecsNames: string[];

  beforeAll(async () => {
    sb = await seededSandbox('incident-2026-01-29', FIRE_FROM);
    cwd = await mkdtemp(join(tmpdir(), 'ops-remediate-e2e-'));
    ops = opsOn(sb.endpoint, sb.scenario.region, cwd, sb.clock);
    broken = await definitions(sb);
    ecsNames = sb.seed.schedules.filter((s) => s.name !== LAMBDA).map((s) => s.name);
  });

  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('--dry-run lists the 12 changes and writes nothing', async () => {
    const run = await ops(['check-schedulers', '--fix', '--dry-run', '--json']);

    expect(run.exitCode).toBe(1);
    const doc = run.json() as { mode: string; plan: { changes: { schedule: { name: string }; from: string; to: string }[]; decisions: unknown[] } };
    expect(doc.mode).toBe('dry-run');
    expect(doc.plan.decisions).toEqual([]);
    expect(doc.plan.changes.map((c) => c.schedule.name).sort()).toEqual([...ecsNames].sort());
    expect(new Set(doc.plan.changes.map((c) => `${c.from} → ${c.to}`))).toEqual(new Set([`${sb.seed.clusters['ops-pipeline-cluster']!.replace(/-cluster$/, '')} → ${sb.seed.clusters['ops-pipeline-cluster']}`]));
    expect(await definitions(sb)).toEqual(broken);

    const text = await ops(['check-schedulers', '--fix', '--dry-run']);
    expect(text.stdout).toContain('Fix plan: 12 change(s) to Target.Arn, 0 schedule(s) need a decision');
    expect(text.stdout).toContain('    Target.Arn: …/ops-pipeline → …/ops-pipeline-cluster');
  });

  it('--yes fixes the 12 ECS schedules (Target.Arn only) and leaves trade-alert-checker byte for byte', async () => {
    const run = await ops(['check-schedulers', '--fix', '--yes', '--json']);

    const doc = run.json() as { mode: string; results: { schedule: { name: string }; status: string; startDateDropped: boolean }[] };
    expect(doc.results.filter((r) => r.status !== 'ok')).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(doc.results.map((r) => r.schedule.name).sort()).toEqual([...ecsNames].sort());
    const fixed = await definitions(sb);
    const cluster = sb.seed.clusters['ops-pipeline-cluster'];
    for (const name of ecsNames) {
      const before = broken.get(name)!;
      expect(withoutModified(fixed.get(name))).toEqual({ ...withoutModified(before), Target: { ...before.Target, Arn: cluster } });
    }
    expect(JSON.stringify(fixed.get(LAMBDA))).toBe(JSON.stringify(broken.get(LAMBDA)));
  });

  it('the fixed schedules start tasks once the firer advances: all 12', async () => {
    // --wait-for-run's wait, with a sleep that moves the firer's virtual clock instead of waiting.
    const cluster = sb.seed.clusters['ops-pipeline-cluster']!;
    const facts = await definitions(sb);
    const watched = ecsNames.map((name) => {
      const s = facts.get(name)!;
      return { schedule: { group: s.GroupName!, name, arn: s.Arn! }, clusterArn: cluster, taskDefinitionArn: s.Target!.EcsParameters!.TaskDefinitionArn! };
    });
    const seen = await waitForRuns(watched, anyRunSource([ledgerRunSource(sb.ledger), ecsRunSource(createEcsReader(sb.clients.ecs))]), {
      now: () => sb.clock.now(),
      sleep: async (ms) => void (await sb.firer.advance(ms / 60_000)),
      timeoutMs: FIRE_TO.getTime() - FIRE_FROM.getTime(),
      pollMs: 5 * 60_000,
    });
    expect([...seen.entries()].filter(([, run]) => !run.seen).map(([name]) => name)).toEqual([]);

    const summary = await sb.firer.advanceTo(FIRE_TO);

    expect(summary.errorsByCode.ClusterNotFoundException ?? 0).toBe(0);
    const started: string[] = [];
    for (const name of ecsNames) {
      const tasks = await tasksStartedBy(sb.clients.ecs, cluster, startedByFor(name));
      if (tasks.length > 0) started.push(name);
    }
    expect(started.sort()).toEqual([...ecsNames].sort());
    const lastRuns = await sb.ledger.lastRuns(sb.seed.schedules.filter((s) => s.name !== LAMBDA));
    expect(lastRuns.size).toBe(12);
  }, 180_000);

  it('ops check-schedulers then exits 0', async () => {
    const run = await ops(['check-schedulers']);

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
  });

  it('ops rollback --last --yes restores the 12 broken definitions exactly, and the check flags them again', async () => {
    // Without --yes and without a terminal it is a dry run: the plan, nothing written, exit 0.
    const preview = await ops(['rollback', '--last']);
    expect(preview.exitCode).toBe(0);
    expect(preview.stdout).toContain('Dry run: nothing was written');

    const run = await ops(['rollback', '--last', '--yes', '--json']);

    expect(run.exitCode).toBe(0);
    expect((run.json() as { results: { status: string }[] }).results.map((r) => r.status)).toEqual(Array(12).fill('ok'));
    const restored = await definitions(sb);
    for (const name of ecsNames) expect(withoutModified(restored.get(name))).toEqual(withoutModified(broken.get(name)));
    expect(JSON.stringify(restored.get(LAMBDA))).toBe(JSON.stringify(broken.get(LAMBDA)));

    const check = await ops(['check-schedulers', '--json']);
    expect(check.exitCode).toBe(1);
    const findings = (check.json() as { findings: { code: string; schedule?: { name: string } }[] }).findings.filter((f) => f.code === 'TARGET_CLUSTER_NOT_FOUND');
    expect(findings.map((f) => f.schedule?.name).sort()).toEqual([...ecsNames].sort());
  });
});

describe('two clusters that both match', () => {
  it('changes nothing and shows both candidates', async () => {
    const endpoint = motoEndpoint();
    await resetSandbox(endpoint);
    const scenario = await loadScenario('incident-2026-01-29');
    const twin = { ...scenario, clusters: [...scenario.clusters, { name: 'ops-pipeline-cluster-v2' }] };
    const clients = createSandboxClients(endpoint, scenario.region);
    const clock = sandboxClock(FIRE_FROM);
    const seed = await seedScenario(twin as typeof scenario, { clients, endpoint });
    const sb = { clients };
    const before = await Promise.all(seed.schedules.map((s) => definition(sb, s.group, s.name)));
    const cwd = await mkdtemp(join(tmpdir(), 'ops-remediate-e2e-'));
    try {
      const run = await opsOn(endpoint, scenario.region, cwd, clock)(['check-schedulers', '--fix', '--yes']);

      expect(run.exitCode).toBe(1);
      expect(run.stdout).toContain('Fix plan: 0 change(s) to Target.Arn, 12 schedule(s) need a decision');
      expect(run.stdout).toContain('    2 ACTIVE clusters match "ops-pipeline"; ops will not guess');
      expect(run.stdout).toContain(`    candidates: ${seed.clusters['ops-pipeline-cluster']}, ${seed.clusters['ops-pipeline-cluster-v2']}`);
      expect(await Promise.all(seed.schedules.map((s) => definition(sb, s.group, s.name)))).toEqual(before);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});

describe('faults on the sandbox', () => {
  let sb: SeededSandbox;
  let cwd: string;

  beforeAll(async () => {
    sb = await seededSandbox('incident-2026-01-29', FIRE_FROM);
    cwd = await mkdtemp(join(tmpdir(), 'ops-remediate-e2e-'));
  });

  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('skips a schedule edited between plan and apply, and fixes the rest', async () => {
    const target = sb.seed.clusters['ops-pipeline-cluster']!;
    const names = ['ops-pipeline-classifier', 'ops-pipeline-rss-ingest'];
    const planned = await Promise.all(names.map((n) => definition(sb, 'ops-pipeline', n)));
    const changes = planned.map((s) => {
      const plannedOn = s.LastModificationDate!.toISOString();
      return {
        id: changeIdOf({ scheduleArn: s.Arn!, from: s.Target!.Arn!, to: target, plannedOn }),
        schedule: { group: s.GroupName!, name: s.Name!, arn: s.Arn! },
        field: 'Target.Arn' as const,
        from: s.Target!.Arn!,
        to: target,
        resolvedBy: 'auto-match' as const,
        because: 'e2e',
        plannedOn,
        diff: [],
      };
    });
    // Someone else edits the classifier a second after the plan was made (moto stamps whole seconds).
    sb.clock.advance(1_000);
    const edited = planned[0]!;
    const asRead = projectWritable(edited, { group: 'ops-pipeline', name: edited.Name! });
    if (!asRead.ok) throw new Error(asRead.problems.join('; '));
    expect(await createSchedulerWriter(sb.clients.scheduler).updateSchedule({ ...asRead.update, Description: 'edited by hand' }, 'someone-else')).toEqual({ ok: true });

    const results = await applyChanges(
      changes,
      { writer: createSchedulerWriter(sb.clients.scheduler), backups: createFileBackupStore(join(cwd, 'b1')), audit: createFileAuditLog(join(cwd, 'a1.jsonl')), targets: createEcsReader(sb.clients.ecs) },
      { runId: 'fix-e2e-1', who: { known: false, reason: 'e2e' }, now: () => sb.clock.now(), maxChanges: 25 },
    );

    expect(results.map((r) => r.status)).toEqual(['skipped', 'ok']);
    expect(results[0]?.reason).toMatch(/^concurrent edit: LastModificationDate is/);
    expect((await definition(sb, 'ops-pipeline', 'ops-pipeline-classifier')).Description).toBe('edited by hand');
    expect((await definition(sb, 'ops-pipeline', 'ops-pipeline-classifier')).Target?.Arn).toBe(edited.Target?.Arn);
  });

  it('a crash between backup and update leaves a backup that ops rollback understands', async () => {
    const name = 'ops-pipeline-healthcheck-5m';
    const s = await definition(sb, 'ops-pipeline', name);
    const target = sb.seed.clusters['ops-pipeline-cluster']!;
    const plannedOn = s.LastModificationDate!.toISOString();
    const real = createSchedulerWriter(sb.clients.scheduler);
    const dying: SchedulerWriter = { getScheduleRaw: (ref) => real.getScheduleRaw(ref), updateSchedule: () => Promise.reject(new Error('SIGKILL')) };

    await expect(
      applyChanges(
        [{ id: changeIdOf({ scheduleArn: s.Arn!, from: s.Target!.Arn!, to: target, plannedOn }), schedule: { group: 'ops-pipeline', name, arn: s.Arn! }, field: 'Target.Arn', from: s.Target!.Arn!, to: target, resolvedBy: 'auto-match', because: 'e2e', plannedOn, diff: [] }],
        { writer: dying, backups: createFileBackupStore(join(cwd, '.ops/backups')), audit: createFileAuditLog(join(cwd, '.ops/audit.jsonl')), targets: createEcsReader(sb.clients.ecs) },
        { runId: 'fix-e2e-crash', who: { known: false, reason: 'e2e' }, now: () => sb.clock.now(), maxChanges: 25 },
      ),
    ).rejects.toThrow('SIGKILL');

    const run = await opsOn(sb.endpoint, sb.scenario.region, cwd, sb.clock)(['rollback', '--last', '--yes', '--json']);

    expect(run.exitCode).toBe(0);
    expect(run.json()).toMatchObject({ mode: 'nothing-to-do', selected: 'the last fix run fix-e2e-crash', preview: [{ action: 'unchanged', reason: 'the schedule already matches the backup; nothing to undo' }] });
    expect(await definition(sb, 'ops-pipeline', name)).toEqual(s);
  });
});

describe('the fix round trip on a sample of random schedules (sandbox)', () => {
  it('changes only Target.Arn, and rollback restores the original', async () => {
    const sb = await seededSandbox('incident-2026-01-29', FIRE_FROM);
    const cwd = await mkdtemp(join(tmpdir(), 'ops-remediate-e2e-'));
    const ops = opsOn(sb.endpoint, sb.scenario.region, cwd, sb.clock);
    const now = sb.clock.now().getTime();
    // moto refuses a StartDate in the past on CreateSchedule; the dates move into the future.
    const samples = fc.sample(ecsScheduleArbitrary('ops-pipeline'), { numRuns: 8, seed: 20260129 }).map((s, i): RawSchedule => ({
      ...s,
      Name: `random-${i}-${randomUUID().slice(0, 8)}`,
      ...(s.StartDate ? { StartDate: new Date(now + 86_400_000 + i * 60_000) } : {}),
      ...(s.EndDate ? { EndDate: new Date(now + 400 * 86_400_000) } : {}),
    }));
    try {
      for (const s of samples) {
        const { Arn: _arn, CreationDate: _created, LastModificationDate: _modified, ...input } = cloneData(s);
        await sb.clients.scheduler.send(new CreateScheduleCommand(input as CreateScheduleInput));
      }
      const originals = await Promise.all(samples.map((s) => definition(sb, 'ops-pipeline', s.Name!)));

      const fix = await ops(['check-schedulers', '--group', 'ops-pipeline', '--name-prefix', 'random-', '--fix', '--yes', '--json']);

      expect((fix.json() as { results: { status: string }[] }).results.map((r) => r.status)).toEqual(samples.map(() => 'ok'));
      const cluster = sb.seed.clusters['ops-pipeline-cluster'];
      for (const original of originals) {
        const after = await definition(sb, 'ops-pipeline', original.Name!);
        expect(withoutModified(after)).toEqual({ ...withoutModified(original), Target: { ...original.Target, Arn: cluster } });
      }

      const undo = await ops(['rollback', '--last', '--yes']);

      expect(undo.exitCode).toBe(0);
      for (const original of originals) expect(withoutModified(await definition(sb, 'ops-pipeline', original.Name!))).toEqual(withoutModified(original));
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }, 120_000);
});
