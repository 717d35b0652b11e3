/**
 * Issue 16's acceptance on the sandbox: `ops check-schedulers --org` over the generated Organization
 * (20 member accounts + the management account × 3 regions, faults scattered, one account without
 * the access role) finds exactly the planted faults, by account and region; the account without the
 * role is one incomplete entry and nothing else is lost; `--fix --yes` repairs across accounts, and
 * `ops rollback` takes it back, one account or all of them.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OrgReport } from '../../src/org/org-report.ts';
import { parseAuditLines } from '../../src/remediate/audit-log.ts';
import { resetSandbox } from '../../src/sandbox/moto-server.ts';
import { generateOrgScenario } from '../../src/sandbox/org-scenario.ts';
import { seedOrgScenario, type OrgSeedResult } from '../../src/sandbox/org-seed.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { runCli } from '../support/cli-harness.ts';
import { motoEndpoint, sandboxClock } from './sandbox-harness.ts';

/** A virtual instant: the sandbox's clock is set to it, and the check evaluates as of it. */
const START = new Date(Date.UTC(2026, 10, 23, 15));
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];

let seed: OrgSeedResult;
let dir: string;

const env = () => ({ AWS_ENDPOINT_URL: motoEndpoint(), AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', USER: 'e2e-operator' });
const ops = (argv: string[]) => runCli(argv[0] === 'check-schedulers' ? [...argv, '--at', START.toISOString()] : argv, { env: env(), now: () => START, cwd: dir });
const orgCheck = async (...extra: string[]) => {
  const run = await ops(['check-schedulers', '--org', '--regions', REGIONS.join(','), '--json', ...extra]);
  return { run, report: run.json() as OrgReport };
};
/** Findings other than the incomplete pairs, as `account region group/name CODE`. */
const faults = (report: OrgReport) =>
  report.findings.filter((f) => f.code !== 'CHECK_INCOMPLETE').map((f) => `${f.account} ${f.region} ${f.schedule?.group ?? f.group}/${f.schedule?.name ?? ''} ${f.code}`).sort();
const planted = (filter: (f: OrgSeedResult['expected'][number]) => boolean = () => true) =>
  seed.expected.filter(filter).map((f) => `${f.account} ${f.region} ${f.group}/${f.name} ${f.code}`).sort();

beforeAll(async () => {
  await resetSandbox(motoEndpoint());
  const clock = sandboxClock(START);
  dir = await mkdtemp(join(tmpdir(), 'ops-org-check-'));
  seed = await seedOrgScenario(generateOrgScenario({ regions: REGIONS }), { endpoint: motoEndpoint(), clients: createSandboxClients(motoEndpoint(), 'us-east-1'), clock: () => clock.now() });
  return () => rm(dir, { recursive: true, force: true });
}, 180_000);

describe('ops check-schedulers --org on the generated Organization', () => {
  it('finds exactly the planted faults, by account and region; the account without the role is one incomplete entry', async () => {
    const { run, report } = await orgCheck();
    const denied = seed.accounts.filter((a) => !a.hasRole);
    expect(denied).toHaveLength(1);
    const [missing] = denied;

    expect(seed.expected.length).toBeGreaterThan(15);
    expect(faults(report)).toEqual(planted());
    const incomplete = report.findings.filter((f) => f.code === 'CHECK_INCOMPLETE');
    expect(incomplete).toHaveLength(1);
    expect(incomplete[0]).toMatchObject({ account: missing?.id, accountName: missing?.name, region: '*', severity: 'warning', evidence: { action: 'sts:AssumeRole', errorName: 'AccessDenied', regions: REGIONS.slice().sort() } });

    // Every other pair was checked, with every schedule seeded there: nothing else is lost.
    const reachable = seed.accounts.filter((a) => a.hasRole).length + 1;
    expect(report.summary.pairs).toEqual({ total: (reachable + 1) * REGIONS.length, checked: reachable * REGIONS.length, incomplete: REGIONS.length });
    expect(report.pairs.filter((p) => p.status === 'incomplete').map((p) => p.account)).toEqual(REGIONS.map(() => missing?.id));
    expect(report.summary.schedules).toBe(seed.schedules - REGIONS.length * 4);
    for (const schedule of report.schedules) expect(REGIONS).toContain(schedule.region);
    expect(new Set(report.schedules.map((s) => `${s.account}|${s.region}`)).size).toBe(reachable * REGIONS.length);
    // One AssumeRole per account, whatever the number of its regions.
    expect(report.calls?.['STS.AssumeRole']).toBe(reachable + 1);
    expect(run.exitCode).toBe(1);
  }, 120_000);

  it('prints the text report grouped by account, the denied account on one line', async () => {
    const run = await ops(['check-schedulers', '--org', '--regions', REGIONS.join(',')]);
    const missing = seed.accounts.find((a) => !a.hasRole);
    const lines = run.stdout.split('\n');
    const at = lines.indexOf(`${missing?.name} (${missing?.id})`);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines[at + 1]).toMatch(/^ {2}eu-west-1, us-east-1, us-west-2 NOT CHECKED: sts:AssumeRole failed \(AccessDenied: User: .* is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::\d{12}:role\/ops-org-access\)$/);
    const summary = lines.filter((l) => l !== '').at(-1);
    expect(summary).toMatch(new RegExp(`^${(seed.accounts.length + 1) * 3} pairs \\(${seed.accounts.length + 1} accounts × 3 regions\\) · 3 NOT CHECKED · \\d+ schedules · \\d+ critical · \\d+ warning · market `));
    expect(run.exitCode).toBe(1);
  }, 120_000);

  it('--fix --yes repairs TARGET_CLUSTER_NOT_FOUND in every account; rollback --account takes one account back, rollback --last the rest', async () => {
    const broken = planted((f) => f.code === 'TARGET_CLUSTER_NOT_FOUND');
    const accounts = [...new Set(seed.expected.filter((f) => f.code === 'TARGET_CLUSTER_NOT_FOUND').map((f) => f.account))];
    expect(accounts.length).toBeGreaterThan(2);

    const fix = await ops(['check-schedulers', '--org', '--regions', REGIONS.join(','), '--fix', '--yes', '--json']);
    const fixed = fix.json() as { mode: string; plan: { changes: number }; results: { account: string; region: string; status: string; schedule: { group: string; name: string } }[] };
    expect(fixed.mode).toBe('applied');
    expect(fixed.plan.changes).toBe(broken.length);
    expect(fixed.results.map((r) => `${r.account} ${r.region} ${r.schedule.group}/${r.schedule.name} TARGET_CLUSTER_NOT_FOUND`).sort()).toEqual(broken);
    expect(fixed.results.every((r) => r.status === 'ok')).toBe(true);

    const afterFix = await orgCheck();
    expect(faults(afterFix.report)).toEqual(planted((f) => f.code !== 'TARGET_CLUSTER_NOT_FOUND'));

    // Every write is on record with its account and region, and each backup sits under them.
    const audit = parseAuditLines(await readFile(join(dir, '.ops/audit.jsonl'), 'utf8'));
    expect(audit.filter((e) => e.phase === 'result').map((e) => `${e.account} ${e.region} ${e.schedule.group}/${e.schedule.name} TARGET_CLUSTER_NOT_FOUND`).sort()).toEqual(broken);
    expect(audit.every((e) => e.who.includes(':assumed-role/ops-org-access/ops-e2e-operator'))).toBe(true);
    const [first] = accounts as [string, ...string[]];
    const region = seed.expected.find((f) => f.account === first && f.code === 'TARGET_CLUSTER_NOT_FOUND')?.region ?? '';
    expect((await readdir(join(dir, '.ops/backups', first, region))).length).toBeGreaterThan(0);

    const one = await ops(['rollback', '--last', '--account', first, '--yes', '--json']);
    expect(one.exitCode).toBe(0);
    const afterOne = await orgCheck();
    expect(faults(afterOne.report)).toEqual(planted((f) => f.code !== 'TARGET_CLUSTER_NOT_FOUND' || f.account === first));

    const rest = await ops(['rollback', '--last', '--yes', '--json']);
    const restored = rest.json() as { results: { status: string; reason?: string }[] };
    expect(restored.results.filter((r) => r.status === 'ok')).toHaveLength(broken.filter((b) => !b.startsWith(first)).length);
    expect(restored.results.filter((r) => r.status === 'unchanged' && r.reason?.startsWith('already rolled back'))).toHaveLength(broken.filter((b) => b.startsWith(first)).length);
    expect(faults((await orgCheck()).report)).toEqual(planted());
  }, 240_000);
});
