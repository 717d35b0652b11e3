import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FindingCode, Severity } from '../../../src/checks/finding.ts';
import { CHECKS, declarationOf, requiredReadActions } from '../../../src/checks/registry.ts';

const HEADINGS = ['## What it means', '## Impact', '## Confirm', '## Fix', '## Verify', '## Prevent'] as const;
const WRITE_VERBS = ['Create', 'Update', 'Delete', 'Put', 'Run', 'Tag', 'Untag', 'Start', 'Stop', 'Send', 'Publish', 'Invoke', 'Register', 'Deregister', 'Attach', 'Detach', 'Pass'];

describe('CHECKS registry', () => {
  it('declares every FindingCode exactly once, and nothing else', () => {
    const declared = CHECKS.map((check) => check.code);
    expect([...declared].sort()).toEqual(Object.values(FindingCode).sort());
    expect(new Set(declared).size).toBe(declared.length);
  });

  it.each(CHECKS.map((check) => [check.code, check] as const))('%s: runbook, severity, title and actions are well-formed', (code, check) => {
    expect(check.runbook).toBe(`runbooks/${code}.md`);
    expect(Object.values(Severity)).toContain(check.severity);
    expect(check.title.length).toBeGreaterThan(10);
    for (const action of check.iamActions) expect(action).toMatch(/^[a-z0-9]+:[A-Z][A-Za-z]+$/);
    expect(declarationOf(code)).toBe(check);
  });

  it.each(CHECKS.map((check) => [check.code, check.runbook] as const))('%s: %s exists with the six headings in order', (code, runbook) => {
    expect(existsSync(runbook)).toBe(true);
    const text = readFileSync(runbook, 'utf8');
    expect(text.split('\n')[0]).toMatch(new RegExp(`^# ${code} — `));
    const lines = text.split('\n');
    const positions = HEADINGS.map((heading) => lines.indexOf(heading));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('has a runbook index that links every code', () => {
    const index = readFileSync('runbooks/README.md', 'utf8');
    for (const { code } of CHECKS) expect(index).toContain(`[${code}](${code}.md)`);
  });

  it('declares the usual severities the runbooks document', () => {
    expect(Object.fromEntries(CHECKS.map((c) => [c.code, c.severity]))).toEqual({
      TARGET_CLUSTER_NOT_FOUND: 'critical',
      TARGET_CLUSTER_INACTIVE: 'critical',
      TASK_DEFINITION_NOT_ACTIVE: 'critical',
      TARGET_ROLE_MISSING: 'critical',
      TARGET_FUNCTION_MISSING: 'critical',
      INVALID_EXPRESSION: 'critical',
      MISSED_RUNS: 'warning',
      DEAD_LETTER_QUEUE_MISSING: 'warning',
      SCHEDULE_DISABLED: 'warning',
      SCHEDULE_EXPIRED: 'warning',
      TARGET_ERRORS: 'warning',
      CHECK_INCOMPLETE: 'warning',
      RUNS_UNVERIFIABLE: 'info',
      NO_DEAD_LETTER_QUEUE: 'info',
      MONITOR_BLIND: 'critical',
      SCOPE_EMPTY: 'warning',
      INVOCATION_FAILED: 'critical',
    });
  });

  it('throws for an undeclared code', () => {
    expect(() => declarationOf('NOT_A_CODE' as FindingCode)).toThrow('No check declared for NOT_A_CODE');
  });
});

describe('requiredReadActions', () => {
  const actions = requiredReadActions();

  it('is sorted and unique', () => {
    expect(actions).toEqual([...new Set(actions)].sort());
  });

  it('contains no write action (dynamodb:BatchGetItem / GetItem are reads)', () => {
    const writes = actions.filter((action) => WRITE_VERBS.some((verb) => (action.split(':')[1] ?? '').startsWith(verb)));
    expect(writes).toEqual([]);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:GetItem']));
  });

  it('covers every action the collector adapters call', () => {
    expect(actions).toEqual([
      'cloudwatch:GetMetricData',
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'ecs:DescribeClusters',
      'ecs:DescribeTaskDefinition',
      'ecs:DescribeTasks',
      'ecs:ListClusters',
      'ecs:ListTasks',
      'iam:GetRole',
      'lambda:GetFunction',
      'scheduler:GetSchedule',
      'scheduler:ListScheduleGroups',
      'scheduler:ListSchedules',
      'scheduler:ListTagsForResource',
      'sqs:GetQueueUrl',
    ]);
  });
});
