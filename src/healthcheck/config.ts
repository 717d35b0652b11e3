/**
 * The healthcheck Lambda's configuration, from its environment, validated once at cold start: a bad
 * value fails the init with every problem named, instead of a run that half-works every 5 minutes.
 *
 * | Variable            | Required | Default           | Meaning                                                        |
 * |---------------------|----------|-------------------|----------------------------------------------------------------|
 * | AWS_REGION          | yes      | (set by Lambda)   | region of every client                                         |
 * | AWS_ENDPOINT_URL    | no       |                   | endpoint override (the sandbox, LocalStack)                    |
 * | ALERT_TOPIC_ARN     | yes      |                   | SNS topic the emails are published to                          |
 * | ALERT_STATE_TABLE   | yes      |                   | DynamoDB table of the alert state (dedup, reminders, recovery) |
 * | ALERT_STATE_KEY     | no       | healthcheck       | item key in that table, to share one table between stacks      |
 * | ALERT_MIN_SEVERITY  | no       | critical          | findings below this never email                                |
 * | RUN_LEDGER_TABLE    | no       |                   | run-ledger table; without it run evidence comes from ECS only   |
 * | DEFINITION_CACHE_TABLE | no    |                   | schedule-definition cache; cold starts skip unchanged GetSchedule |
 * | AUTO_FIX            | no       | false             | repair unambiguous TARGET_CLUSTER_NOT_FOUND on its own          |
 * | MAX_CHANGES         | no       | 25                | auto-fix writes nothing when it plans more changes than this   |
 * | REMEDIATION_TABLE   | if AUTO_FIX |                | DynamoDB table for auto-fix backups and audit entries          |
 * | REMINDER_HOURS      | no       | 2                 | hours between reminders while critical findings persist        |
 * | MARKET_CRITICAL     | no       |                   | comma-separated name globs of market-critical schedules        |
 * | RUNBOOK_BASE_URL    | no       |                   | prefix for runbook links in emails                             |
 * | METRICS_NAMESPACE   | no       | Ops/Healthcheck   | CloudWatch namespace of the EMF metrics                        |
 * | STATUS_BUCKET       | no       |                   | publish each run's status page here; emails link to it          |
 * | STATUS_PREFIX       | no       |                   | with STATUS_BUCKET: key prefix before `status/`                 |
 * | STATUS_LINK_HOURS   | no       | 24                | with STATUS_BUCKET: hours the emailed link works (max 168)      |
 * | STATUS_KMS_KEY_ID   | no       |                   | with STATUS_BUCKET: SSE-KMS key instead of SSE-S3               |
 *
 * Org mode (src/healthcheck/org-healthcheck.ts) is on when ORG_ACCOUNTS or ORG_DISCOVER is set: the
 * run also checks every account × region pair of the Organization through a role in each account.
 * Without either, any other ORG_* variable is refused (it would be silently ignored).
 *
 * | Variable            | Required | Default           | Meaning                                                        |
 * |---------------------|----------|-------------------|----------------------------------------------------------------|
 * | ORG_ACCOUNTS        | one of   |                   | comma-separated 12-digit account ids to check                  |
 * | ORG_DISCOVER        | these two|                   | `organization`: every ACTIVE account of the AWS Organization   |
 * | ORG_OUS             | no       |                   | with ORG_DISCOVER: only accounts under these OUs / roots       |
 * | ORG_EXCLUDE_ACCOUNTS| no       |                   | with ORG_DISCOVER: leave these account ids out                 |
 * | ORG_REGIONS         | in org mode |                | comma-separated regions checked in every account               |
 * | ORG_ROLE_NAME       | no       | ops-org-access    | role assumed in each account                                   |
 * | ORG_EXTERNAL_ID     | no       |                   | sts:ExternalId the member roles require                        |
 * | ORG_CONCURRENCY     | no       | 8                 | account × region pairs checked at once (1-64)                  |
 */
import * as z from 'zod';
import { Severity } from '../checks/finding.ts';
import { UserError } from '../errors.ts';
import { DEFAULT_METRICS_NAMESPACE } from './metric-contract.ts';
import { ORG_DEFAULTS } from '../org/org-check.ts';
import { ACCOUNT_ID, DEFAULT_ORG_ROLE } from '../org/targets.ts';
import { HEALTHCHECK_DEFAULTS } from './run-healthcheck.ts';

