import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/checks/evaluate.ts';
import { FindingCode, Severity } from '../../../src/checks/finding.ts';
import { RULES } from '../../../src/checks/registry.ts';
import { declareCheck, type CheckRule } from '../../../src/checks/rule.ts';
import { nyse } from '../../../src/market/index.ts';
import { DEFAULT_COLLECTED_AT, scheduleFacts, snapshotOf } from '../../support/check-fixtures.ts';

const OPTIONS = { now: DEFAULT_COLLECTED_AT, calendar: nyse, graceMinutes: 2, marketCriticalPatterns: [] };
/** A made-up check under an existing code: what matters is that evaluate runs it because it is registered. */
const EVERY_SCHEDULE = declareCheck(FindingCode.SCHEDULE_DISABLED, Severity.info, 'Test rule: flags every schedule', ['scheduler:GetSchedule']);

const snapshot = snapshotOf({
  schedules: [scheduleFacts('b-valid'), scheduleFacts('a-invalid', { expression: 'cron(not an expression)' }), scheduleFacts('c-unanchored', { expression: 'rate(5 minutes)', creationDate: undefined })],
});

describe('evaluate runs the registry', () => {
  it('runs a schedule rule registered in a test registry on every schedule, with the runbook and severity it was registered with', () => {
    const rule: CheckRule = {
      kind: 'schedule',
      checks: [EVERY_SCHEDULE],
      evaluate: (schedule, _ctx, emit) => [emit(EVERY_SCHEDULE.code, { schedule: { group: schedule.group, name: schedule.name, arn: schedule.arn }, message: 'seen', evidence: {}, fix: 'none' })],
    };

    const findings = evaluate(snapshot, OPTIONS, [rule]);

    expect(findings.map((f) => [f.schedule?.name, f.code, f.severity, f.runbook])).toEqual([
      ['a-invalid', 'SCHEDULE_DISABLED', 'info', 'runbooks/SCHEDULE_DISABLED.md'],
      ['b-valid', 'SCHEDULE_DISABLED', 'info', 'runbooks/SCHEDULE_DISABLED.md'],
      ['c-unanchored', 'SCHEDULE_DISABLED', 'info', 'runbooks/SCHEDULE_DISABLED.md'],
    ]);
  });

  it('asks a timing rule only about schedules that can be placed in time, with their parsed expression', () => {
    const seen: string[] = [];
    const rule: CheckRule = {
      kind: 'timing',
      checks: [EVERY_SCHEDULE],
      evaluate: (schedule, _ctx, _emit, parsed) => {
        seen.push(`${schedule.name} ${parsed.kind}`);
        return [];
      },
    };

    expect(evaluate(snapshot, OPTIONS, [rule])).toEqual([]);
    expect(seen).toEqual(['b-valid cron']);
  });

  it('runs a run rule once per check, and a raised severity wins over the registered one', () => {
    let calls = 0;
    const rule: CheckRule = {
      kind: 'run',
      checks: [EVERY_SCHEDULE],
      evaluate: (ctx, emit) => {
        calls += 1;
        return [emit(EVERY_SCHEDULE.code, { severity: Severity.critical, message: `${ctx.snapshot.schedules.length} schedules`, evidence: {}, fix: 'none' })];
      },
    };

    const findings = evaluate(snapshot, OPTIONS, [rule]);

    expect(calls).toBe(1);
    expect(findings).toEqual([{ code: 'SCHEDULE_DISABLED', severity: 'critical', message: '3 schedules', evidence: {}, fix: 'none', runbook: 'runbooks/SCHEDULE_DISABLED.md' }]);
  });

  it('refuses a finding under a code the rule was not registered for', () => {
    const rule: CheckRule = { kind: 'run', checks: [EVERY_SCHEDULE], evaluate: (_ctx, emit) => [emit(FindingCode.TARGET_ERRORS, { message: 'x', evidence: {}, fix: 'none' })] };

    expect(() => evaluate(snapshot, OPTIONS, [rule])).toThrow('A rule registered for SCHEDULE_DISABLED emitted TARGET_ERRORS');
  });

  it('finds nothing a rule left out of the registry would have found', () => {
    const codes = (rules?: readonly CheckRule[]) => new Set(evaluate(snapshot, OPTIONS, rules).map((f) => f.code));
    const withoutExpressions = RULES.filter((rule) => !rule.checks.some((check) => check.code === FindingCode.INVALID_EXPRESSION));

    expect(codes()).toContain(FindingCode.INVALID_EXPRESSION);
    expect(codes(withoutExpressions)).not.toContain(FindingCode.INVALID_EXPRESSION);
    expect(withoutExpressions).toHaveLength(RULES.length - 1);
  });
});
