/**
 * The stack's configuration, read once and validated as a whole, so `pulumi up` fails before creating
 * anything and names every bad key at once. Keys are documented in Pulumi.example.yaml.
 */
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { DEFAULT_METRICS_NAMESPACE } from '../src/healthcheck/metric-contract.ts';
import { HEALTHCHECK_DEFAULTS } from '../src/healthcheck/run-healthcheck.ts';
import { DEFAULT_MARKET_DATA_SOURCE, MARKET_DATA_SOURCES, type MarketDataSourceName } from '../src/trading/adapters/market-data-source.ts';
import { JOBS, validateJobs, type ScheduledJob } from './jobs.ts';

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export interface EcrRepository {
  registryId: string;
  region: string;
  name: string;
}

export interface StackConfig {
  /** Resource name prefix: cluster `<prefix>-cluster`, groups `<prefix>-market` and `<prefix>`. */
  namePrefix: string;
  imageUri: string;
  /** The private ECR repositories of imageUri and jobImages: the execution role may pull from these only. */
  imageRepositories: EcrRepository[];
  /** Per-job image overrides (job name → image URI), for pipeline workers built elsewhere. */
  jobImages: Record<string, string>;
  subnetIds: string[];
  securityGroupIds: string[];
  assignPublicIp: boolean;
  alertEmails: string[];
  /** Who gets the trading workflow's outcome emails (the notification topic). */
  tradingEmails: string[];
  /**
   * The trading Lambdas' market data: synthetic (default; a close for every NYSE session, works on any
   * day) or fixtures (the CSVs, shipped in the archives; they end 2026-11-20).
   */
  marketDataSource: MarketDataSourceName;
  /** The synthetic market's global seed (MARKET_DATA_SEED); absent: the source's default, 0. */
  marketDataSeed: number | undefined;
  /**
   * The trading Lambdas' broker: paper (default; the paper-broker table) or alpaca (keys in a Secrets
   * Manager secret: `alpacaSecretArn`, or one the stack creates without a value).
   */
  broker: 'paper' | 'alpaca';
  alpacaSecretArn: string | undefined;
  /** Alpaca's Trading API (default its paper endpoint; live trading has to be asked for by URL). */
  alpacaBaseUrl: string | undefined;
  autoFix: boolean;
  maxChanges: number;
  /** Job names whose schedules go to the market-critical group. */
  marketCriticalJobs: string[];
  logRetentionDays: number;
  reminderHours: number;
  /** Prefix of the runbook links in alarm descriptions and alerts; the repository path is appended. */
  runbookBaseUrl: string | undefined;
  metricsNamespace: string;
  /**
   * The CloudTrail trail change-driven checks need: `existing` (default; the account has an
   * organization or account trail) or `create` (the stack adds a single-region, write-only management
   * trail with its own bucket: infra/change-trail.ts).
   */
  changeTrail: 'create' | 'existing';
  jobs: readonly ScheduledJob[];
}

const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+)(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$/;

export function ecrRepositoryOf(imageUri: string): EcrRepository | undefined {
  const match = ECR_IMAGE.exec(imageUri);
  if (!match) return undefined;
  const [, registryId = '', region = '', name = ''] = match;
  return { registryId, region, name };
}

/** Each private ECR repository once, in first-seen order; public images need no permission. */
export function ecrRepositoriesOf(images: readonly string[]): EcrRepository[] {
  const seen = new Map<string, EcrRepository>();
  for (const image of images) {
    const repository = ecrRepositoryOf(image);
    if (repository !== undefined) seen.set(`${repository.registryId}/${repository.region}/${repository.name}`, repository);
  }
  return [...seen.values()];
}

const nonEmpty = z.string().trim().min(1);

const schema = z.object({
  namePrefix: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,30}$/, 'lower-case letters, digits and dashes, 2-31 characters, starting with a letter')
    .default('ops-pipeline'),
  imageUri: nonEmpty,
  jobImages: z.record(z.string(), nonEmpty).default({}),
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, 'a subnet id (subnet-…)')).min(1),
  securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/, 'a security group id (sg-…)')).min(1),
  assignPublicIp: z.boolean().default(false),
  alertEmails: z.array(z.email()).default([]),
  tradingEmails: z.array(z.email()).default([]),
  marketDataSource: z.enum(MARKET_DATA_SOURCES).default(DEFAULT_MARKET_DATA_SOURCE),
  marketDataSeed: z.int().min(0).max(0xffff_ffff).optional(),
  broker: z.enum(['paper', 'alpaca']).default('paper'),
  alpacaSecretArn: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'a Secrets Manager secret ARN (arn:aws:secretsmanager:…:secret:…)').optional(),
  alpacaBaseUrl: z.url().optional(),
  autoFix: z.boolean().default(false),
  maxChanges: z.int().min(1).max(1000).default(HEALTHCHECK_DEFAULTS.maxChanges),
  marketCriticalJobs: z.array(nonEmpty).optional(),
  logRetentionDays: z
    .int()
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), `one of ${LOG_RETENTION_DAYS.join(', ')}`)
    .default(30),
  reminderHours: z.number().positive().max(168).default(HEALTHCHECK_DEFAULTS.reminderHours),
  runbookBaseUrl: z.url().optional(),
  metricsNamespace: nonEmpty.default(DEFAULT_METRICS_NAMESPACE),
  changeTrail: z.enum(['create', 'existing']).default('existing'),
});

