/**
 * The stack's configuration, read once and validated as a whole, so `pulumi up` fails before creating
 * anything and names every bad key at once. Keys are documented in Pulumi.example.yaml.
 */
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { DEFAULT_METRICS_NAMESPACE } from '../src/healthcheck/metric-contract.ts';
import { HEALTHCHECK_DEFAULTS } from '../src/healthcheck/run-healthcheck.ts';
import { ORG_DEFAULTS } from '../src/org/org-check.ts';
import { DEFAULT_ORG_ROLE } from '../src/org/targets.ts';
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
  /**
   * Config `statusPage: true`: a private bucket for the healthcheck's status page, whose presigned
   * link every alert email carries (infra/status-page.ts). Default false: nothing is created.
   */
  statusPage: boolean;
  /** Org-wide checks (config `org`): the healthcheck also checks these member accounts × regions. */
  org: OrgConfig | undefined;
  jobs: readonly ScheduledJob[];
}

/**
 * The role each member account's stack creates (config `memberOf.roleName`) and the central one assumes
 * (`org.roleName`): the runtime's default, so the CLI's `--org` runs and both stacks agree.
 */
export const ORG_ACCESS_ROLE_NAME = DEFAULT_ORG_ROLE;

/** Config `org` of a central stack: which accounts and regions the healthcheck checks, through which role. */
export interface OrgConfig {
  roleName: string;
  externalId: string | undefined;
  /** `listed`: exactly these accounts; `discover`: AWS Organizations ListAccounts (or the accounts of `ous`) at run time. */
  accounts: { kind: 'listed'; ids: string[] } | { kind: 'discover'; ous: string[]; excludeAccounts: string[] };
  regions: string[];
  /** Account × region pairs checked at once. */
  concurrency: number;
}

/** Config `memberOf` of a member stack: the program then deploys only the org access role (infra/components/org-member-access.ts). */
export interface MemberConfig {
  /** The central healthcheck role (its stack output `healthcheckRoleArn`) and any operator roles. */
  centralPrincipalArns: string[];
  roleName: string;
  externalId: string | undefined;
  autoFix: boolean;
  /** Name of this account's run-ledger table, which the checks may read. */
  runLedgerTable: string | undefined;
  /** autoFix only: the schedule groups auto-fix may write to in this account (every region). */
  fixScheduleGroups: string[];
  /** autoFix only: the names of those schedules' execution roles, which UpdateSchedule passes again. */
  fixSchedulerRoles: string[];
}

export type ProgramConfig = { kind: 'central'; stack: StackConfig } | { kind: 'member'; member: MemberConfig };

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

const accountId = z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id');
const iamRoleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name (1-64 letters, digits and +=,.@_-)');
/** What STS accepts as ExternalId. It is not a secret: it tells member roles apart from other trusts of the same principal. */
const externalId = z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'an STS external id (2-1224 letters, digits and +=,.@:/_-)');
const regionName = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'an AWS region (us-east-1)');
/** An OU, or a root for the accounts directly under it (as the CLI's `--ou` takes them). */
const ouId = z.string().regex(/^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/, 'an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)');
const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'an IAM role ARN (arn:aws:iam::<account>:role/<name>)');
const tableName = z.string().regex(/^[\w.-]{3,255}$/, 'a DynamoDB table name (3-255 letters, digits and _.-)');
const scheduleGroupName = z.string().regex(/^[\w.-]{1,64}$/, 'a schedule group name (1-64 letters, digits and _.-)');

/** A list whose entries must differ: a repeated account or region is a typo, not an instruction. */
const distinct = <T extends z.ZodType<string>>(item: T) =>
  z.array(item).refine((values) => new Set(values).size === values.length, { message: 'lists an entry twice' });

const orgSchema = z
  .strictObject({
    roleName: iamRoleName.default(ORG_ACCESS_ROLE_NAME),
    externalId: externalId.optional(),
    accounts: distinct(accountId).min(1, 'at least one account').optional(),
    discover: z.boolean().optional(),
    ous: distinct(ouId).min(1).optional(),
    excludeAccounts: distinct(accountId).optional(),
    regions: distinct(regionName).min(1, 'at least one region'),
    concurrency: z.int().min(1).max(64).default(ORG_DEFAULTS.pairConcurrency),
  })
  .superRefine((org, ctx) => {
    const discover = org.discover === true;
    if ((org.accounts !== undefined) === discover) {
      ctx.addIssue({ code: 'custom', path: ['accounts'], message: 'give exactly one of accounts (a list of account ids) or discover: true (AWS Organizations)' });
    }
    if (!discover && org.ous !== undefined) ctx.addIssue({ code: 'custom', path: ['ous'], message: 'only applies with discover: true' });
    if (!discover && org.excludeAccounts !== undefined) ctx.addIssue({ code: 'custom', path: ['excludeAccounts'], message: 'only applies with discover: true (list fewer accounts instead)' });
  })
  .transform(
    (org): OrgConfig => ({
      roleName: org.roleName,
      externalId: org.externalId,
      accounts: org.accounts !== undefined ? { kind: 'listed', ids: org.accounts } : { kind: 'discover', ous: org.ous ?? [], excludeAccounts: org.excludeAccounts ?? [] },
      regions: org.regions,
      concurrency: org.concurrency,
    }),
  );

