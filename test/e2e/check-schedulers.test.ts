/**
 * `ops check-schedulers` against the sandbox, through the CLI in-process and the real SDK clients:
 * the incident on a trading morning and on a Saturday, the healthy system, and the mixed faults.
 */
import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/checks/report.ts';
import { runCli } from '../support/cli-harness.ts';
import { seededSandbox, type SeededSandbox } from './sandbox-harness.ts';

async function check(sb: SeededSandbox, at: Date, extra: string[] = []) {
  const run = await runCli(['check-schedulers', '--json', '--at', at.toISOString(), ...extra], {
    env: { AWS_ENDPOINT_URL: sb.endpoint, AWS_REGION: sb.scenario.region, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' },
    now: () => at,
  });
  return { exitCode: run.exitCode, report: run.json() as CheckReport, stderr: run.stderr };
}

/** Replays the scenario from `start` to `at` (the firer marks the ledger's coverage at `start`), then checks. */
async function replayAndCheck(scenario: string, start: Date, at: Date) {
  const sb = await seededSandbox(scenario, start);
  await sb.firer.advanceTo(at);
  expect(await sb.ledger.coverage()).toEqual(start);
  return { sb, ...(await check(sb, at)) };
}

const flagged = (report: CheckReport) =>
  report.findings.filter((f) => f.severity !== 'info').map((f) => [f.schedule?.name ?? f.group ?? '', f.code, f.severity].join(' '));

describe('ops check-schedulers on the incident, Monday 2026-11-23 09:45 ET after replaying from the 09:30 open', () => {
  it('flags exactly the 12 ECS schedules as TARGET_CLUSTER_NOT_FOUND, market-critical ones also MISSED_RUNS, and exits 1', async () => {
    const { sb, exitCode, report } = await replayAndCheck('incident-2026-01-29', new Date('2026-11-23T14:30:00Z'), new Date('2026-11-23T14:45:00Z'));
    expect(exitCode).toBe(1);
    const ecs = sb.scenario.schedules.filter((s) => s.target.kind === 'ecs').map((s) => s.name).sort();
    expect(ecs).toHaveLength(12);
    const notFound = report.findings.filter((f) => f.code === 'TARGET_CLUSTER_NOT_FOUND');
    expect(notFound.map((f) => f.schedule?.name).sort()).toEqual(ecs);
    expect(new Set(notFound.map((f) => f.severity))).toEqual(new Set(['critical']));
    expect(notFound[0]?.evidence).toMatchObject({ clusterArn: expect.stringMatching(/:cluster\/ops-pipeline$/) as unknown });

    // Run evidence exists for ECS targets only; the market-critical Lambda schedule is judged by its target alone.
    const marketCritical = sb.scenario.schedules.filter((s) => s.marketCritical && s.target.kind === 'ecs').map((s) => s.name).sort();
    expect(marketCritical.length).toBeGreaterThan(0);
    const missedCritical = report.findings.filter((f) => f.code === 'MISSED_RUNS' && f.severity === 'critical').map((f) => f.schedule?.name).sort();
    expect(missedCritical).toEqual(marketCritical);
    expect(report.findings.filter((f) => f.code === 'MISSED_RUNS' && f.severity === 'critical').every((f) => f.evidence.source === 'ledger')).toBe(true);

    expect(report.findings.filter((f) => f.schedule?.name === 'trade-alert-checker' && f.severity !== 'info')).toEqual([]);
    expect(report.schedules.find((s) => s.name === 'trade-alert-checker')).toMatchObject({ worst: expect.not.stringMatching(/critical|warning/) as unknown });
    expect(report.summary).toMatchObject({ schedules: 13, schedulesBySeverity: { critical: 12 } });
    expect(report.market).toMatchObject({ open: true, closesAt: '2026-11-23T21:00:00.000Z' });
    // Every group's metrics were read in one GetMetricData call, and clusters in one DescribeClusters.
    expect(report.calls).toMatchObject({ 'CloudWatch.GetMetricData': 1, 'ECS.DescribeClusters': 1 });
  });

  it('on Saturday 10:00 ET the cluster findings stay critical but MISSED_RUNS is not', async () => {
    const { exitCode, report } = await replayAndCheck('incident-2026-01-29', new Date('2026-11-28T14:30:00Z'), new Date('2026-11-28T15:00:00Z'));
    expect(exitCode).toBe(1);
    const bySeverity = (code: string) => new Set(report.findings.filter((f) => f.code === code).map((f) => f.severity));
    expect(report.findings.filter((f) => f.code === 'TARGET_CLUSTER_NOT_FOUND')).toHaveLength(12);
    expect(bySeverity('TARGET_CLUSTER_NOT_FOUND')).toEqual(new Set(['critical']));
    expect(report.findings.some((f) => f.code === 'MISSED_RUNS')).toBe(true);
    expect(bySeverity('MISSED_RUNS')).toEqual(new Set(['warning']));
    expect(report.market).toMatchObject({ open: false, reason: 'weekend' });
  });
});

describe('ops check-schedulers on the healthy system', () => {
  it('exits 0 with no finding above info after 30 minutes of trading', async () => {
    const { exitCode, report } = await replayAndCheck('healthy', new Date('2026-11-23T14:30:00Z'), new Date('2026-11-23T15:00:00Z'));
    expect(flagged(report)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.summary.evidenceSources.ledger).toBeGreaterThan(0);
  });

  it('falls back to ECS task listings with --no-ledger and still finds every run', async () => {
    const sb = await seededSandbox('healthy', new Date('2026-11-23T14:30:00Z'));
    const at = new Date('2026-11-23T15:00:00Z');
    await sb.firer.advanceTo(at);
    // moto stamped every task's startedAt on the virtual clock, so the ECS evidence path is judged as of the replay.
    const run = await check(sb, at, ['--no-ledger']);
    expect(run.report.summary.evidenceSources.ecs).toBeGreaterThan(0);
    expect(run.report.summary.evidenceSources.ledger).toBeUndefined();
    expect(flagged(run.report)).toEqual([]);
    expect(run.exitCode).toBe(0);
  });
});

describe('ops check-schedulers on the mixed faults', () => {
  it('finds every planted fault with its code, and flags nothing else', async () => {
    const start = new Date('2026-11-23T14:30:00Z');
    const { sb, exitCode, report } = await replayAndCheck('mixed', start, start);
    expect(exitCode).toBe(1);
    const planted = sb.scenario.schedules.filter((s) => s.plantedFault !== undefined).map((s) => `${s.name} ${s.plantedFault}`).sort();
    expect(planted.length).toBeGreaterThanOrEqual(6);
    const found = report.findings.filter((f) => f.severity !== 'info').map((f) => `${f.schedule?.name ?? f.group} ${f.code}`).sort();
    expect(found).toEqual(planted);
  });

  it('after 30 minutes, the only additions are consequences on the planted schedules (missed runs, group target errors)', async () => {
    const { sb, report } = await replayAndCheck('mixed', new Date('2026-11-23T14:30:00Z'), new Date('2026-11-23T15:00:00Z'));
    const plantedNames = new Set(sb.scenario.schedules.filter((s) => s.plantedFault !== undefined).map((s) => s.name));
    for (const s of sb.scenario.schedules.filter((x) => x.plantedFault !== undefined)) {
      expect(report.findings.some((f) => f.schedule?.name === s.name && f.code === s.plantedFault), s.name).toBe(true);
    }
    const extra = report.findings.filter((f) => f.severity !== 'info' && !sb.scenario.schedules.some((s) => s.name === f.schedule?.name && s.plantedFault === f.code));
    for (const f of extra) {
      if (f.code === 'TARGET_ERRORS') continue;
      expect(f.code, `${f.schedule?.name} ${f.code}`).toBe('MISSED_RUNS');
      expect(plantedNames.has(f.schedule?.name ?? ''), `${f.schedule?.name}`).toBe(true);
    }
  });
});