type RawConfig = z.input<typeof schema>;

/** Keys whose values are JSON (lists, booleans, numbers, maps); the rest are plain strings. */
const STRUCTURED_KEYS = [
  'jobImages',
  'subnetIds',
  'securityGroupIds',
  'assignPublicIp',
  'alertEmails',
  'tradingEmails',
  'marketDataSeed',
  'autoFix',
  'maxChanges',
  'marketCriticalJobs',
  'logRetentionDays',
  'reminderHours',
] as const satisfies readonly (keyof RawConfig)[];
const STRING_KEYS = ['namePrefix', 'imageUri', 'runbookBaseUrl', 'metricsNamespace', 'marketDataSource', 'broker', 'alpacaSecretArn', 'alpacaBaseUrl', 'changeTrail'] as const satisfies readonly (keyof RawConfig)[];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates raw values (as `pulumi config` holds them, JSON already parsed) into the stack's config. */
export function parseStackConfig(raw: Record<string, unknown>, jobs: readonly ScheduledJob[] = JOBS): StackConfig {
  const parsed = schema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(config)'}: ${issue.message}`);
  problems.push(...validateJobs(jobs));
  if (!parsed.success || problems.length > 0) throw configError(problems);

  const value = parsed.data;
  const known = new Set(jobs.map((job) => job.name));
  const unknownJobs = [...(value.marketCriticalJobs ?? []), ...Object.keys(value.jobImages)].filter((name) => !known.has(name));
  if (unknownJobs.length > 0) throw configError([`unknown job name(s) ${unknownJobs.join(', ')}; the jobs are ${[...known].join(', ')}`]);

  if (value.marketDataSeed !== undefined && value.marketDataSource !== 'synthetic') {
    throw configError([`marketDataSeed: only applies to marketDataSource synthetic, not ${value.marketDataSource}`]);
  }

  if (value.broker !== 'alpaca' && (value.alpacaSecretArn !== undefined || value.alpacaBaseUrl !== undefined)) {
    throw configError([`alpacaSecretArn / alpacaBaseUrl: only apply to broker alpaca, not ${value.broker}`]);
  }

  return {
    ...value,
    marketDataSeed: value.marketDataSeed,
    alpacaSecretArn: value.alpacaSecretArn,
    alpacaBaseUrl: value.alpacaBaseUrl,
    runbookBaseUrl: value.runbookBaseUrl?.replace(/\/+$/, ''),
    imageRepositories: ecrRepositoriesOf([value.imageUri, ...Object.values(value.jobImages)]),
    marketCriticalJobs: value.marketCriticalJobs ?? jobs.filter((job) => job.marketCritical).map((job) => job.name),
    jobs,
  };
}

function configError(problems: readonly string[]): ConfigError {
  return new ConfigError(`Invalid stack configuration:\n  - ${problems.join('\n  - ')}\nSee Pulumi.example.yaml for every key.`);
}

/** Reads the project's config namespace; call once, from the program's entry point. */
export function loadStackConfig(config: pulumi.Config = new pulumi.Config()): StackConfig {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of STRING_KEYS) {
    const value = config.get(key);
    if (value !== undefined) raw[key] = value;
  }
  for (const key of STRUCTURED_KEYS) {
    try {
      const value = config.getObject<unknown>(key);
      if (value !== undefined) raw[key] = value;
    } catch {
      problems.push(`${key}: not valid JSON (lists look like ["a","b"], set them with --path or as JSON)`);
    }
  }
  if (problems.length > 0) throw configError(problems);
  return parseStackConfig(raw);
}
