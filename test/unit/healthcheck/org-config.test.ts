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

describe('loadHealthcheckConfig: org mode', () => {
  it('is off without ORG_ACCOUNTS and ORG_DISCOVER', () => {
    expect(loadHealthcheckConfig(BASE).org).toBeUndefined();
    expect(loadHealthcheckConfig({ ...BASE, ORG_ACCOUNTS: ' ', ORG_DISCOVER: '' }).org).toBeUndefined();
  });

  it('reads listed accounts with the defaults: role ops-org-access, 8 pairs at once', () => {
    expect(loadHealthcheckConfig({ ...BASE, ORG_ACCOUNTS: '111111111111, 222222222222,,111111111111', ORG_REGIONS: 'us-east-1,eu-west-1 ,us-east-1' }).org).toEqual({
      roleName: 'ops-org-access',
      regions: ['us-east-1', 'eu-west-1'],
      accounts: { kind: 'listed', ids: ['111111111111', '222222222222'] },
      concurrency: 8,
    });
  });

  it('reads discovery with its OUs and exclusions, and every other ORG_ variable (the names infra/components/healthcheck.ts sets)', () => {
    expect(
      loadHealthcheckConfig({
        ...BASE,
        ORG_DISCOVER: 'organization',
        ORG_OUS: 'ou-ab12-cdef3456,r-ab12',
        ORG_EXCLUDE_ACCOUNTS: '333333333333',
        ORG_REGIONS: 'us-west-2',
        ORG_ROLE_NAME: 'acme-ops-access',
        ORG_EXTERNAL_ID: 'ops-org-7f3a',
        ORG_CONCURRENCY: '16',
      }).org,
    ).toEqual({
      roleName: 'acme-ops-access',
      regions: ['us-west-2'],
      accounts: { kind: 'discover', ous: ['ou-ab12-cdef3456', 'r-ab12'], exclude: ['333333333333'] },
      externalId: 'ops-org-7f3a',
      concurrency: 16,
    });
  });

  it('refuses both account sources, a missing ORG_REGIONS and discovery-only keys with listed accounts, naming each', () => {
    const message = problems({ ...BASE, ORG_ACCOUNTS: '111111111111', ORG_DISCOVER: 'organization', ORG_OUS: 'ou-ab12-cdef3456' });
    expect(message).toContain('ORG_ACCOUNTS and ORG_DISCOVER both choose the accounts: set one');
    expect(message).toContain('ORG_REGIONS must be set in org mode');

    const listed = problems({ ...BASE, ORG_ACCOUNTS: '111111111111', ORG_REGIONS: 'us-east-1', ORG_OUS: 'ou-ab12-cdef3456', ORG_EXCLUDE_ACCOUNTS: '222222222222' });
    expect(listed).toContain('ORG_OUS only applies with ORG_DISCOVER=organization');
    expect(listed).toContain('ORG_EXCLUDE_ACCOUNTS only applies with ORG_DISCOVER=organization (list fewer ORG_ACCOUNTS instead)');
  });

  it('refuses org-only variables when org mode is off, instead of ignoring them', () => {
    expect(problems({ ...BASE, ORG_REGIONS: 'us-east-1', ORG_CONCURRENCY: '4' })).toContain(
      'ORG_REGIONS, ORG_CONCURRENCY only apply in org mode: set ORG_ACCOUNTS (account ids) or ORG_DISCOVER=organization, or unset them',
    );
  });

  it('names every bad value and bad combination in one message, with the existing keys', () => {
    const message = problems({
      AWS_REGION: 'us-east-1',
      ALERT_TOPIC_ARN: BASE.ALERT_TOPIC_ARN,
      ORG_ACCOUNTS: '111111111111,12345,acme',
      ORG_DISCOVER: 'yes',
      ORG_REGIONS: 'us-east-1,Mars',
      ORG_ROLE_NAME: 'no spaces please',
      ORG_EXTERNAL_ID: 'x',
      ORG_CONCURRENCY: '65',
    });
    expect(message).toMatch(/^The healthcheck configuration is invalid: /);
    expect(message).toContain('ALERT_STATE_TABLE must be set');
    expect(message).toContain('ORG_ACCOUNTS must list 12-digit account ids: "12345", "acme" are not');
    expect(message).toContain('ORG_DISCOVER must be "organization"');
    expect(message).toContain('ORG_REGIONS must list region names (us-east-1): "Mars" is not one');
    expect(message).toContain('ORG_ROLE_NAME must be an IAM role name');
    expect(message).toContain('ORG_EXTERNAL_ID must be an STS external id');
    expect(message).toContain('ORG_CONCURRENCY');
    expect(message).toContain('ORG_ACCOUNTS and ORG_DISCOVER both choose the accounts');
    expect(problems({ ...BASE, ORG_DISCOVER: 'organization', ORG_REGIONS: 'us-east-1', ORG_CONCURRENCY: '0' })).toContain('ORG_CONCURRENCY');
    expect(problems({ ...BASE, ORG_DISCOVER: 'organization', ORG_REGIONS: ' , ' })).toContain('ORG_REGIONS must list at least one of region names');
    expect(problems({ ...BASE, ORG_DISCOVER: 'organization', ORG_REGIONS: 'us-east-1', ORG_OUS: 'Finance' })).toContain('ORG_OUS must list OU ids');
  });
});
