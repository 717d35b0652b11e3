/**
 * The dead-letter consumer's configuration, from its environment, validated once at cold start. It
 * alerts through the healthcheck's alert state and topic, so the variables are the healthcheck's
 * (config.ts), and the defaults are too: the same ALERT_STATE_KEY is what makes one email per fault
 * whichever of the two saw it first.
 *
 * | Variable            | Required | Default         | Meaning                                                  |
 * |---------------------|----------|-----------------|----------------------------------------------------------|
 * | AWS_REGION          | yes      | (set by Lambda) | region of every client                                   |
 * | AWS_ENDPOINT_URL    | no       |                 | endpoint override (the sandbox, LocalStack)              |
 * | ALERT_TOPIC_ARN     | yes      |                 | the healthcheck's SNS topic                              |
 * | ALERT_STATE_TABLE   | yes      |                 | the healthcheck's alert-state table                      |
 * | ALERT_STATE_KEY     | no       | healthcheck     | the healthcheck's item key in that table                 |
 * | ALERT_MIN_SEVERITY  | no       | critical        | findings below this never email (INVOCATION_FAILED is critical) |
 * | RUNBOOK_BASE_URL    | no       |                 | prefix for runbook links in emails                       |
 * | METRICS_NAMESPACE   | no       | Ops/Healthcheck | CloudWatch namespace of the EMF metrics                  |
 */
import * as z from 'zod';
import { Severity } from '../checks/finding.ts';
import { UserError } from '../errors.ts';
import { envProblems, optional, snsTopicArn, tableName } from './config.ts';
import { DEFAULT_METRICS_NAMESPACE } from './metric-contract.ts';
import { HEALTHCHECK_DEFAULTS } from './run-healthcheck.ts';

export interface DeadLetterAlertsConfig {
  region: string;
  endpoint?: string;
  alertTopicArn: string;
  alertStateTable: string;
  alertStateKey: string;
  alertMinSeverity: Severity;
  reminderHours: number;
  runbookBaseUrl?: string;
  metricsNamespace: string;
}

const envSchema = z.object({
  AWS_REGION: z.string().min(1, 'must be set (Lambda sets it)'),
  AWS_ENDPOINT_URL: optional(z.url()),
  ALERT_TOPIC_ARN: snsTopicArn,
  ALERT_STATE_TABLE: tableName,
  ALERT_STATE_KEY: optional(z.string().min(1)),
  ALERT_MIN_SEVERITY: optional(z.enum([Severity.critical, Severity.warning])),
  RUNBOOK_BASE_URL: optional(z.url()),
  METRICS_NAMESPACE: optional(z.string().regex(/^[A-Za-z0-9._/#:-]{1,255}$/, 'must be a CloudWatch namespace').refine((v) => !v.startsWith('AWS/'), 'must not start with AWS/')),
});

export function loadDeadLetterAlertsConfig(env: Record<string, string | undefined>): DeadLetterAlertsConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new UserError(
      'INVALID_DEAD_LETTER_CONFIG',
      `The dead-letter consumer's configuration is invalid: ${envProblems(parsed.error, env).join('; ')}.`,
      'Fix the Lambda environment variables (see src/healthcheck/dead-letter-config.ts) and redeploy.',
    );
  }
  const e = parsed.data;
  return {
    region: e.AWS_REGION,
    ...(e.AWS_ENDPOINT_URL !== undefined ? { endpoint: e.AWS_ENDPOINT_URL } : {}),
    alertTopicArn: e.ALERT_TOPIC_ARN,
    alertStateTable: e.ALERT_STATE_TABLE,
    alertStateKey: e.ALERT_STATE_KEY ?? 'healthcheck',
    alertMinSeverity: e.ALERT_MIN_SEVERITY ?? HEALTHCHECK_DEFAULTS.alertMinSeverity,
    // Reminders come only from the 5-minute run; the policy still takes the setting.
    reminderHours: HEALTHCHECK_DEFAULTS.reminderHours,
    ...(e.RUNBOOK_BASE_URL !== undefined ? { runbookBaseUrl: e.RUNBOOK_BASE_URL } : {}),
    metricsNamespace: e.METRICS_NAMESPACE ?? DEFAULT_METRICS_NAMESPACE,
  };
}
