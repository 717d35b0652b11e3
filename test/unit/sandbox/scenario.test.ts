import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { generateScenario, listScenarioNames, loadScenario, parseScenario, validateScenario } from '../../../src/sandbox/scenario.ts';
import type { ScenarioInput } from '../../../src/sandbox/scenario-schema.ts';

function minimal(): ScenarioInput {
  return {
    name: 'tiny',
    description: 'one schedule',
    roles: [{ name: 'scheduler-role', trust: 'scheduler' }],
    clusters: [{ name: 'c1' }],
    taskDefinitions: [{ family: 'job', containers: [{ name: 'app', image: 'busybox', memory: 512 }] }],
    scheduleGroups: [{ name: 'g', tags: {} }],
    schedules: [{ name: 'job-5m', group: 'g', expression: 'rate(5 minutes)', role: 'scheduler-role', target: { kind: 'ecs', cluster: 'c1', taskDefinition: 'job' } }],
  };
}

function invalidMessage(data: unknown): string {
  try {
    validateScenario(data, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('INVALID_SCENARIO');
    return (error as UserError).message;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('scenario schema', () => {
  it('accepts a minimal scenario and fills in defaults', () => {
    const scenario = validateScenario(minimal(), 'test.yaml');
    expect(scenario.region).toBe('us-west-2');
    expect(scenario.runLedgerTable).toBe('ops-run-ledger');
    expect(scenario.schedules[0]).toMatchObject({ state: 'ENABLED', timezone: 'UTC', marketCritical: false, target: { launchType: 'FARGATE', taskCount: 1 } });
  });

  it('names the schedule and field of a bad expression', () => {
    const data = minimal();
    data.schedules![0]!.expression = 'cron(0 9 * * MON-FRI *)';
    expect(invalidMessage(data)).toMatch(/schedules\[0\] "job-5m" expression: .*day-of-month/);
  });

  it('requires container memory (moto needs it for RunTask) and names the container', () => {
    const data = minimal();
    delete (data.taskDefinitions![0]!.containers[0] as { memory?: number }).memory;
    expect(invalidMessage(data)).toContain('taskDefinitions[0] "job" containers[0] "app" memory: Invalid input: expected number');
  });

  it('rejects a reference to an undeclared cluster unless the fault is planted', () => {
    const data = minimal();
    (data.schedules![0]!.target as { cluster: string }).cluster = 'ops-pipeline';
    expect(invalidMessage(data)).toContain(
      'schedules[0] "job-5m" target.cluster: cluster "ops-pipeline" is not declared in clusters; declare it, or mark the schedule with plantedFault: TARGET_CLUSTER_NOT_FOUND',
    );
    data.schedules![0]!.plantedFault = 'TARGET_CLUSTER_NOT_FOUND';
    expect(validateScenario(data, 'test.yaml').schedules[0]?.plantedFault).toBe('TARGET_CLUSTER_NOT_FOUND');
  });

  it('keeps marketCritical consistent with the group tag', () => {
    const data = minimal();
    data.schedules![0]!.marketCritical = true;
    expect(invalidMessage(data)).toContain('schedules[0] "job-5m" marketCritical: is true but group "g" is not tagged ops:market-critical=true');
  });

  it('rejects unknown fields, bad timezones and undeclared groups', () => {
    const data = minimal() as Record<string, unknown> & ScenarioInput;
    data.schedules![0]!.timezone = 'Mars/Olympus';
    data.schedules![0]!.group = 'nope';
    (data.schedules![0] as Record<string, unknown>).cadence = '5m';
    const message = invalidMessage(data);
    expect(message).toContain('schedules[0] "job-5m": Unrecognized key: "cadence"');
    expect(invalidMessage({ ...minimal(), schedules: [{ ...minimal().schedules![0]!, timezone: 'Mars/Olympus' }] })).toContain('"Mars/Olympus" is not an IANA timezone name');
    expect(invalidMessage({ ...minimal(), schedules: [{ ...minimal().schedules![0]!, group: 'nope' }] })).toContain('schedule group "nope" is not declared in scheduleGroups');
  });

  it('requires a DISABLED or expired schedule to be marked as a planted fault', () => {
    const disabled = minimal();
    disabled.schedules![0]!.state = 'DISABLED';
    expect(invalidMessage(disabled)).toContain('plantedFault: SCHEDULE_DISABLED');
    const expired = { ...minimal(), replay: { start: '2026-11-23T14:30:00Z' } };
    expired.schedules![0]!.endDate = '2026-06-30T00:00:00Z';
    expect(invalidMessage(expired)).toContain('plantedFault: SCHEDULE_EXPIRED');
  });

  it('reports YAML syntax errors with the line', () => {
    expect(() => parseScenario('name: x\n  bad: [', 'broken.yaml')).toThrow(/broken\.yaml is not valid YAML at line \d/);
  });
});

describe('shipped scenarios', () => {
  it('lists and loads every scenario in scenarios/', async () => {
    const names = await listScenarioNames();
    expect(names).toEqual(expect.arrayContaining(['healthy', 'incident-2026-01-29', 'mixed']));
    for (const name of names) expect((await loadScenario(name)).name).toBe(name);
  });

  it('replays the incident: 13 schedules, 12 ECS ones on the missing cluster ops-pipeline, the Lambda one healthy', async () => {
    const incident = await loadScenario('incident-2026-01-29');
    expect(incident.region).toBe('us-west-2');
    expect(incident.schedules).toHaveLength(13);
    const ecs = incident.schedules.filter((s) => s.target.kind === 'ecs');
    expect(ecs).toHaveLength(12);
    expect(new Set(ecs.map((s) => (s.target.kind === 'ecs' ? s.target.cluster : '')))).toEqual(new Set(['ops-pipeline']));
    expect(incident.clusters.map((c) => c.name)).toEqual(['ops-pipeline-cluster']);
    const lambda = incident.schedules.find((s) => s.name === 'trade-alert-checker');
    expect(lambda).toMatchObject({ target: { kind: 'lambda', function: 'trade-alert-checker' } });
    expect(lambda?.plantedFault).toBeUndefined();
  });

  it('wires the healthy scenario to the real cluster with the same schedules as the incident', async () => {
    const [healthy, incident] = await Promise.all([loadScenario('healthy'), loadScenario('incident-2026-01-29')]);
    const shape = (s: (typeof healthy.schedules)[number]) => ({ ...s, plantedFault: undefined, description: undefined, target: { ...s.target, cluster: undefined } });
    expect(healthy.schedules.map(shape)).toEqual(incident.schedules.map(shape));
    expect(healthy.schedules.every((s) => s.plantedFault === undefined)).toBe(true);
    expect(new Set(healthy.schedules.flatMap((s) => (s.target.kind === 'ecs' ? [s.target.cluster] : [])))).toEqual(new Set(['ops-pipeline-cluster']));
  });

  it('plants exactly one fault of each kind in the mixed scenario', async () => {
    const mixed = await loadScenario('mixed');
    const faults = mixed.schedules.flatMap((s) => (s.plantedFault ? [s.plantedFault] : [])).sort();
    expect(faults).toEqual([
      'DEAD_LETTER_QUEUE_MISSING',
      'SCHEDULE_DISABLED',
      'SCHEDULE_EXPIRED',
      'TARGET_CLUSTER_INACTIVE',
      'TARGET_FUNCTION_MISSING',
      'TARGET_ROLE_MISSING',
      'TASK_DEFINITION_NOT_ACTIVE',
    ]);
  });
});

describe('generateScenario', () => {
  it('spreads N schedules over G groups and C clusters, deterministically', () => {
    const a = generateScenario({ schedules: 100, groups: 7, clusters: 3 });
    const b = generateScenario({ schedules: 100, groups: 7, clusters: 3 });
    expect(a).toEqual(b);
    expect(a.schedules).toHaveLength(100);
    expect(new Set(a.schedules.map((s) => s.group)).size).toBe(7);
    expect(new Set(a.schedules.map((s) => (s.target.kind === 'ecs' ? s.target.cluster : ''))).size).toBe(3);
    expect(a.scheduleGroups[0]?.tags).toEqual({ 'ops:market-critical': 'true' });
    expect(a.schedules.filter((s) => s.marketCritical).every((s) => s.group === 'gen-group-1')).toBe(true);
  });

  it('rejects impossible sizes', () => {
    expect(() => generateScenario({ schedules: 0, groups: 1, clusters: 1 })).toThrow(/schedules must be an integer between 1 and/);
    expect(() => generateScenario({ schedules: 10, groups: 1.5, clusters: 1 })).toThrow(/groups must be an integer/);
  });
});