/** What every function that emails through the alert policy is configured with (alertingConfig). */
export interface AlertingConfig {
  region: string;
  endpoint?: string;
  alertTopicArn: string;
  alertStateTable: string;
  alertStateKey: string;
  alertMinSeverity: Severity;
  runbookBaseUrl?: string;
  metricsNamespace: string;
}

export interface HealthcheckConfig extends AlertingConfig {
  runLedgerTable?: string;
  definitionCacheTable?: string;
  autoFix: boolean;
  maxChanges: number;
  remediationTable?: string;
  reminderHours: number;
  marketCritical: string[];
  /** Org mode: set when ORG_ACCOUNTS or ORG_DISCOVER is. */
  org?: OrgModeConfig;
  /** Set when STATUS_BUCKET is: each run's status page goes there (src/healthcheck/status-page.ts). */
  statusPage?: StatusPageConfig;
}

/** Where the status page is published and how long the emailed link works. */
export interface StatusPageConfig {
  bucket: string;
  /** `''` or ending in `/`. */
  prefix: string;
  linkHours: number;
  kmsKeyId?: string;
}

export const STATUS_PAGE_DEFAULTS = { linkHours: 24 } as const;
/** A presigned URL (SigV4) lives at most 7 days. */
export const MAX_STATUS_LINK_HOURS = 7 * 24;

/** What S3 accepts as a (general purpose) bucket name. */
export const s3BucketName = z.string().regex(/^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3-63 of a-z 0-9 . -, starting and ending with a letter or digit)');
/** Key characters that need no escaping; no leading `/` (it would make an empty first path segment). */
export const statusPrefix = z.string().regex(/^(?!\/)[A-Za-z0-9!_.*'()/-]{1,512}$/, "must be an S3 key prefix (letters, digits and !_.*'()/-, not starting with /)");
export const statusLinkHours = z.coerce.number().min(0.25, 'must be at least 0.25 (15 minutes)').max(MAX_STATUS_LINK_HOURS, `must be at most ${MAX_STATUS_LINK_HOURS} (7 days, the longest a presigned link lives)`);
const STATUS_ONLY = ['STATUS_PREFIX', 'STATUS_LINK_HOURS', 'STATUS_KMS_KEY_ID'] as const;

/** Which accounts × regions an org-mode run checks, and how it enters them. */
export interface OrgModeConfig {
  roleName: string;
  regions: string[];
  accounts: { kind: 'listed'; ids: string[] } | { kind: 'discover'; ous: string[]; exclude: string[] };
  externalId?: string;
  /** Account × region pairs checked at once. */
  concurrency: number;
}

// Infrastructure often sets a variable to "" rather than leaving it out: both mean "not set".
// The pieces are shared with the dead-letter consumer's config (dead-letter-config.ts).
export const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());
export const tableName = z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)');
export const snsTopicArn = z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)');

