/**
 * Org mode's `where` (the pair's account and region) in every email the healthcheck renders: after
 * the severity in the subject, and as a `Where:` line under the headline. Without it nothing changes
 * (render.test.ts pins those emails).
 */
import { describe, expect, it } from 'vitest';
import { ALERT_POLICY_DEFAULTS, decideAlert, emptyAlertState, renderAlertEmail, renderSelfHealedEmail, type AlertState, type SendDecision } from '../../../src/alerts/index.ts';
import type { Finding } from '../../../src/checks/finding.ts';
import { nyse } from '../../../src/market/index.ts';
import { clusterMissing, reportOf } from './fixtures.ts';

const AT = new Date('2026-01-29T16:41:00Z'); // Thu 11:41 ET, market open
const WHERE = { short: 'prod-trading us-east-1', full: 'prod-trading (111111111111) us-east-1' };

function decide(previous: AlertState | undefined, findings: Finding[], now: Date): SendDecision {
  const decision = decideAlert(previous, findings, { now, marketOpen: nyse.isOpen(now), ...ALERT_POLICY_DEFAULTS, minSeverity: 'critical' });
  if (!decision.send) throw new Error(`expected an email: ${decision.reason}`);
  return decision;
}

const render = (decision: SendDecision, findings: Finding[], now: Date) => renderAlertEmail(decision, reportOf(findings, now), { fixCommand: 'ops check-schedulers --accounts 111111111111 --regions us-east-1 --fix', where: WHERE });

describe('emails with a where', () => {
  const findings = [clusterMissing('ops-pipeline-market', 'ops-pipeline-dispatcher')];

  it('names the pair in the alert, the reminder and the recovery', () => {
    const first = decide(undefined, findings, AT);
    const alert = render(first, findings, AT);
    expect(alert.subject).toBe('[CRITICAL] prod-trading us-east-1: 1 schedule target missing cluster ops-pipeline');
    expect(alert.body.split('\n').slice(0, 2)).toEqual(['CRITICAL: 1 schedule target missing cluster ops-pipeline', 'Where:    prod-trading (111111111111) us-east-1']);

    const twoHours = new Date(AT.getTime() + 2 * 3_600_000);
    const reminder = render(decide(first.next, findings, twoHours), findings, twoHours);
    expect(reminder.subject).toBe('[REMINDER] [CRITICAL] prod-trading us-east-1 for 2h: 1 schedule target missing cluster ops-pipeline');

    const healed = new Date(AT.getTime() + 10 * 60_000);
    const recovery = render(decide(first.next, [], healed), [], healed);
    expect(recovery.subject).toBe('[RESOLVED] prod-trading us-east-1: all schedules healthy again');
    expect(recovery.body).toContain('\nWhere:    prod-trading (111111111111) us-east-1\n');
  });

  it('names the pair in the self-healed email', () => {
    const { subject, body } = renderSelfHealedEmail({
      changes: [{ schedule: 'ops-pipeline-market/ops-pipeline-dispatcher', from: 'arn:aws:ecs:us-east-1:111111111111:cluster/ops-pipeline', to: 'arn:aws:ecs:us-east-1:111111111111:cluster/ops-pipeline-cluster', backup: 'dynamodb://ops-remediation/x/y', result: 'ok' }],
      report: reportOf([], AT),
      where: WHERE,
    });
    expect(subject).toBe('[AUTO-FIXED] prod-trading us-east-1: 1 schedule repointed to cluster ops-pipeline-cluster');
    expect(body).toContain('\nWhere:    prod-trading (111111111111) us-east-1\nMarket:');
  });

  it('leaves the email as it was without one', () => {
    const decision = decide(emptyAlertState(), findings, AT);
    const plain = renderAlertEmail(decision, reportOf(findings, AT), { fixCommand: 'ops check-schedulers --fix' });
    expect(plain.subject).toBe('[CRITICAL] 1 schedule target missing cluster ops-pipeline');
    expect(plain.body).not.toContain('Where:');
  });
});
