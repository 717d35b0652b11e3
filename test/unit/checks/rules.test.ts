import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/checks/evaluate.ts';
import { MARKET_CRITICAL_TAG } from '../../../src/checks/evaluate-context.ts';
import { severityRank, type Finding, type FindingCode, type Severity } from '../../../src/checks/finding.ts';
import type { RunEvidence, Snapshot } from '../../../src/checks/model.ts';
import { declarationOf } from '../../../src/checks/registry.ts';
import { nyse } from '../../../src/market/index.ts';
import {
  arn,
  clusterFacts,
  DEFAULT_CLUSTER_ARN,
  DEFAULT_DLQ_ARN,
  DEFAULT_ROLE_ARN,
  DEFAULT_TASK_DEFINITION_ARN,
  ecsEvidence,
  failure,
  found,
  groupFacts,
  groupMetrics,
  lambdaSchedule,
  ledgerEvidence,
  missing,
  noEvidence,
  refOf,
  scheduleFacts,
  snapshotOf,
  taskDefinitionFacts,
  unknown,
  type SnapshotInput,
} from '../../support/check-fixtures.ts';

/** Monday 2026-11-23 09:45 ET: the NYSE is open. */
const MONDAY_OPEN = new Date('2026-11-23T14:45:00Z');
/** Saturday 2026-11-28 10:00 ET: closed. */
const SATURDAY = new Date('2026-11-28T15:00:00Z');
/** The ledger has been recording since long before every `now` here. */
const LEDGER_SINCE = new Date('2026-11-01T00:00:00Z');
const at = (iso: string) => new Date(iso);

interface Triple {
  code: FindingCode;
  severity: Severity;
  /** The schedule's name; null for group- and check-level findings. */
  schedule: string | null;
}

const t = (code: FindingCode, severity: Severity, schedule: string | null): Triple => ({ code, severity, schedule });

function run(snapshot: Snapshot, opts: { now?: Date; patterns?: string[] } = {}): Finding[] {
  return evaluate(snapshot, { now: opts.now ?? snapshot.collectedAt, calendar: nyse, graceMinutes: 2, marketCriticalPatterns: opts.patterns ?? [] });
}

const triples = (findings: Finding[]): Triple[] => findings.map((f) => t(f.code, f.severity, f.schedule?.name ?? null));

