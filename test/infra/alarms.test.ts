/**
 * The alarms are the healthcheck's metric contract deployed: one per definition, each notifying the
 * alert topic and linking a runbook that exists in this repository.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/lambda-bundles.ts';
import { AlarmName, alarmsFor, HealthMetric, SCHEDULER_NAMESPACE } from '../../src/healthcheck/metric-contract.ts';
import { tradingAlarms } from '../../src/trading/domain/metric-contract.ts';
import { runProgram, type StackUnderTest } from './program.ts';
import type { RecordedResource } from './mocks.ts';

const RUNBOOK_BASE = 'https://github.com/example/ops/blob/main';

let stack: StackUnderTest;
let alarms: RecordedResource[];
const alarmNamed = (name: string) => alarms.find((a) => a.inputs.name === `ops-pipeline-${name}`);

interface Query {
  id: string;
  expression?: string;
  returnData?: boolean;
  metric?: { namespace: string; metricName: string; stat: string; period: number; dimensions: Record<string, string> };
}

beforeAll(async () => {
  stack = await runProgram({ runbookBaseUrl: `${RUNBOOK_BASE}/` });
  alarms = stack.ofType('aws:cloudwatch/metricAlarm:MetricAlarm');
});

describe('CloudWatch alarms', () => {
  it('are exactly the metric contracts’ alarms for every schedule group and trading dead-letter queue the stack creates', () => {
    const groups = stack.outputs.scheduleGroups as string[];
    expect(groups.sort()).toEqual(['ops-pipeline', 'ops-pipeline-market', 'ops-pipeline-monitoring', 'ops-pipeline-trading']);
    expect(stack.ofType('aws:scheduler/scheduleGroup:ScheduleGroup').map((g) => g.inputs.name).sort()).toEqual(groups.sort());
    // …and the trading workflow's (test/infra/trading-observability.test.ts looks at those closely).
    const tradingQueues = ['ops-pipeline-trading-rule-dlq', 'ops-pipeline-trading-failed', 'ops-pipeline-trading-sweeper-dlq'];
    const expected = [...alarmsFor(groups), ...tradingAlarms({ deadLetterQueueNames: tradingQueues })].map((definition) => `ops-pipeline-${definition.name}`);
    expect(alarms.map((a) => a.inputs.name).sort()).toEqual(expected.sort());
  });

  it('each notify the alert topic, when they fire and when they recover', () => {
    for (const alarm of alarms) {
      expect(alarm.inputs.alarmActions, String(alarm.inputs.name)).toEqual([stack.outputs.alertTopicArn]);
      expect(alarm.inputs.okActions, String(alarm.inputs.name)).toEqual([stack.outputs.alertTopicArn]);
      expect(alarm.inputs.actionsEnabled).toBe(true);
    }
  });

  it('each link a runbook that exists in runbooks/, under the configured base URL', () => {
    for (const alarm of alarms) {
      const description = String(alarm.inputs.alarmDescription);
      const link = /Runbook: (\S+)$/.exec(description)?.[1];
      expect(link, `${String(alarm.inputs.name)}: ${description}`).toBeDefined();
      expect(link!.startsWith(`${RUNBOOK_BASE}/runbooks/`), link).toBe(true);
      const path = link!.slice(RUNBOOK_BASE.length + 1);
      expect(existsSync(join(REPO_ROOT, path)), `${path} (linked from ${String(alarm.inputs.name)})`).toBe(true);
      expect(description.length).toBeLessThanOrEqual(1024);
    }
  });

  it('alarm on one or more unhealthy schedules', () => {
    const alarm = alarmNamed(AlarmName.unhealthySchedules)!;
    expect(alarm.inputs).toMatchObject({ metricName: HealthMetric.UnhealthySchedules, comparisonOperator: 'GreaterThanOrEqualToThreshold', threshold: 1 });
  });

  it('alarm when no ECS task started in 10 minutes while MarketOpen = 1, by metric math', () => {
    const alarm = alarmNamed(AlarmName.noTasksWhileMarketOpen)!;
    const queries = alarm.inputs.metricQueries as Query[];
    const expression = queries.filter((q) => q.expression !== undefined);
    expect(expression).toHaveLength(1);
    expect(expression[0]!.returnData).toBe(true);
    const metrics = queries.filter((q) => q.metric !== undefined);
    expect(metrics.map((q) => q.metric!.metricName).sort()).toEqual([HealthMetric.MarketOpen, HealthMetric.TasksStarted10m].sort());
    for (const q of metrics) expect(q.returnData).toBe(false);
    expect(alarm.inputs.metricName).toBeUndefined();
  });

  it('alarm when the heartbeat is missing for 15 minutes, missing data breaching', () => {
    const alarm = alarmNamed(AlarmName.heartbeatMissing)!;
    expect(alarm.inputs).toMatchObject({ metricName: HealthMetric.Heartbeat, treatMissingData: 'breaching', comparisonOperator: 'LessThanThreshold' });
    expect(Number(alarm.inputs.period) * Number(alarm.inputs.evaluationPeriods)).toBe(15 * 60);
  });

  it('alarm per schedule group on Scheduler target errors and dropped invocations', () => {
    for (const group of stack.outputs.scheduleGroups as string[]) {
      for (const [name, metric] of [
        [AlarmName.schedulerTargetErrors, 'TargetErrorCount'],
        [AlarmName.schedulerInvocationsDropped, 'InvocationDroppedCount'],
      ] as const) {
        const alarm = alarmNamed(`${name}-${group}`);
        expect(alarm?.inputs, `${name}-${group}`).toMatchObject({ namespace: SCHEDULER_NAMESPACE, metricName: metric, dimensions: { ScheduleGroup: group } });
      }
    }
  });
});

describe('the alert topic', () => {
  it('emails every address in alertEmails', () => {
    const subscriptions = stack.ofType('aws:sns/topicSubscription:TopicSubscription').filter((s) => s.inputs.topic === stack.outputs.alertTopicArn);
    expect(subscriptions.map((s) => [s.inputs.protocol, s.inputs.endpoint]).sort()).toEqual([
      ['email', 'oncall@example.com'],
      ['email', 'trading-desk@example.com'],
    ]);
  });
});

describe('the dashboard', () => {
  it('shows every alarm and is the exported URL', () => {
    const dashboard = stack.one('aws:cloudwatch/dashboard:Dashboard');
    const body = JSON.parse(String(dashboard.inputs.dashboardBody)) as { widgets: { type: string; properties: { alarms?: string[]; title?: string } }[] };
    const alarmWidget = body.widgets.find((w) => w.type === 'alarm');
    expect(alarmWidget?.properties.alarms?.sort()).toEqual(alarms.map((a) => String(a.state.arn)).sort());
    for (const alarm of alarms) expect(body.widgets.some((w) => w.properties.title === String(alarm.inputs.name).replace('ops-pipeline-', ''))).toBe(true);
    expect(stack.outputs.dashboardUrl).toBe(
      `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=${String(dashboard.inputs.dashboardName)}`,
    );
  });
});
