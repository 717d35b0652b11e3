import { describe, expect, it } from 'vitest';
import { describeFingerprint, fingerprintOf } from '../../../src/alerts/index.ts';
import { FindingCode, Severity } from '../../../src/checks/finding.ts';
import { checkIncomplete, clusterMissing, finding, missedRuns, scheduleArn } from './fixtures.ts';

describe('fingerprintOf', () => {
  it.each([
    ['a schedule finding: code + schedule ARN', clusterMissing('ops-pipeline', 'classifier'), `TARGET_CLUSTER_NOT_FOUND schedule:${scheduleArn('ops-pipeline', 'classifier')}`],
    ['a group finding: code + group', finding(FindingCode.TARGET_ERRORS, { group: 'ops-pipeline' }, Severity.warning), 'TARGET_ERRORS group:ops-pipeline'],
    ['CHECK_INCOMPLETE: code + evidence.action', checkIncomplete('ecs:ListTasks'), 'CHECK_INCOMPLETE action:ecs:ListTasks'],
  ])('%s', (_name, f, expected) => {
    expect(fingerprintOf(f)).toBe(expected);
  });

  it('ignores evidence that changes from run to run (missedCount, lastRunAt) and the severity', () => {
    const early = missedRuns('ops-pipeline', 'classifier', Severity.warning, 1, '2026-01-29T16:36:00.000Z');
    const late = missedRuns('ops-pipeline', 'classifier', Severity.critical, 78, null);
    expect(fingerprintOf(late)).toBe(fingerprintOf(early));
  });

  it('tells apart codes on one schedule, schedules with one code, and CHECK_INCOMPLETE per action', () => {
    const all = [
      clusterMissing('ops-pipeline', 'a'),
      missedRuns('ops-pipeline', 'a'),
      clusterMissing('ops-pipeline', 'b'),
      clusterMissing('ops-pipeline-market', 'a'),
      checkIncomplete('ecs:ListTasks'),
      checkIncomplete('ecs:DescribeClusters'),
      finding(FindingCode.TARGET_ERRORS, { group: 'ops-pipeline' }, Severity.warning),
      finding(FindingCode.TARGET_ERRORS, { group: 'ops-pipeline-market' }, Severity.warning),
    ];
    expect(new Set(all.map(fingerprintOf)).size).toBe(all.length);
  });

  it('falls back to group/name when a schedule has no ARN, and to the code alone for a finding about nothing', () => {
    const noArn = { ...clusterMissing('g', 'n'), schedule: { group: 'g', name: 'n', arn: '' } };
    expect(fingerprintOf(noArn)).toBe('TARGET_CLUSTER_NOT_FOUND schedule:g/n');
    const { evidence: _e, ...bare } = checkIncomplete('x');
    expect(fingerprintOf({ ...bare, evidence: {} })).toBe('CHECK_INCOMPLETE check');
  });
});

describe('describeFingerprint', () => {
  it.each([
    [`TARGET_CLUSTER_NOT_FOUND schedule:${scheduleArn('ops-pipeline', 'rss-ingest')}`, { code: 'TARGET_CLUSTER_NOT_FOUND', subject: 'ops-pipeline/rss-ingest' }],
    ['TARGET_CLUSTER_NOT_FOUND schedule:g/n', { code: 'TARGET_CLUSTER_NOT_FOUND', subject: 'g/n' }],
    ['TARGET_ERRORS group:ops-pipeline', { code: 'TARGET_ERRORS', subject: 'group ops-pipeline' }],
    ['CHECK_INCOMPLETE action:ecs:ListTasks', { code: 'CHECK_INCOMPLETE', subject: 'check ecs:ListTasks' }],
    ['CHECK_INCOMPLETE check', { code: 'CHECK_INCOMPLETE', subject: '(whole check)' }],
  ])('%s', (fingerprint, expected) => {
    expect(describeFingerprint(fingerprint)).toEqual(expected);
  });
});
