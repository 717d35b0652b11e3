/**
 * CloudWatch alarms and the dashboard, built from the healthcheck's metric contract: the healthcheck's
 * own alarms plus TargetErrorCount and InvocationDroppedCount for every schedule group, and any
 * `extraAlarms` (the trading workflow's, infra/trading-observability.ts). Each alarm notifies the
 * alert topic and links its runbook.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { alarmsFor, type AlarmDefinition } from '../../src/healthcheck/metric-contract.ts';
import { metricAlarmArgs } from '../alarms.ts';
import { dashboardBody } from '../dashboard.ts';

export interface MonitoringArgs {
  namePrefix: string;
  region: pulumi.Input<string>;
  alertTopicArn: pulumi.Input<string>;
  /** Every schedule group the stack creates: Scheduler's metrics exist per group only. */
  scheduleGroupNames: readonly string[];
  metricsNamespace: string;
  runbookBaseUrl: string | undefined;
  healthcheckFunctionName: pulumi.Input<string>;
  deadLetterQueueNames: pulumi.Input<string>[];
  /** Alarms from another contract (the trading workflow's), created, notified and graphed like these. */
  extraAlarms?: readonly AlarmDefinition[];
  /** Their dashboard section, for the stack's region. */
  extraWidgets?: (region: string) => Record<string, unknown>[];
}

export class Monitoring extends pulumi.ComponentResource {
  readonly alarms: ReadonlyMap<string, aws.cloudwatch.MetricAlarm>;
  readonly definitions: readonly AlarmDefinition[];
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ops:monitoring:Monitoring', name, {}, opts);
    const parent = { parent: this };

    this.definitions = [...alarmsFor(args.scheduleGroupNames, { namespace: args.metricsNamespace }), ...(args.extraAlarms ?? [])];
    const target = { namePrefix: args.namePrefix, topicArn: args.alertTopicArn, runbookBaseUrl: args.runbookBaseUrl };
    this.alarms = new Map(
      this.definitions.map((definition) => [definition.name, new aws.cloudwatch.MetricAlarm(`${name}-${definition.name}`, metricAlarmArgs(definition, target), parent)]),
    );

    const dashboardName = `${args.namePrefix}-health`;
    this.dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName,
        dashboardBody: pulumi
          .all([pulumi.output(args.region), pulumi.all([...this.alarms.values()].map((alarm) => alarm.arn)), pulumi.output(args.healthcheckFunctionName), pulumi.all(args.deadLetterQueueNames)])
          .apply(([region, alarmArns, healthcheckFunctionName, deadLetterQueueNames]) =>
            dashboardBody({ region, alarmArns, definitions: this.definitions, healthcheckFunctionName, deadLetterQueueNames, extraWidgets: args.extraWidgets?.(region) ?? [] }),
          ),
      },
      parent,
    );
    this.dashboardUrl = pulumi.interpolate`https://${args.region}.console.aws.amazon.com/cloudwatch/home?region=${args.region}#dashboards:name=${this.dashboard.dashboardName}`;
    this.registerOutputs({ dashboardUrl: this.dashboardUrl });
  }
}
