/** The stack config is validated as a whole before anything is created. */
import { describe, expect, it } from 'vitest';
import { ConfigError, ecrRepositoriesOf, ecrRepositoryOf, parseStackConfig } from '../../infra/config.ts';
import { JOBS, jobsWithoutImplementation, validateJobs, type ScheduledJob } from '../../infra/jobs.ts';

const valid = {
  imageUri: '123456789012.dkr.ecr.us-west-2.amazonaws.com/ops-pipeline:2026-02-01',
  subnetIds: ['subnet-0aaa1111'],
  securityGroupIds: ['sg-0ccc3333'],
};

describe('parseStackConfig', () => {
  it('fills the documented defaults', () => {
    const config = parseStackConfig(valid);
    expect(config).toMatchObject({ namePrefix: 'ops-pipeline', assignPublicIp: false, autoFix: false, maxChanges: 25, logRetentionDays: 30, alertEmails: [] });
    expect(config.marketCriticalJobs).toEqual(JOBS.filter((j) => j.marketCritical).map((j) => j.name));
    expect(config.imageRepositories).toEqual([{ registryId: '123456789012', region: 'us-west-2', name: 'ops-pipeline' }]);
  });

  it('names every bad key at once', () => {
    const attempt = () => parseStackConfig({ imageUri: '', subnetIds: ['vpc-1'], securityGroupIds: [], alertEmails: ['not-an-email'], logRetentionDays: 10 });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/imageUri[\s\S]*subnetIds\.0[\s\S]*securityGroupIds[\s\S]*alertEmails\.0[\s\S]*logRetentionDays/);
  });

  it('rejects job names that are not in the jobs table', () => {
    expect(() => parseStackConfig({ ...valid, marketCriticalJobs: ['dispatcher', 'dispacher'] })).toThrow(/unknown job name\(s\) dispacher/);
    expect(() => parseStackConfig({ ...valid, jobImages: { nope: 'img' } })).toThrow(/unknown job name\(s\) nope/);
  });

  it('defaults the trading market data to synthetic, and accepts fixtures or a seed', () => {
    expect(parseStackConfig(valid)).toMatchObject({ marketDataSource: 'synthetic', marketDataSeed: undefined });
    expect(parseStackConfig({ ...valid, marketDataSource: 'fixtures' }).marketDataSource).toBe('fixtures');
    expect(parseStackConfig({ ...valid, marketDataSeed: 7 }).marketDataSeed).toBe(7);
    expect(() => parseStackConfig({ ...valid, marketDataSource: 'live' })).toThrow(/marketDataSource/);
    expect(() => parseStackConfig({ ...valid, marketDataSeed: -1 })).toThrow(/marketDataSeed/);
    expect(() => parseStackConfig({ ...valid, marketDataSource: 'fixtures', marketDataSeed: 7 })).toThrow(/marketDataSeed: only applies to marketDataSource synthetic/);
  });

  it('assumes an existing CloudTrail trail unless asked to create one', () => {
    expect(parseStackConfig(valid).changeTrail).toBe('existing');
    expect(parseStackConfig({ ...valid, changeTrail: 'create' }).changeTrail).toBe('create');
    expect(() => parseStackConfig({ ...valid, changeTrail: 'yes' })).toThrow(/changeTrail/);
  });

  it('lets config choose the market-critical jobs', () => {
    expect(parseStackConfig({ ...valid, marketCriticalJobs: ['dispatcher'] }).marketCriticalJobs).toEqual(['dispatcher']);
  });
});

describe('ecrRepositoryOf', () => {
  it('reads private ECR image URIs, tag or digest', () => {
    expect(ecrRepositoryOf('111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/ops@sha256:' + 'a'.repeat(64))).toEqual({
      registryId: '111122223333',
      region: 'eu-west-1',
      name: 'team/ops',
    });
    expect(ecrRepositoryOf('public.ecr.aws/docker/library/node:20-slim')).toBeUndefined();
  });

  it('lists each private repository once', () => {
    const a = '123456789012.dkr.ecr.us-east-1.amazonaws.com/ops:1';
    const b = '123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:2';
    expect(ecrRepositoriesOf([a, b, a.replace(':1', ':3'), 'node:20-slim']).map((r) => r.name)).toEqual(['ops', 'worker']);
  });
});

describe('jobsWithoutImplementation', () => {
  it('names the jobs whose command the project image does not know and that have no image of their own', () => {
    const all = jobsWithoutImplementation(JOBS, {}, ['dispatcher']);
    expect(all).not.toContain('dispatcher');
    expect(all).not.toContain('dispatcher-tiny');
    expect(all).toHaveLength(JOBS.length - 2);
    expect(jobsWithoutImplementation(JOBS, { classifier: 'img' }, ['dispatcher'])).not.toContain('classifier');
  });
});

describe('the jobs table', () => {
  it('is valid: unique names, parseable expressions, real timezones, explicit retries', () => {
    expect(validateJobs(JOBS)).toEqual([]);
    expect(JOBS).toHaveLength(12);
  });

  it('catches a broken row', () => {
    const broken: ScheduledJob = { ...JOBS[0]!, expression: 'cron(0 9 * * MON-FRI *)', timezone: 'America/NewYork', retry: { maximumRetryAttempts: 200, maximumEventAgeInSeconds: 10 } };
    const problems = validateJobs([JOBS[0]!, broken]);
    expect(problems.join('\n')).toMatch(/declared twice/);
    expect(problems.filter((p) => p.startsWith(`job "${broken.name}"`)).length).toBeGreaterThanOrEqual(4);
  });
});
