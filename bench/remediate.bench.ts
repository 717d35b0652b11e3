/**
 * The fix's own cost, without AWS: planning over many broken schedules and clusters, and applying
 * changes through in-memory Scheduler ports with real backup files and a real audit log (fsync
 * included), plus the Scheduler calls each change makes (target: 3 = GetSchedule, UpdateSchedule,
 * GetSchedule) and the DescribeClusters batches for the re-check (target: 1 per 100 new targets).
 * Run: node --import tsx bench/remediate.bench.ts (export runRemediateBench for bench/run.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding } from '../src/checks/finding.ts';
import type { ClusterFacts, Lookup, ScheduleFacts } from '../src/checks/model.ts';
import { applyChanges } from '../src/remediate/apply.ts';
import { createFileAuditLog } from '../src/remediate/audit-log.ts';
import { createFileBackupStore } from '../src/remediate/backup.ts';
import { planClusterFixes } from '../src/remediate/plan.ts';
import type { SchedulerWriter } from '../src/remediate/ports.ts';
import { cloneData, type RawSchedule } from '../src/remediate/schedule-document.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-west-2';
const PLAN_SCHEDULES = 5_000;
const PLAN_CLUSTERS = 500;
const APPLY_CHANGES = 25;
const PLAN_TARGET_MS = 500;
const APPLY_TARGET_MS_PER_CHANGE = 20;

const clusterArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;

function schedule(i: number): RawSchedule {
  return {
    Arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/bench/job-${i}`,
    GroupName: 'bench',
    Name: `job-${i}`,
    ScheduleExpression: 'rate(5 minutes)',
    ScheduleExpressionTimezone: 'UTC',
    State: 'ENABLED',
    CreationDate: new Date('2026-01-01T00:00:00Z'),
    LastModificationDate: new Date('2026-01-29T20:47:00Z'),
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: {
      Arn: clusterArn(`svc-${i % PLAN_CLUSTERS}`),
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/r`,
      Input: JSON.stringify({ containerOverrides: [{ name: 'app', environment: [{ name: 'N', value: String(i) }] }] }),
      EcsParameters: { TaskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/job-${i}:1`, Tags: [{ job: String(i) }] },
    },
  };
}

function facts(s: RawSchedule): ScheduleFacts {
  return {
    group: s.GroupName!,
    name: s.Name!,
    arn: s.Arn!,
    state: 'ENABLED',
    expression: s.ScheduleExpression!,
    timezone: 'UTC',
    lastModificationDate: s.LastModificationDate!,
    flexibleWindowMinutes: 0,
    target: { kind: 'ecs', arn: s.Target!.Arn!, roleArn: s.Target!.RoleArn! },
  };
}

const finding = (s: ScheduleFacts): Finding => ({ code: 'TARGET_CLUSTER_NOT_FOUND', severity: 'critical', schedule: { group: s.group, name: s.name, arn: s.arn }, message: '', evidence: {}, fix: '', runbook: '' });

export async function runRemediateBench(): Promise<void> {
  const raws = Array.from({ length: PLAN_SCHEDULES }, (_, i) => schedule(i));
  const snapshot = { schedules: raws.map(facts) };
  // Every broken cluster `svc-N` has one evident match `svc-N-cluster`, among unrelated ones.
  const clusters: ClusterFacts[] = Array.from({ length: PLAN_CLUSTERS }, (_, i) => [
    { arn: clusterArn(`svc-${i}-cluster`), name: `svc-${i}-cluster`, status: 'ACTIVE' },
    { arn: clusterArn(`other-${i}`), name: `other-${i}`, status: 'ACTIVE' },
  ]).flat();
  const t0 = performance.now();
  const plan = planClusterFixes({ findings: snapshot.schedules.map(finding), snapshot, clusters: { status: 'found', value: clusters } });
  const planMs = performance.now() - t0;
  console.log(`plan: ${PLAN_SCHEDULES} broken schedules × ${clusters.length} clusters → ${plan.changes.length} changes, ${plan.decisions.length} decisions in ${planMs.toFixed(1)} ms (target < ${PLAN_TARGET_MS} ms)`);

  const store = new Map(raws.map((s) => [`${s.GroupName}/${s.Name}`, cloneData(s)]));
  const calls: Record<string, number> = { GetSchedule: 0, UpdateSchedule: 0, DescribeClusters: 0 };
  let tick = Date.parse('2026-01-29T23:00:00Z');
  const writer: SchedulerWriter = {
    async getScheduleRaw(ref) {
      calls.GetSchedule = (calls.GetSchedule ?? 0) + 1;
      const found = store.get(`${ref.group}/${ref.name}`);
      return found ? { status: 'found', value: cloneData(found) } : { status: 'missing', reason: 'gone' };
    },
    async updateSchedule(update) {
      calls.UpdateSchedule = (calls.UpdateSchedule ?? 0) + 1;
      const key = `${update.GroupName}/${update.Name}`;
      const previous = store.get(key)!;
      store.set(key, { ...cloneData(update), Arn: previous.Arn, CreationDate: previous.CreationDate, LastModificationDate: new Date((tick += 1000)) });
      return { ok: true };
    },
  };
  const dir = await mkdtemp(join(tmpdir(), 'ops-remediate-bench-'));
  try {
    const changes = plan.changes.slice(0, APPLY_CHANGES);
    const t1 = performance.now();
    const results = await applyChanges(
      changes,
      {
        writer,
        backups: createFileBackupStore(join(dir, 'backups')),
        audit: createFileAuditLog(join(dir, 'audit.jsonl')),
        targets: {
          async describeClusters(arns) {
            calls.DescribeClusters = (calls.DescribeClusters ?? 0) + 1;
            return new Map(arns.map((arn): [string, Lookup<ClusterFacts>] => [arn, { status: 'found', value: { arn, name: arn.split('/')[1] ?? arn, status: 'ACTIVE' } }]));
          },
        },
      },
      { runId: 'fix-bench', who: { known: false, reason: 'bench' }, now: () => new Date(), maxChanges: APPLY_CHANGES },
    );
    const applyMs = performance.now() - t1;
    const ok = results.filter((r) => r.status === 'ok').length;
    console.log(`apply: ${ok}/${changes.length} ok in ${applyMs.toFixed(1)} ms = ${(applyMs / changes.length).toFixed(2)} ms per change with fsynced backup + audit (target < ${APPLY_TARGET_MS_PER_CHANGE} ms, excluding AWS)`);
    console.log(`calls per change: GetSchedule ${(calls.GetSchedule! / changes.length).toFixed(1)}, UpdateSchedule ${(calls.UpdateSchedule! / changes.length).toFixed(1)} (target 2 + 1); DescribeClusters batches: ${calls.DescribeClusters} (target 1)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runRemediateBench();