const memberSchema = z
  .strictObject({
    centralPrincipalArns: distinct(roleArn).min(1, 'at least the central healthcheck role ARN (stack output healthcheckRoleArn)'),
    roleName: iamRoleName.default(ORG_ACCESS_ROLE_NAME),
    externalId: externalId.optional(),
    autoFix: z.boolean().default(false),
    runLedgerTable: tableName.optional(),
    fixScheduleGroups: distinct(scheduleGroupName).min(1).optional(),
    fixSchedulerRoles: distinct(iamRoleName).min(1).optional(),
  })
  .superRefine((member, ctx) => {
    for (const key of ['fixScheduleGroups', 'fixSchedulerRoles'] as const) {
      if (member.autoFix && member[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'required with autoFix: true (auto-fix writes only there)' });
      if (!member.autoFix && member[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'only applies with autoFix: true' });
    }
  })
  .transform(
    (member): MemberConfig => ({
      ...member,
      externalId: member.externalId,
      runLedgerTable: member.runLedgerTable,
      fixScheduleGroups: member.fixScheduleGroups ?? [],
      fixSchedulerRoles: member.fixSchedulerRoles ?? [],
    }),
  );

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
  statusPage: z.boolean().default(false),
  org: orgSchema.optional(),
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
  'statusPage',
  'org',
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
    org: value.org,
    marketDataSeed: value.marketDataSeed,
    alpacaSecretArn: value.alpacaSecretArn,
    alpacaBaseUrl: value.alpacaBaseUrl,
    runbookBaseUrl: value.runbookBaseUrl?.replace(/\/+$/, ''),
    imageRepositories: ecrRepositoriesOf([value.imageUri, ...Object.values(value.jobImages)]),
    marketCriticalJobs: value.marketCriticalJobs ?? jobs.filter((job) => job.marketCritical).map((job) => job.name),
    jobs,
  };
}

const issuesOf = (error: z.ZodError, prefix: string) => error.issues.map((issue) => `${[prefix, ...issue.path.map(String)].join('.')}: ${issue.message}`);

/**
 * Validates config `memberOf` of a member stack. `otherKeys` are the project's other keys the stack
 * sets: a member stack has none, so `memberOf` added to a central stack by mistake fails instead of
 * replacing the whole central stack with one role.
 */
export function parseMemberConfig(memberOf: unknown, otherKeys: readonly string[] = []): MemberConfig {
  const parsed = memberSchema.safeParse(memberOf);
  const problems = parsed.success ? [] : issuesOf(parsed.error, 'memberOf');
  if (otherKeys.length > 0) {
    problems.push(`memberOf: a member stack deploys only the org access role, so ${otherKeys.join(', ')} cannot be set with it (a central stack must not set memberOf)`);
  }
  if (!parsed.success || problems.length > 0) throw configError(problems);
  return parsed.data;
}

function configError(problems: readonly string[]): ConfigError {
  return new ConfigError(`Invalid stack configuration:\n  - ${problems.join('\n  - ')}\nSee Pulumi.example.yaml for every key.`);
}

function readObject(config: pulumi.Config, key: string, problems: string[]): unknown {
  try {
    return config.getObject<unknown>(key);
  } catch {
    problems.push(`${key}: not valid JSON (lists look like ["a","b"], set them with --path or as JSON)`);
    return undefined;
  }
}

function readRawConfig(config: pulumi.Config, problems: string[]): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const key of STRING_KEYS) {
    const value = config.get(key);
    if (value !== undefined) raw[key] = value;
  }
  for (const key of STRUCTURED_KEYS) {
    const value = readObject(config, key, problems);
    if (value !== undefined) raw[key] = value;
  }
  return raw;
}

/** Reads the project's config namespace; call once, from the program's entry point. */
export function loadStackConfig(config: pulumi.Config = new pulumi.Config()): StackConfig {
  const problems: string[] = [];
  const raw = readRawConfig(config, problems);
  if (problems.length > 0) throw configError(problems);
  return parseStackConfig(raw);
}

/** Which program the stack runs: a member stack (config `memberOf`) or the central one (everything else). */
export function loadProgramConfig(config: pulumi.Config = new pulumi.Config()): ProgramConfig {
  const problems: string[] = [];
  const memberOf = readObject(config, 'memberOf', problems);
  if (problems.length > 0) throw configError(problems);
  if (memberOf === undefined) return { kind: 'central', stack: loadStackConfig(config) };
  const raw = readRawConfig(config, problems);
  if (problems.length > 0) throw configError(problems);
  return { kind: 'member', member: parseMemberConfig(memberOf, Object.keys(raw)) };
}