/** What every function that emails through the alert policy reads: where, which state, which topic, how loud. */
export const alertingEnv = {
  AWS_REGION: z.string().min(1, 'must be set (Lambda sets it)'),
  AWS_ENDPOINT_URL: optional(z.url()),
  ALERT_TOPIC_ARN: snsTopicArn,
  ALERT_STATE_TABLE: tableName,
  ALERT_STATE_KEY: optional(z.string().min(1)),
  ALERT_MIN_SEVERITY: optional(z.enum([Severity.critical, Severity.warning])),
  RUNBOOK_BASE_URL: optional(z.url()),
  METRICS_NAMESPACE: optional(z.string().regex(/^[A-Za-z0-9._/#:-]{1,255}$/, 'must be a CloudWatch namespace').refine((v) => !v.startsWith('AWS/'), 'must not start with AWS/')),
} as const;

type AlertingEnv = z.infer<z.ZodObject<typeof alertingEnv>>;

export function alertingConfig(e: AlertingEnv): AlertingConfig {
  return {
    region: e.AWS_REGION,
    ...(e.AWS_ENDPOINT_URL !== undefined ? { endpoint: e.AWS_ENDPOINT_URL } : {}),
    alertTopicArn: e.ALERT_TOPIC_ARN,
    alertStateTable: e.ALERT_STATE_TABLE,
    alertStateKey: e.ALERT_STATE_KEY ?? 'healthcheck',
    alertMinSeverity: e.ALERT_MIN_SEVERITY ?? HEALTHCHECK_DEFAULTS.alertMinSeverity,
    ...(e.RUNBOOK_BASE_URL !== undefined ? { runbookBaseUrl: e.RUNBOOK_BASE_URL } : {}),
    metricsNamespace: e.METRICS_NAMESPACE ?? DEFAULT_METRICS_NAMESPACE,
  };
}

/** A comma-separated list: trimmed, empty entries dropped, duplicates removed; each entry must match. */
const commaList = (what: string, pattern: RegExp) =>
  z.string().transform((value, ctx) => {
    const items = [...new Set(value.split(',').map((v) => v.trim()).filter((v) => v !== ''))];
    const bad = items.filter((item) => !pattern.test(item));
    if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `must list ${what}: ${bad.map((b) => JSON.stringify(b)).join(', ')} ${bad.length === 1 ? 'is not one' : 'are not'}` });
    else if (items.length === 0) ctx.addIssue({ code: 'custom', message: `must list at least one of ${what}` });
    return items;
  });

const ORG_ONLY = ['ORG_ROLE_NAME', 'ORG_REGIONS', 'ORG_OUS', 'ORG_EXCLUDE_ACCOUNTS', 'ORG_EXTERNAL_ID', 'ORG_CONCURRENCY'] as const;

const orgEnv = {
  ORG_ACCOUNTS: optional(commaList('12-digit account ids', ACCOUNT_ID)),
  ORG_DISCOVER: optional(z.enum(['organization'], { error: 'must be "organization" (every ACTIVE account of the AWS Organization)' })),
  ORG_OUS: optional(commaList('OU ids (ou-xxxx-xxxxxxxx) or root ids (r-xxxx)', /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/)),
  ORG_EXCLUDE_ACCOUNTS: optional(commaList('12-digit account ids', ACCOUNT_ID)),
  ORG_REGIONS: optional(commaList('region names (us-east-1)', /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/)),
  ORG_ROLE_NAME: optional(z.string().regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name (1-64 of letters, digits and +=,.@_-)')),
  ORG_EXTERNAL_ID: optional(z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be an STS external id (2-1224 of letters, digits and +=,.@:/_-)')),
  ORG_CONCURRENCY: optional(z.coerce.number().int().min(1).max(64)),
} as const;

/**
 * How the ORG_* variables combine, judged from what is set (not from whether each value parses), so a
 * bad combination and a bad value are named in the same message.
 */
export function orgCombinationProblems(env: Record<string, string | undefined>): string[] {
  const isSet = (name: string) => (env[name] ?? '').trim() !== '';
  const listed = isSet('ORG_ACCOUNTS');
  const discover = isSet('ORG_DISCOVER');
  const problems: string[] = [];
  if (!listed && !discover) {
    const stray = ORG_ONLY.filter(isSet);
    if (stray.length > 0) problems.push(`${stray.join(', ')} only ${stray.length === 1 ? 'applies' : 'apply'} in org mode: set ORG_ACCOUNTS (account ids) or ORG_DISCOVER=organization, or unset ${stray.length === 1 ? 'it' : 'them'}`);
    return problems;
  }
  if (listed && discover) problems.push('ORG_ACCOUNTS and ORG_DISCOVER both choose the accounts: set one');
  if (!isSet('ORG_REGIONS')) problems.push('ORG_REGIONS must be set in org mode (the regions to check in every account, comma-separated)');
  if (!discover) {
    for (const name of ['ORG_OUS', 'ORG_EXCLUDE_ACCOUNTS'] as const) {
      if (isSet(name)) problems.push(`${name} only applies with ORG_DISCOVER=organization${name === 'ORG_EXCLUDE_ACCOUNTS' ? ' (list fewer ORG_ACCOUNTS instead)' : ''}`);
    }
  }
  return problems;
}

const envSchema = z
  .object({
    ...orgEnv,
    ...alertingEnv,
    RUN_LEDGER_TABLE: optional(tableName),
    DEFINITION_CACHE_TABLE: optional(tableName),
    AUTO_FIX: optional(z.enum(['true', 'false'], { error: 'must be true or false' })),
    MAX_CHANGES: optional(z.coerce.number().int().min(1).max(1000)),
    REMEDIATION_TABLE: optional(tableName),
    REMINDER_HOURS: optional(z.coerce.number().positive().max(24 * 7)),
    MARKET_CRITICAL: optional(z.string()),
    STATUS_BUCKET: optional(s3BucketName),
    STATUS_PREFIX: optional(statusPrefix),
    STATUS_LINK_HOURS: optional(statusLinkHours),
    STATUS_KMS_KEY_ID: optional(z.string().regex(/^[\w:/+=,.@-]{1,2048}$/, 'must be a KMS key id, alias or ARN')),
  })
  .superRefine((env, ctx) => {
    if (env.STATUS_BUCKET === undefined) {
      // Set without the bucket they would be silently ignored.
      for (const name of STATUS_ONLY) if (env[name] !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'only applies with STATUS_BUCKET' });
    }
    if (env.AUTO_FIX === 'true' && env.REMEDIATION_TABLE === undefined) {
      ctx.addIssue({ code: 'custom', path: ['REMEDIATION_TABLE'], message: 'must be set when AUTO_FIX=true (backups and audit entries of every change go there)' });
    }
  });

export function loadHealthcheckConfig(env: Record<string, string | undefined>): HealthcheckConfig {
  const parsed = envSchema.safeParse(env);
  const combination = orgCombinationProblems(env);
  if (!parsed.success || combination.length > 0) {
    const problems = [...(parsed.success ? [] : envProblems(parsed.error, env)), ...combination];
    throw new UserError(
      'INVALID_HEALTHCHECK_CONFIG',
      `The healthcheck configuration is invalid: ${problems.join('; ')}.`,
      'Fix the Lambda environment variables (see src/healthcheck/config.ts) and redeploy.',
    );
  }
  const e = parsed.data;
  return {
    ...alertingConfig(e),
    ...(e.RUN_LEDGER_TABLE !== undefined ? { runLedgerTable: e.RUN_LEDGER_TABLE } : {}),
    ...(e.DEFINITION_CACHE_TABLE !== undefined ? { definitionCacheTable: e.DEFINITION_CACHE_TABLE } : {}),
    autoFix: e.AUTO_FIX === 'true',
    maxChanges: e.MAX_CHANGES ?? HEALTHCHECK_DEFAULTS.maxChanges,
    ...(e.REMEDIATION_TABLE !== undefined ? { remediationTable: e.REMEDIATION_TABLE } : {}),
    reminderHours: e.REMINDER_HOURS ?? HEALTHCHECK_DEFAULTS.reminderHours,
    marketCritical: (e.MARKET_CRITICAL ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
    ...(e.ORG_ACCOUNTS !== undefined || e.ORG_DISCOVER !== undefined ? { org: orgModeConfig(e) } : {}),
    ...(e.STATUS_BUCKET !== undefined
      ? {
          statusPage: {
            bucket: e.STATUS_BUCKET,
            prefix: statusPrefixOf(e.STATUS_PREFIX),
            linkHours: e.STATUS_LINK_HOURS ?? STATUS_PAGE_DEFAULTS.linkHours,
            ...(e.STATUS_KMS_KEY_ID !== undefined ? { kmsKeyId: e.STATUS_KMS_KEY_ID } : {}),
          },
        }
      : {}),
  };
}

/** `''`, or the prefix with one trailing `/`. */
export function statusPrefixOf(prefix: string | undefined): string {
  return prefix === undefined || prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`;
}

function orgModeConfig(e: z.infer<typeof envSchema>): OrgModeConfig {
  return {
    roleName: e.ORG_ROLE_NAME ?? DEFAULT_ORG_ROLE,
    // orgCombinationProblems refused org mode without regions.
    regions: e.ORG_REGIONS ?? [],
    accounts: e.ORG_ACCOUNTS !== undefined ? { kind: 'listed', ids: e.ORG_ACCOUNTS } : { kind: 'discover', ous: e.ORG_OUS ?? [], exclude: e.ORG_EXCLUDE_ACCOUNTS ?? [] },
    ...(e.ORG_EXTERNAL_ID !== undefined ? { externalId: e.ORG_EXTERNAL_ID } : {}),
    concurrency: e.ORG_CONCURRENCY ?? ORG_DEFAULTS.pairConcurrency,
  };
}

/** Each problem as `<VARIABLE> <what is wrong>`; an unset variable reads "must be set", not a type error. */
export function envProblems(error: z.ZodError, env: Record<string, string | undefined>): string[] {
  return error.issues.map((i) => {
    const name = i.path.join('.') || '(environment)';
    const unset = i.code === 'invalid_type' && typeof i.path[0] === 'string' && (env[i.path[0]] ?? '').trim() === '';
    return `${name} ${unset ? 'must be set' : i.message}`;
  });
}
