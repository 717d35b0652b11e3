import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/checks/finding.ts';
import type { ChangeResult } from '../../../src/remediate/change.ts';
import { fixExitCode, unaddressedFindings } from '../../../src/remediate/outcome.ts';

const ref = (name: string, group = 'g') => ({ group, name, arn: `arn:${name}` });
const finding = (code: Finding['code'], severity: Finding['severity'], name?: string, group = 'g'): Finding => ({
  code,
  severity,
  ...(name !== undefined ? { schedule: ref(name, group) } : { group }),
  message: '',
  evidence: {},
  fix: '',
  runbook: '',
});
const result = (name: string, status: ChangeResult['status'], extra: Partial<ChangeResult> = {}): ChangeResult => ({
  entryId: 'e',
  changeId: 'c',
  schedule: ref(name),
  status,
  from: 'a',
  to: 'b',
  written: status === 'ok',
  startDateDropped: false,
  lastModificationDate: {},
  ...extra,
});
const plan = { changes: [], decisions: [], unusedMappings: [] };

describe('unaddressedFindings', () => {
  it('drops what the fix resolves on fixed schedules, keeps everything else at or above --fail-on', () => {
    const findings = [
      finding('TARGET_CLUSTER_NOT_FOUND', 'critical', 'a'),
      finding('MISSED_RUNS', 'critical', 'a'),
      finding('TARGET_ERRORS', 'warning'),
      finding('TARGET_CLUSTER_NOT_FOUND', 'critical', 'b'),
      finding('TASK_DEFINITION_NOT_ACTIVE', 'critical', 'a'),
      finding('NO_DEAD_LETTER_QUEUE', 'info', 'a'),
    ];

    const left = unaddressedFindings(findings, 'warning', [result('a', 'ok'), result('b', 'failed')]);

    expect(left.map((f) => `${f.code}:${f.schedule?.name ?? f.group}`)).toEqual(['TARGET_ERRORS:g', 'TARGET_CLUSTER_NOT_FOUND:b', 'TASK_DEFINITION_NOT_ACTIVE:a']);
  });
});

describe('fixExitCode', () => {
  const findings = [finding('TARGET_CLUSTER_NOT_FOUND', 'critical', 'a'), finding('TARGET_ERRORS', 'warning')];

  it('is 0 when every change is ok and nothing else fails', () => {
    expect(fixExitCode({ findings, failOn: 'warning', plan, results: [result('a', 'ok')] })).toBe(0);
  });

  it.each([
    ['a change failed', [result('a', 'failed')], plan],
    ['a change was skipped', [result('a', 'skipped')], plan],
    ['no run was seen', [result('a', 'ok', { run: { seen: false, waitedMinutes: 10 } })], plan],
    ['a decision is pending', [result('a', 'ok')], { ...plan, decisions: [{ schedule: ref('x'), from: '', reason: '', candidates: [], hint: '' }] }],
  ])('is 1 when %s', (_why, results, p) => {
    expect(fixExitCode({ findings, failOn: 'warning', plan: p, results })).toBe(1);
  });
});
