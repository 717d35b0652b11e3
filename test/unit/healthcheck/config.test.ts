import { describe, expect, it } from 'vitest';
import { loadHealthcheckConfig } from '../../../src/healthcheck/config.ts';

const BASE = { AWS_REGION: 'us-east-1', ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:ops-alerts', ALERT_STATE_TABLE: 'ops-alert-state' };

const problems = (env: Record<string, string | undefined>): string => {
  try {
    loadHealthcheckConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
};

describe('loadHealthcheckConfig', () => {
  it('applies the defaults', () => {
    expect(loadHealthcheckConfig(BASE)).toEqual({
      region: 'us-east-1',
      alertTopicArn: BASE.ALERT_TOPIC_ARN,
      alertStateTable: 'ops-alert-state',
      alertStateKey: 'healthcheck',
      alertMinSeverity: 'critical',
      autoFix: false,
      maxChanges: 25,
      reminderHours: 2,
      marketCritical: [],
      metricsNamespace: 'Ops/Healthcheck',
    });
  });

  it('reads every variable', () => {
    const config = loadHealthcheckConfig({
      ...BASE,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      RUN_LEDGER_TABLE: 'ops-run-ledger',
      AUTO_FIX: 'true',
      MAX_CHANGES: '12',
      REMEDIATION_TABLE: 'ops-remediation',
      REMINDER_HOURS: '0.5',
      MARKET_CRITICAL: ' ops-pipeline-dispatcher* , ,position-manager-* ',
      RUNBOOK_BASE_URL: 'https://github.com/acme/ops/blob/main',
      METRICS_NAMESPACE: 'Acme/Ops',
      ALERT_MIN_SEVERITY: 'warning',
      ALERT_STATE_KEY: 'prod',
    });
    expect(config).toMatchObject({
      endpoint: 'http://127.0.0.1:5000',
      runLedgerTable: 'ops-run-ledger',
      autoFix: true,
      maxChanges: 12,
      remediationTable: 'ops-remediation',
      reminderHours: 0.5,
      marketCritical: ['ops-pipeline-dispatcher*', 'position-manager-*'],
      runbookBaseUrl: 'https://github.com/acme/ops/blob/main',
      metricsNamespace: 'Acme/Ops',
      alertMinSeverity: 'warning',
      alertStateKey: 'prod',
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadHealthcheckConfig({ ...BASE, RUN_LEDGER_TABLE: '', AUTO_FIX: '', MAX_CHANGES: ' ' })).toMatchObject({ autoFix: false, maxChanges: 25 });
    expect(loadHealthcheckConfig({ ...BASE, RUN_LEDGER_TABLE: '' }).runLedgerTable).toBeUndefined();
  });

  it('reads the optional schedule-definition cache table, empty meaning none, and refuses a bad name', () => {
    expect(loadHealthcheckConfig({ ...BASE, DEFINITION_CACHE_TABLE: 'ops-pipeline-schedule-definitions' }).definitionCacheTable).toBe('ops-pipeline-schedule-definitions');
    expect(loadHealthcheckConfig({ ...BASE, DEFINITION_CACHE_TABLE: ' ' }).definitionCacheTable).toBeUndefined();
    expect(problems({ ...BASE, DEFINITION_CACHE_TABLE: 'no spaces allowed' })).toContain('DEFINITION_CACHE_TABLE must be a DynamoDB table name');
  });

  it('names every problem at once', () => {
    const message = problems({ AWS_REGION: 'us-east-1', ALERT_TOPIC_ARN: 'ops-alerts', AUTO_FIX: '1', MAX_CHANGES: 'many', METRICS_NAMESPACE: 'AWS/Scheduler' });
    expect(message).toContain('ALERT_TOPIC_ARN must be an SNS topic ARN');
    expect(message).toContain('ALERT_STATE_TABLE must be set');
    expect(message).toContain('AUTO_FIX must be true or false');
    expect(message).toContain('MAX_CHANGES');
    expect(message).toContain('METRICS_NAMESPACE must not start with AWS/');
  });

  it('requires REMEDIATION_TABLE when AUTO_FIX=true, and a region', () => {
    expect(problems({ ...BASE, AUTO_FIX: 'true' })).toContain('REMEDIATION_TABLE must be set when AUTO_FIX=true');
    expect(problems({ ...BASE, AWS_REGION: undefined })).toContain('AWS_REGION must be set');
    expect(problems({ ...BASE, MAX_CHANGES: '0' })).toContain('MAX_CHANGES');
    expect(problems({ ...BASE, REMINDER_HOURS: '-1' })).toContain('REMINDER_HOURS');
  });
});
