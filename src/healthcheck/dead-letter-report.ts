/**
 * A CheckReport for one batch of dead letters, so the alert email renders exactly as the
 * healthcheck's does (renderAlertEmail reads the market line, the counts and the findings from a
 * report). Nothing was collected: the schedules listed are the ones the dead letters name, with the
 * target they reported and no run evidence; state, expression and timezone are unknown here.
 */
import { parseArn } from '../arn.ts';
import { atLeast, severityRank, Severity, type Finding } from '../checks/finding.ts';
import type { CheckReport } from '../checks/report.ts';
import type { MarketCalendar } from '../market/index.ts';

const UNKNOWN = 'UNKNOWN';

export function deadLetterReport(findings: Finding[], options: { now: Date; region: string; calendar: MarketCalendar; failOn?: Severity }): CheckReport {
  const failOn = options.failOn ?? Severity.warning;
  const bySchedule = new Map<string, Finding[]>();
  for (const finding of findings) {
    if (finding.schedule) bySchedule.set(finding.schedule.arn, [...(bySchedule.get(finding.schedule.arn) ?? []), finding]);
  }
  const schedules = [...bySchedule.values()].map((own) => {
    const ref = own[0]!.schedule!;
    const targetArn = own.map((f) => f.evidence.targetArn).find((arn): arn is string => typeof arn === 'string') ?? '';
    const worst = own.reduce<Severity>((acc, f) => (severityRank(f.severity) > severityRank(acc) ? f.severity : acc), Severity.info);
    return {
      group: ref.group,
      name: ref.name,
      arn: ref.arn,
      state: UNKNOWN,
      expression: UNKNOWN,
      timezone: UNKNOWN,
      target: { kind: targetKindOf(targetArn), arn: targetArn },
      evidence: { source: 'none', note: 'dead-letter event: nothing collected' },
      codes: [...new Set(own.map((f) => f.code))],
      worst,
    };
  });
  const count = (severity: Severity) => findings.filter((f) => f.severity === severity).length;
  const status = options.calendar.status(options.now);
  return {
    ok: !findings.some((f) => atLeast(f.severity, failOn)),
    generatedAt: options.now.toISOString(),
    region: options.region,
    failOn,
    summary: {
      schedules: schedules.length,
      groups: new Set(schedules.map((s) => s.group)).size,
      findings: { critical: count(Severity.critical), warning: count(Severity.warning), info: count(Severity.info) },
      schedulesBySeverity: {
        critical: schedules.filter((s) => s.worst === Severity.critical).length,
        warning: schedules.filter((s) => s.worst === Severity.warning).length,
        info: schedules.filter((s) => s.worst === Severity.info).length,
        healthy: 0,
      },
      unhealthySchedules: schedules.filter((s) => s.worst !== Severity.info).length,
      otherFindings: findings.filter((f) => !f.schedule).length,
      evidenceSources: schedules.length > 0 ? { none: schedules.length } : {},
    },
    market: status.open
      ? { name: options.calendar.name, open: true, closesAt: status.closesAt.toISOString() }
      : { name: options.calendar.name, open: false, opensAt: status.opensAt.toISOString(), reason: status.reason },
    findings,
    schedules,
  };
}

/** The report's target kinds (src/checks/model.ts TargetKind) by the ARN's service. */
const KIND_BY_SERVICE: Readonly<Record<string, string>> = { ecs: 'ecs', lambda: 'lambda', sqs: 'sqs', sns: 'sns' };

function targetKindOf(arn: string): string {
  return KIND_BY_SERVICE[parseArn(arn)?.service ?? ''] ?? 'other';
}
