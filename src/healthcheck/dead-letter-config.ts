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
import { UserError } from '../errors.ts';
import { alertingConfig, alertingEnv, envProblems, type AlertingConfig } from './config.ts';
import { HEALTHCHECK_DEFAULTS } from './run-healthcheck.ts';

export interface DeadLetterAlertsConfig extends AlertingConfig {
  reminderHours: number;
}

const envSchema = z.object(alertingEnv);

export function loadDeadLetterAlertsConfig(env: Record<string, string | undefined>): DeadLetterAlertsConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new UserError(
      'INVALID_DEAD_LETTER_CONFIG',
      `The dead-letter consumer's configuration is invalid: ${envProblems(parsed.error, env).join('; ')}.`,
      'Fix the Lambda environment variables (see src/healthcheck/dead-letter-config.ts) and redeploy.',
    );
  }
  return {
    ...alertingConfig(parsed.data),
    // Reminders come only from the 5-minute run; the policy still takes the setting.
    reminderHours: HEALTHCHECK_DEFAULTS.reminderHours,
  };
}