/** One ENABLED ECS schedule (every 15 min, New York) whose ledger shows the run at the last due time. */
const healthy = scheduleFacts('healthy');
const healthyEvidence = { 'trading/healthy': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-23T14:30:04Z') }) };

interface Row {
  name: string;
  snapshot: SnapshotInput;
  now?: Date;
  patterns?: string[];
  expected: Triple[];
}

const rows: Row[] = [
  // ── healthy baseline ──
  { name: 'a healthy ECS schedule has no findings', snapshot: { schedules: [healthy], evidence: healthyEvidence }, expected: [] },

  // ── target rules ──
  {
    name: 'TARGET_CLUSTER_NOT_FOUND when DescribeClusters reports the cluster missing',
    snapshot: { schedules: [scheduleFacts('a')], clusters: { [DEFAULT_CLUSTER_ARN]: missing('MISSING') } },
    expected: [t('TARGET_CLUSTER_NOT_FOUND', 'critical', 'a')],
  },
  {
    name: 'TARGET_CLUSTER_INACTIVE when the cluster exists but is INACTIVE',
    snapshot: { schedules: [scheduleFacts('a')], clusters: { [DEFAULT_CLUSTER_ARN]: found(clusterFacts(DEFAULT_CLUSTER_ARN, 'INACTIVE')) } },
    expected: [t('TARGET_CLUSTER_INACTIVE', 'critical', 'a')],
  },
  {
    name: 'TASK_DEFINITION_NOT_ACTIVE when the task definition is missing',
    snapshot: { schedules: [scheduleFacts('a')], taskDefinitions: { [DEFAULT_TASK_DEFINITION_ARN]: missing('ClientException: Unable to describe task definition') } },
    expected: [t('TASK_DEFINITION_NOT_ACTIVE', 'critical', 'a')],
  },
  {
    name: 'TASK_DEFINITION_NOT_ACTIVE when the task definition is INACTIVE (deregistered)',
    snapshot: { schedules: [scheduleFacts('a')], taskDefinitions: { [DEFAULT_TASK_DEFINITION_ARN]: found(taskDefinitionFacts(DEFAULT_TASK_DEFINITION_ARN, 'INACTIVE')) } },
    expected: [t('TASK_DEFINITION_NOT_ACTIVE', 'critical', 'a')],
  },
  {
    name: 'TARGET_ROLE_MISSING when the execution role does not exist',
    snapshot: { schedules: [scheduleFacts('a')], roles: { [DEFAULT_ROLE_ARN]: missing('NoSuchEntity') } },
    expected: [t('TARGET_ROLE_MISSING', 'critical', 'a')],
  },
  {
    name: 'TARGET_FUNCTION_MISSING when a Lambda target does not exist',
    snapshot: { schedules: [lambdaSchedule('alert', 'trade-alert-checker')], functions: { [arn.function('trade-alert-checker')]: missing('ResourceNotFoundException') } },
    expected: [t('TARGET_FUNCTION_MISSING', 'critical', 'alert')],
  },
  {
    name: 'an existing Lambda target has no findings',
    snapshot: { schedules: [lambdaSchedule('alert', 'trade-alert-checker')] },
    expected: [],
  },
  {
    name: 'DEAD_LETTER_QUEUE_MISSING when the configured DLQ does not exist',
    snapshot: { schedules: [scheduleFacts('a')], queues: { [DEFAULT_DLQ_ARN]: missing('AWS.SimpleQueueService.NonExistentQueue') } },
    expected: [t('DEAD_LETTER_QUEUE_MISSING', 'warning', 'a')],
  },
  {
    name: 'NO_DEAD_LETTER_QUEUE (info) when the schedule has none',
    snapshot: { schedules: [scheduleFacts('a', { target: { deadLetterArn: undefined } })] },
    expected: [t('NO_DEAD_LETTER_QUEUE', 'info', 'a')],
  },
  {
    name: 'a cluster look-up that is unknown is not reported as a missing cluster',
    snapshot: { schedules: [scheduleFacts('a')], clusters: { [DEFAULT_CLUSTER_ARN]: unknown('ecs:DescribeClusters') } },
    expected: [t('CHECK_INCOMPLETE', 'warning', null)],
  },

  // ── state rules ──
  {
    name: 'SCHEDULE_DISABLED for a DISABLED schedule, and no MISSED_RUNS even with no runs in the ledger',
    snapshot: { schedules: [scheduleFacts('off', { state: 'DISABLED' })], evidence: { 'trading/off': ledgerEvidence({ coversSince: LEDGER_SINCE }) } },
    expected: [t('SCHEDULE_DISABLED', 'warning', 'off')],
  },
  {
    name: 'SCHEDULE_EXPIRED when the EndDate has passed',
    snapshot: { schedules: [scheduleFacts('old', { endDate: at('2026-11-01T00:00:00Z') })] },
    expected: [t('SCHEDULE_EXPIRED', 'warning', 'old')],
  },
  {
    name: 'SCHEDULE_EXPIRED for an at() in the past',
    snapshot: { schedules: [scheduleFacts('once', { expression: 'at(2026-11-20T10:00:00)' })] },
    expected: [t('SCHEDULE_EXPIRED', 'warning', 'once')],
  },
  {
    name: 'no SCHEDULE_EXPIRED for an at() in the future',
    snapshot: { schedules: [scheduleFacts('once', { expression: 'at(2026-12-01T10:00:00)' })] },
    expected: [],
  },
  {
    name: 'no SCHEDULE_EXPIRED while the EndDate is in the future',
    snapshot: { schedules: [scheduleFacts('ending', { endDate: at('2026-12-31T00:00:00Z') })] },
    expected: [],
  },
  {
    name: 'SCHEDULE_EXPIRED when the EndDate is in the future but no fire time is left before it',
    snapshot: { schedules: [scheduleFacts('daily', { expression: 'cron(0 12 * * ? *)', endDate: at('2026-11-23T16:00:00Z') })] },
    expected: [t('SCHEDULE_EXPIRED', 'warning', 'daily')],
  },
  {
    name: 'INVALID_EXPRESSION for a cron with both day fields set',
    snapshot: { schedules: [scheduleFacts('bad', { expression: 'cron(0 12 * * * *)' })] },
    expected: [t('INVALID_EXPRESSION', 'critical', 'bad')],
  },
  {
    name: 'INVALID_EXPRESSION for an unknown timezone',
    snapshot: { schedules: [scheduleFacts('bad', { timezone: 'Mars/Olympus_Mons' })] },
    expected: [t('INVALID_EXPRESSION', 'critical', 'bad')],
  },
  {
    name: 'an invalid expression yields no state or run findings, but target findings still run',
    snapshot: {
      schedules: [scheduleFacts('bad', { expression: 'cron(61 * * * ? *)', state: 'DISABLED', endDate: at('2026-01-06T00:00:00Z') })],
      roles: { [DEFAULT_ROLE_ARN]: missing('NoSuchEntity') },
      evidence: { 'trading/bad': ledgerEvidence({ coversSince: LEDGER_SINCE }) },
    },
    expected: [t('INVALID_EXPRESSION', 'critical', 'bad'), t('TARGET_ROLE_MISSING', 'critical', 'bad')],
  },

  // ── MISSED_RUNS ──  (every 15 min; at 14:45Z the last due fire with 2 min grace is 14:30Z)
  {
    name: 'MISSED_RUNS: ledger evidence, no run since the last due fire',
    snapshot: { schedules: [scheduleFacts('late')], evidence: { 'trading/late': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-23T14:15:03Z') }) } },
    expected: [t('MISSED_RUNS', 'warning', 'late')],
  },
  {
    name: 'MISSED_RUNS: ledger evidence, never ran',
    snapshot: { schedules: [scheduleFacts('never')], evidence: { 'trading/never': ledgerEvidence({ coversSince: LEDGER_SINCE }) } },
    expected: [t('MISSED_RUNS', 'warning', 'never')],
  },
  {
    name: 'no MISSED_RUNS: run recorded exactly at the due time',
    snapshot: { schedules: [scheduleFacts('ok')], evidence: { 'trading/ok': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-23T14:30:00Z') }) } },
    expected: [],
  },
  {
    name: 'no MISSED_RUNS: run recorded 50 s before the due time (clock skew, within 1 min)',
    snapshot: { schedules: [scheduleFacts('ok')], evidence: { 'trading/ok': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-23T14:29:10Z') }) } },
    expected: [],
  },
  {
    name: 'no MISSED_RUNS: run recorded exactly 1 min before the due time',
    snapshot: { schedules: [scheduleFacts('ok')], evidence: { 'trading/ok': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-23T14:29:00Z') }) } },
    expected: [],
  },
  {
    name: 'MISSED_RUNS: a run 61 s before the due time belongs to an earlier fire',
    snapshot: { schedules: [scheduleFacts('skew')], evidence: { 'trading/skew': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-23T14:28:59Z') }) } },
    expected: [t('MISSED_RUNS', 'warning', 'skew')],
  },
  {
    name: 'no MISSED_RUNS: hourly fire 3 min ago with a 15-min flexible window is not yet due',
    now: at('2026-11-23T15:03:00Z'),
    snapshot: {
      collectedAt: at('2026-11-23T15:03:00Z'),
      schedules: [scheduleFacts('flex', { expression: 'cron(0 * * * ? *)', flexibleWindowMinutes: 15 })],
      evidence: { 'trading/flex': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-23T14:00:20Z') }) },
    },
    expected: [],
  },
  {
    name: 'MISSED_RUNS: the same hourly fire 3 min ago without a flexible window is missed',
    now: at('2026-11-23T15:03:00Z'),
    snapshot: {
      collectedAt: at('2026-11-23T15:03:00Z'),
      schedules: [scheduleFacts('flex', { expression: 'cron(0 * * * ? *)', flexibleWindowMinutes: 0 })],
      evidence: { 'trading/flex': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-23T14:00:20Z') }) },
    },
    expected: [t('MISSED_RUNS', 'warning', 'flex')],
  },
  {
    name: 'MISSED_RUNS: flexible window plus grace has passed (15:17:00 for a 15:00 fire)',
    now: at('2026-11-23T15:17:00Z'),
    snapshot: {
      collectedAt: at('2026-11-23T15:17:00Z'),
      schedules: [scheduleFacts('flex', { expression: 'cron(0 * * * ? *)', flexibleWindowMinutes: 15 })],
      evidence: { 'trading/flex': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-23T14:00:20Z') }) },
    },
    expected: [t('MISSED_RUNS', 'warning', 'flex')],
  },
  {
    name: 'no MISSED_RUNS: within the 2-min grace (15:01:59 for a 15:00 fire)',
    now: at('2026-11-23T15:01:59Z'),
    snapshot: {
      collectedAt: at('2026-11-23T15:01:59Z'),
      schedules: [scheduleFacts('grace', { expression: 'cron(0 * * * ? *)' })],
      evidence: { 'trading/grace': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-23T14:00:20Z') }) },
    },
    expected: [],
  },
  {
    name: 'no MISSED_RUNS: the last due fire is before the ledger coverage',
    snapshot: { schedules: [scheduleFacts('new')], evidence: { 'trading/new': ledgerEvidence({ coversSince: at('2026-11-23T14:40:00Z') }) } },
    expected: [],
  },
  {
    name: 'RUNS_UNVERIFIABLE (info): the last due fire is older than ECS keeps tasks',
    snapshot: {
      schedules: [scheduleFacts('rare', { expression: 'cron(0 6 * * ? *)' })],
      evidence: { 'trading/rare': ecsEvidence({ coversSince: at('2026-11-23T13:45:00Z') }) },
    },
    expected: [t('RUNS_UNVERIFIABLE', 'info', 'rare')],
  },
  {
    name: 'MISSED_RUNS from ECS evidence when the due fire is inside the ECS window and no task was seen',
    snapshot: { schedules: [scheduleFacts('ecs')], evidence: { 'trading/ecs': ecsEvidence({ coversSince: at('2026-11-23T13:45:00Z'), runs: [at('2026-11-23T14:00:01Z')] }) } },
    expected: [t('MISSED_RUNS', 'warning', 'ecs')],
  },
  {
    name: 'no MISSED_RUNS from ECS evidence when a task was seen at the due fire',
    snapshot: { schedules: [scheduleFacts('ecs')], evidence: { 'trading/ecs': ecsEvidence({ coversSince: at('2026-11-23T13:45:00Z'), runs: [at('2026-11-23T14:15:01Z'), at('2026-11-23T14:30:02Z')] }) } },
    expected: [],
  },
  {
    name: 'no MISSED_RUNS: the last due fire is before the schedule was last modified',
    snapshot: {
      schedules: [scheduleFacts('edited', { lastModificationDate: at('2026-11-23T14:35:00Z') })],
      evidence: { 'trading/edited': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-20T10:00:00Z') }) },
    },
    expected: [],
  },
  {
    name: 'no MISSED_RUNS: the last due fire is before the schedule was created (no lastModificationDate)',
    snapshot: {
      schedules: [scheduleFacts('created', { creationDate: at('2026-11-23T14:35:00Z'), lastModificationDate: undefined })],
      evidence: { 'trading/created': ledgerEvidence({ coversSince: LEDGER_SINCE }) },
    },
    expected: [],
  },
  {
    name: 'no MISSED_RUNS for a Lambda target (evidence none)',
    snapshot: { schedules: [lambdaSchedule('alert', 'trade-alert-checker')], evidence: { 'trading/alert': noEvidence('no run evidence for lambda targets') } },
    expected: [],
  },
  {
    name: 'no MISSED_RUNS when the StartDate is still in the future',
    snapshot: {
      schedules: [scheduleFacts('later', { startDate: at('2026-11-24T00:00:00Z') })],
      evidence: { 'trading/later': ledgerEvidence({ coversSince: LEDGER_SINCE }) },
    },
    expected: [],
  },

  // ── MISSED_RUNS severity ──
  {
    name: 'critical: tagged market-critical group while the NYSE is open',
    snapshot: {
      schedules: [scheduleFacts('dispatcher', { group: 'pipeline' })],
      groups: [groupFacts('pipeline', { [MARKET_CRITICAL_TAG]: 'true' })],
      evidence: { 'pipeline/dispatcher': ledgerEvidence({ coversSince: LEDGER_SINCE }) },
    },
    expected: [t('MISSED_RUNS', 'critical', 'dispatcher')],
  },
  {
    name: 'critical: the tag value is case-insensitive',
    snapshot: {
      schedules: [scheduleFacts('dispatcher', { group: 'pipeline' })],
      groups: [groupFacts('pipeline', { [MARKET_CRITICAL_TAG]: 'TRUE' })],
      evidence: { 'pipeline/dispatcher': ledgerEvidence({ coversSince: LEDGER_SINCE }) },
    },
    expected: [t('MISSED_RUNS', 'critical', 'dispatcher')],
  },
  {
    name: 'warning: a group tagged ops:market-critical=false is not market-critical',
    snapshot: {
      schedules: [scheduleFacts('dispatcher', { group: 'pipeline' })],
      groups: [groupFacts('pipeline', { [MARKET_CRITICAL_TAG]: 'false' })],
      evidence: { 'pipeline/dispatcher': ledgerEvidence({ coversSince: LEDGER_SINCE }) },
    },
    expected: [t('MISSED_RUNS', 'warning', 'dispatcher')],
  },
  {
    name: 'warning: tagged market-critical group on a Saturday',
    now: SATURDAY,
    snapshot: {
      collectedAt: SATURDAY,
      schedules: [scheduleFacts('dispatcher', { group: 'pipeline' })],
      groups: [groupFacts('pipeline', { [MARKET_CRITICAL_TAG]: 'true' })],
      evidence: { 'pipeline/dispatcher': ledgerEvidence({ coversSince: LEDGER_SINCE }) },
    },
    expected: [t('MISSED_RUNS', 'warning', 'dispatcher')],
  },
  {
    name: 'critical: name matches a market-critical glob while open',
    patterns: ['signal-*'],
    snapshot: { schedules: [scheduleFacts('signal-engine')], evidence: { 'trading/signal-engine': ledgerEvidence({ coversSince: LEDGER_SINCE }) } },
    expected: [t('MISSED_RUNS', 'critical', 'signal-engine')],
  },
  {
    name: 'warning: the glob is anchored (a name that only contains the pattern does not match)',
    patterns: ['signal-*'],
    snapshot: { schedules: [scheduleFacts('pre-signal-engine')], evidence: { 'trading/pre-signal-engine': ledgerEvidence({ coversSince: LEDGER_SINCE }) } },
    expected: [t('MISSED_RUNS', 'warning', 'pre-signal-engine')],
  },
  {
    name: 'warning: name matches the glob but it is Saturday',
    now: SATURDAY,
    patterns: ['signal-*'],
    snapshot: { collectedAt: SATURDAY, schedules: [scheduleFacts('signal-engine')], evidence: { 'trading/signal-engine': ledgerEvidence({ coversSince: LEDGER_SINCE }) } },
    expected: [t('MISSED_RUNS', 'warning', 'signal-engine')],
  },
  {
    name: 'warning: non-critical schedule while open',
    patterns: ['signal-*'],
    snapshot: { schedules: [scheduleFacts('telemetry')], evidence: { 'trading/telemetry': ledgerEvidence({ coversSince: LEDGER_SINCE }) } },
    expected: [t('MISSED_RUNS', 'warning', 'telemetry')],
  },

  // ── TARGET_ERRORS ──
  {
    name: 'TARGET_ERRORS when the group metrics show target errors',
    snapshot: { schedules: [healthy], evidence: healthyEvidence, metrics: { trading: found(groupMetrics({ invocationAttempts: 6, targetErrors: 2 })) } },
    expected: [t('TARGET_ERRORS', 'warning', null)],
  },
  {
    name: 'TARGET_ERRORS when the group metrics show dropped invocations only',
    snapshot: { schedules: [healthy], evidence: healthyEvidence, metrics: { trading: found(groupMetrics({ invocationAttempts: 6, dropped: 1 })) } },
    expected: [t('TARGET_ERRORS', 'warning', null)],
  },
  {
    name: 'no TARGET_ERRORS when attempts succeed (errors and drops zero, DLQ sends do not count alone)',
    snapshot: { schedules: [healthy], evidence: healthyEvidence, metrics: { trading: found(groupMetrics({ invocationAttempts: 6, sentToDeadLetter: 0 })) } },
    expected: [],
  },

  // ── CHECK_INCOMPLETE ──
  {
    name: 'CHECK_INCOMPLETE: one finding for a denied iam:GetRole shared by 3 schedules',
    snapshot: {
      schedules: [scheduleFacts('a'), scheduleFacts('b'), scheduleFacts('c')],
      roles: { [DEFAULT_ROLE_ARN]: unknown('iam:GetRole') },
    },
    expected: [t('CHECK_INCOMPLETE', 'warning', null)],
  },
  {
    name: 'CHECK_INCOMPLETE: one per failing action (listing groups denied + metrics unknown)',
    snapshot: {
      schedules: [healthy],
      evidence: healthyEvidence,
      failures: [failure('scheduler:ListScheduleGroups')],
      metrics: { trading: unknown('cloudwatch:GetMetricData', 'ThrottlingException') },
    },
    expected: [t('CHECK_INCOMPLETE', 'warning', null), t('CHECK_INCOMPLETE', 'warning', null)],
  },
  {
    name: 'CHECK_INCOMPLETE for unreadable schedules',
    snapshot: {
      schedules: [scheduleFacts('readable', { expression: 'cron(0 12 ? * SAT *)' })],
      evidence: { 'trading/readable': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-21T17:00:02Z') }) },
      unreadable: [
        { ref: refOf(scheduleFacts('x')), failure: failure('scheduler:GetSchedule') },
        { ref: refOf(scheduleFacts('y')), failure: failure('scheduler:GetSchedule') },
      ],
    },
    expected: [t('CHECK_INCOMPLETE', 'warning', null)],
  },
  {
    name: 'CHECK_INCOMPLETE is critical when it hides a market-critical schedule while the market is open',
    snapshot: {
      schedules: [scheduleFacts('signal-engine'), scheduleFacts('report', { expression: 'cron(0 12 ? * SAT *)' })],
      roles: { [DEFAULT_ROLE_ARN]: unknown('iam:GetRole') },
      evidence: { 'trading/signal-engine': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-23T14:30:02Z') }), 'trading/report': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-21T17:00:02Z') }) },
    },
    patterns: ['signal-*'],
    expected: [t('CHECK_INCOMPLETE', 'critical', null)],
  },
  {
    name: 'CHECK_INCOMPLETE hiding a market-critical schedule stays a warning while the market is closed',
    now: at('2026-11-22T15:00:00Z'),
    snapshot: {
      schedules: [scheduleFacts('signal-engine', { expression: 'cron(0 12 ? * SAT *)' })],
      roles: { [DEFAULT_ROLE_ARN]: unknown('iam:GetRole') },
      evidence: { 'trading/signal-engine': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-21T17:00:02Z') }) },
    },
    patterns: ['signal-*'],
    expected: [t('CHECK_INCOMPLETE', 'warning', null)],
  },
  // ── MONITOR_BLIND / SCOPE_EMPTY ──
  {
    name: 'MONITOR_BLIND when every listed schedule is unreadable (and no CHECK_INCOMPLETE repeating it)',
    snapshot: {
      schedules: [],
      unreadable: [{ ref: refOf(scheduleFacts('x')), failure: failure('scheduler:GetSchedule', 'ThrottlingException', 'Rate exceeded') }],
    },
    expected: [t('MONITOR_BLIND', 'critical', null)],
  },
  {
    name: 'MONITOR_BLIND when ListSchedules failed: no SCOPE_EMPTY on top',
    snapshot: { schedules: [], failures: [failure('scheduler:ListSchedules', 'CredentialsProviderError', 'Could not load credentials from any providers')] },
    expected: [t('MONITOR_BLIND', 'critical', null)],
  },
  {
    name: 'SCOPE_EMPTY when the listing worked and matched nothing',
    snapshot: { schedules: [], scope: { group: 'nosuch-group' } },
    expected: [t('SCOPE_EMPTY', 'warning', null)],
  },
  {
    name: 'CHECK_INCOMPLETE when a group’s tags could not be read',
    snapshot: {
      schedules: [healthy],
      evidence: healthyEvidence,
      groups: [groupFacts('trading', {}, { tagsFailure: failure('scheduler:ListTagsForResource') })],
    },
    expected: [t('CHECK_INCOMPLETE', 'warning', null)],
  },

  // ── ordering ──
  {
    name: 'critical first, then warning, then info (across schedules)',
    snapshot: {
      schedules: [
        scheduleFacts('a-info', { target: { deadLetterArn: undefined } }),
        scheduleFacts('b-warn', { state: 'DISABLED' }),
        scheduleFacts('c-crit', { target: { roleArn: arn.role('gone') } }),
      ],
      roles: { [arn.role('gone')]: missing('NoSuchEntity') },
      metrics: { trading: found(groupMetrics({ invocationAttempts: 3, targetErrors: 3 })) },
    },
    expected: [
      t('TARGET_ROLE_MISSING', 'critical', 'c-crit'),
      // within a severity: by group, the group-level finding before the group's schedules, then by name
      t('TARGET_ERRORS', 'warning', null),
      t('SCHEDULE_DISABLED', 'warning', 'b-warn'),
      t('NO_DEAD_LETTER_QUEUE', 'info', 'a-info'),
    ],
  },
];

describe('evaluate: one table row per case', () => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const findings = run(snapshotOf({ collectedAt: row.now ?? MONDAY_OPEN, ...row.snapshot }), { now: row.now ?? MONDAY_OPEN, patterns: row.patterns ?? [] });
    expect(triples(findings)).toEqual(row.expected);
  });

  it('every finding carries its declared runbook, which exists, and the declared severity (MISSED_RUNS may be raised)', () => {
    const all = rows.flatMap((row) => run(snapshotOf({ collectedAt: row.now ?? MONDAY_OPEN, ...row.snapshot }), { now: row.now ?? MONDAY_OPEN, patterns: row.patterns ?? [] }));
    expect(new Set(all.map((f) => f.code)).size).toBe(16);
    for (const f of all) {
      const declared = declarationOf(f.code);
      expect(f.runbook).toBe(declared.runbook);
      expect(existsSync(f.runbook)).toBe(true);
      if (f.code !== 'MISSED_RUNS' && f.code !== 'CHECK_INCOMPLETE') expect(f.severity).toBe(declared.severity);
      expect(f.message.length).toBeGreaterThan(0);
      expect(f.fix.length).toBeGreaterThan(0);
    }
  });
});

describe('MISSED_RUNS evidence', () => {
  const missedRuns = (input: SnapshotInput, now = MONDAY_OPEN) => {
    const findings = run(snapshotOf({ collectedAt: now, ...input }), { now }).filter((f) => f.code === 'MISSED_RUNS');
    expect(findings).toHaveLength(1);
    return findings[0]!;
  };

  it('counts every fire since the last run (13:30 run → 13:45, 14:00, 14:15, 14:30 missed)', () => {
    const f = missedRuns({ schedules: [scheduleFacts('a')], evidence: { 'trading/a': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-23T13:30:02Z') }) } });
    expect(f.evidence).toMatchObject({
      source: 'ledger',
      lastDue: '2026-11-23T14:30:00.000Z',
      firstMissed: '2026-11-23T13:45:00.000Z',
      missedCount: 4,
      lastRunAt: '2026-11-23T13:30:02.000Z',
      marketCritical: false,
      marketOpen: true,
    });
    expect(f.message).toContain('4 times since 2026-11-23T13:45:00.000Z');
  });

  it('counts from the coverage start when there is no run (a fire exactly at coversSince counts)', () => {
    const f = missedRuns({ schedules: [scheduleFacts('a')], evidence: { 'trading/a': ledgerEvidence({ coversSince: at('2026-11-23T14:00:00Z') }) } });
    expect(f.evidence).toMatchObject({ missedCount: 3, firstMissed: '2026-11-23T14:00:00.000Z', lastRunAt: null });
    expect(f.message).toContain('last run: never seen');
  });

  it('counts from the later of coverage and last run: a run long before coverage does not inflate the count', () => {
    const f = missedRuns({
      schedules: [scheduleFacts('a')],
      evidence: { 'trading/a': ledgerEvidence({ coversSince: at('2026-11-23T14:10:00Z'), lastRunAt: at('2026-11-20T10:00:00Z') }) },
    });
    expect(f.evidence).toMatchObject({ missedCount: 2, firstMissed: '2026-11-23T14:15:00.000Z' });
  });

  it('counts only fires since the last modification', () => {
    const f = missedRuns({
      schedules: [scheduleFacts('a', { lastModificationDate: at('2026-11-23T14:10:00Z') })],
      evidence: { 'trading/a': ledgerEvidence({ coversSince: LEDGER_SINCE }) },
    });
    expect(f.evidence).toMatchObject({ missedCount: 2, firstMissed: '2026-11-23T14:15:00.000Z' });
  });

  it('a fire at the very instant of the last modification does not count: Scheduler fires a definition only after its write', () => {
    const f = missedRuns({
      schedules: [scheduleFacts('a', { lastModificationDate: at('2026-11-23T14:15:00Z') })],
      evidence: { 'trading/a': ledgerEvidence({ coversSince: LEDGER_SINCE }) },
    });
    expect(f.evidence).toMatchObject({ missedCount: 1, firstMissed: '2026-11-23T14:30:00.000Z' });
    const atLastDue = run(
      snapshotOf({ collectedAt: MONDAY_OPEN, schedules: [scheduleFacts('a', { lastModificationDate: at('2026-11-23T14:30:00Z') })], evidence: { 'trading/a': ledgerEvidence({ coversSince: LEDGER_SINCE }) } }),
      { now: MONDAY_OPEN },
    );
    expect(atLastDue.filter((x) => x.code === 'MISSED_RUNS')).toEqual([]);
  });

  it('a single miss reads "once"', () => {
    const f = missedRuns({ schedules: [scheduleFacts('a')], evidence: { 'trading/a': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-23T14:15:03Z') }) } });
    expect(f.evidence).toMatchObject({ missedCount: 1, firstMissed: '2026-11-23T14:30:00.000Z' });
    expect(f.message).toMatch(/should have run once since 2026-11-23T14:30:00\.000Z/);
  });

  it('records marketCritical and marketOpen for a critical miss', () => {
    const f = run(
      snapshotOf({
        schedules: [scheduleFacts('dispatcher', { group: 'pipeline' })],
        groups: [groupFacts('pipeline', { [MARKET_CRITICAL_TAG]: 'true' })],
        evidence: { 'pipeline/dispatcher': ledgerEvidence({ coversSince: LEDGER_SINCE }) },
      }),
      { now: SATURDAY },
    );
    expect(f.map((x) => [x.severity, x.evidence.marketCritical, x.evidence.marketOpen])).toEqual([['warning', true, false]]);
  });

  it('rate() counts from the StartDate anchor', () => {
    // rate(1 hour) anchored at 10:20Z: fires 13:20, 14:20; now 14:45 → lastDue 14:20.
    const f = missedRuns({
      schedules: [scheduleFacts('rate', { expression: 'rate(1 hour)', startDate: at('2026-11-23T10:20:00Z') })],
      evidence: { 'trading/rate': ledgerEvidence({ coversSince: LEDGER_SINCE, lastRunAt: at('2026-11-23T12:20:05Z') }) },
    });
    expect(f.evidence).toMatchObject({ lastDue: '2026-11-23T14:20:00.000Z', firstMissed: '2026-11-23T13:20:00.000Z', missedCount: 2 });
  });

  it('RUNS_UNVERIFIABLE says when the schedule was due and since when ECS can see', () => {
    const findings = run(
      snapshotOf({ schedules: [scheduleFacts('rare', { expression: 'cron(0 6 * * ? *)' })], evidence: { 'trading/rare': ecsEvidence({ coversSince: at('2026-11-23T13:45:00Z') }) } }),
      { now: MONDAY_OPEN },
    );
    expect(findings.map((f) => [f.code, f.evidence])).toEqual([
      ['RUNS_UNVERIFIABLE', { source: 'ecs', lastDue: '2026-11-23T11:00:00.000Z', coversSince: '2026-11-23T13:45:00.000Z' }],
    ]);
  });
});

describe('TARGET_ERRORS evidence', () => {
  it('names the group and carries the metric sums and window', () => {
    const findings = run(
      snapshotOf({
        schedules: [healthy, scheduleFacts('z', { group: 'zeta' })],
        evidence: healthyEvidence,
        metrics: { trading: found(groupMetrics({ invocationAttempts: 6, targetErrors: 2, dropped: 1, sentToDeadLetter: 3 })), zeta: found(groupMetrics({ invocationAttempts: 4 })) },
      }),
    ).filter((f) => f.code === 'TARGET_ERRORS');
    expect(findings.map((f) => ({ group: f.group, schedule: f.schedule, evidence: f.evidence }))).toEqual([
      {
        group: 'trading',
        schedule: undefined,
        evidence: { invocationAttempts: 6, targetErrors: 2, dropped: 1, sentToDeadLetter: 3, windowStart: '2026-11-23T14:30:00.000Z', windowEnd: '2026-11-23T14:45:00.000Z' },
      },
    ]);
  });
});

describe('CHECK_INCOMPLETE evidence', () => {
  const incomplete = (input: SnapshotInput) =>
    run(snapshotOf(input))
      .filter((f) => f.code === 'CHECK_INCOMPLETE')
      .map((f) => f.evidence);

  it('names the affected schedules of a failing action once, with the count', () => {
    expect(
      incomplete({
        schedules: [scheduleFacts('c'), scheduleFacts('a'), scheduleFacts('b')],
        roles: { [DEFAULT_ROLE_ARN]: unknown('iam:GetRole') },
      }),
    ).toEqual([
      {
        action: 'iam:GetRole',
        errorName: 'AccessDeniedException',
        error: 'User is not authorized to perform: iam:GetRole',
        affected: ['trading/a', 'trading/b', 'trading/c'],
        affectedCount: 3,
      },
    ]);
  });

  it('counts a schedule once even when two of its look-ups fail with the same action', () => {
    const queue = arn.queue('other-dlq');
    expect(
      incomplete({
        schedules: [scheduleFacts('a', { target: { deadLetterArn: queue } })],
        taskDefinitions: { [DEFAULT_TASK_DEFINITION_ARN]: unknown('ecs:DescribeTaskDefinition', 'ThrottlingException') },
        clusters: { [DEFAULT_CLUSTER_ARN]: unknown('ecs:DescribeClusters') },
        queues: { [queue]: unknown('sqs:GetQueueUrl') },
      }).map((e) => [e.action, e.affectedCount]),
    ).toEqual([
      ['ecs:DescribeClusters', 1],
      ['ecs:DescribeTaskDefinition', 1],
      ['sqs:GetQueueUrl', 1],
    ]);
  });

  it('lists unreadable schedules, group tag failures and unknown group metrics', () => {
    expect(
      incomplete({
        schedules: [scheduleFacts('a', { group: 'g1' })],
        groups: [groupFacts('g1', {}, { tagsFailure: failure('scheduler:ListTagsForResource') })],
        unreadable: [{ ref: refOf(scheduleFacts('x', { group: 'g2' })), failure: failure('scheduler:GetSchedule', 'ThrottlingException') }],
        metrics: { g1: unknown('cloudwatch:GetMetricData') },
      }).map((e) => [e.action, e.affected, e.affectedCount]),
    ).toEqual([
      ['cloudwatch:GetMetricData', ['g1/*'], 1],
      ['scheduler:GetSchedule', ['g2/x'], 1],
      ['scheduler:ListTagsForResource', ['g1/*'], 1],
    ]);
  });

  it('a run-level failure (listing groups denied) names no schedule and says what to grant', () => {
    const findings = run(snapshotOf({ schedules: [], failures: [failure('scheduler:ListScheduleGroups')] })).filter((f) => f.code === 'CHECK_INCOMPLETE');
    expect(findings.map((f) => [f.code, f.evidence.affectedCount, f.message])).toEqual([
      ['CHECK_INCOMPLETE', 0, 'scheduler:ListScheduleGroups failed (AccessDeniedException); those checks did not run: grant scheduler:ListScheduleGroups to the caller'],
    ]);
    expect(findings[0]!.fix).toContain('--action-names scheduler:ListScheduleGroups');
    // The caller's assumed-role session ARN is turned into the role ARN simulate-principal-policy accepts.
    expect(findings[0]!.fix).toContain(String.raw`s#:sts::([0-9]+):assumed-role/([^/]+)/.*#:iam::\1:role/\2#`);
  });

  it('a transient failure suggests re-running, not granting', () => {
    const findings = run(snapshotOf({ schedules: [], failures: [failure('scheduler:ListScheduleGroups', 'ThrottlingException', 'Rate exceeded')] })).filter((f) => f.code === 'CHECK_INCOMPLETE');
    expect(findings.map((f) => f.fix)).toEqual(['ops check-schedulers   # re-run; the failure may be transient']);
    expect(findings[0]!.message).not.toContain('grant');
  });

  it('caps the named schedules at 20 but counts them all', () => {
    const schedules = Array.from({ length: 25 }, (_, i) => scheduleFacts(`s${String(i).padStart(2, '0')}`));
    const [e] = incomplete({ schedules, roles: { [DEFAULT_ROLE_ARN]: unknown('iam:GetRole') } });
    expect(e?.affectedCount).toBe(25);
    expect(e?.affected).toHaveLength(20);
  });
});

describe('evaluate ordering', () => {
  it('is sorted critical → warning → info for any mix of faults (property)', () => {
    const faults = ['clusterMissing', 'roleMissing', 'disabled', 'noDlq', 'dlqMissing', 'badExpression', 'missed', 'taskDefInactive'] as const;
    fc.assert(
      fc.property(fc.array(fc.subarray([...faults]), { minLength: 1, maxLength: 6 }), (perSchedule) => {
        const schedules = perSchedule.map((fs, i) =>
          scheduleFacts(`s${i}`, {
            ...(fs.includes('disabled') ? { state: 'DISABLED' as const } : {}),
            ...(fs.includes('badExpression') ? { expression: 'cron(bad)' } : {}),
            target: {
              arn: arn.cluster(fs.includes('clusterMissing') ? `gone-${i}` : 'trading'),
              roleArn: arn.role(fs.includes('roleMissing') ? `gone-${i}` : 'ok'),
              deadLetterArn: fs.includes('noDlq') ? undefined : arn.queue(fs.includes('dlqMissing') ? `gone-${i}` : 'dlq'),
              ecs: { taskDefinitionArn: arn.taskDefinition(fs.includes('taskDefInactive') ? `old-${i}:1` : 'worker:1') },
            },
          }),
        );
        const gone = (reason: string, make: (i: number) => string) => Object.fromEntries(perSchedule.map((_, i) => [make(i), missing<never>(reason)]));
        const snapshot = snapshotOf({
          schedules,
          clusters: gone('MISSING', (i) => arn.cluster(`gone-${i}`)),
          roles: gone('NoSuchEntity', (i) => arn.role(`gone-${i}`)),
          queues: gone('NonExistentQueue', (i) => arn.queue(`gone-${i}`)),
          taskDefinitions: Object.fromEntries(perSchedule.map((_, i) => [arn.taskDefinition(`old-${i}:1`), found(taskDefinitionFacts(arn.taskDefinition(`old-${i}:1`), 'INACTIVE'))])),
          evidence: Object.fromEntries(
            perSchedule.flatMap((fs, i): [string, RunEvidence][] => (fs.includes('missed') ? [[`trading/s${i}`, ledgerEvidence({ coversSince: LEDGER_SINCE })]] : [])),
          ),
        });
        const ranks = run(snapshot).map((f) => severityRank(f.severity));
        expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
      }),
      { numRuns: 60 },
    );
  });

  it('is pure: the same snapshot and time give the same findings', () => {
    const snapshot = snapshotOf({
      schedules: [scheduleFacts('a'), scheduleFacts('b', { state: 'DISABLED' })],
      evidence: { 'trading/a': ledgerEvidence({ coversSince: LEDGER_SINCE }) },
    });
    expect(run(snapshot)).toEqual(run(snapshot));
    expect(triples(run(snapshot))).toEqual([t('MISSED_RUNS', 'warning', 'a'), t('SCHEDULE_DISABLED', 'warning', 'b')]);
  });
});

describe('knownChanges (a write the caller made itself)', () => {
  const input = () => snapshotOf({ collectedAt: MONDAY_OPEN, schedules: [scheduleFacts('a')], evidence: { 'trading/a': ledgerEvidence({ coversSince: LEDGER_SINCE }) } });
  const missed = (knownChanges?: ReadonlyMap<string, Date>) =>
    evaluate(input(), { now: MONDAY_OPEN, calendar: nyse, graceMinutes: 2, marketCriticalPatterns: [], ...(knownChanges ? { knownChanges } : {}) }).filter((f) => f.code === 'MISSED_RUNS');

  it('a repair after the last due fire clears MISSED_RUNS, like a newer LastModificationDate', () => {
    expect(missed()).toHaveLength(1);
    expect(missed(new Map([['trading/a', MONDAY_OPEN]]))).toEqual([]);
  });

  it('a change before the last due fire, or to another schedule, changes nothing', () => {
    expect(missed(new Map([['trading/a', new Date(MONDAY_OPEN.getTime() - 3_600_000)]]))).toHaveLength(1);
    expect(missed(new Map([['trading/b', MONDAY_OPEN]]))).toHaveLength(1);
  });
});
