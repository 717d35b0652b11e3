/**
 * The pipeline's scheduled ECS jobs: the 12 ECS schedules of the 2026-01-29 incident report, with the
 * cadences, retry policies and flexible windows of scenarios/healthy.yaml (keep them in step: the
 * sandbox replays what this stack deploys). One task definition and one schedule per row.
 *
 * `dispatcher` is the trading dispatcher (`ops-task dispatcher`, src/trading); `dispatcher-tiny` runs
 * the same command for the tiny account. The other jobs are the pipeline's own workers; they run the
 * same image with `ops-task <job>` unless the stack overrides a job's image (config `jobImages`).
 */
import { parseExpression, validateTimezone } from '../src/schedule/index.ts';

export interface RetryPolicy {
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
}

export interface ScheduledJob {
  /** Schedule name suffix and task-definition family suffix: `<prefix>-<name>`. */
  name: string;
  description: string;
  /** Container command; the image's entrypoint is `ops-task`, so this is its argv. */
  command: readonly string[];
  environment?: Readonly<Record<string, string>>;
  /** Fargate task size: cpu units and MiB, one of Fargate's valid pairs. */
  cpu: number;
  memory: number;
  /**
   * Market-critical jobs go to the schedule group tagged `ops:market-critical=true` (Scheduler tags
   * groups, not schedules), where a missed run during NYSE hours is critical. Config
   * `marketCriticalJobs` can override this column.
   */
  marketCritical: boolean;
  /** An EventBridge Scheduler expression, evaluated in `timezone`. */
  expression: string;
  timezone: string;
  /** Absent = OFF: fire at the exact minute (1-minute jobs cannot drift into the next run). */
  flexibleWindowMinutes?: number;
  /** Explicit, never AWS's default of 185 retries over 24 hours: a stale 1-minute run is worthless. */
  retry: RetryPolicy;
}

const MARKET_TZ = 'America/New_York';
// Minutes 0-59 of the hours 09-15 ET, weekdays; NYSE holidays are the job's own business (it exits).
const EVERY_MINUTE_IN_SESSION = 'cron(0/1 9-15 ? * MON-FRI *)';
const EVERY_5_MINUTES_IN_SESSION = 'cron(0/5 9-15 ? * MON-FRI *)';

export const JOBS: readonly ScheduledJob[] = [
  // ---- market hours -------------------------------------------------------------------------------
  {
    name: 'dispatcher',
    description: 'Trading executor (1 min): starts the trading workflow',
    command: ['dispatcher'],
    environment: { ACCOUNT: 'main' },
    cpu: 256,
    memory: 512,
    marketCritical: true,
    expression: EVERY_MINUTE_IN_SESSION,
    timezone: MARKET_TZ,
    retry: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
  },
  {
    name: 'dispatcher-tiny',
    description: 'Tiny account executor (5 min)',
    command: ['dispatcher'],
    environment: { ACCOUNT: 'tiny' },
    cpu: 256,
    memory: 512,
    marketCritical: true,
    expression: EVERY_5_MINUTES_IN_SESSION,
    timezone: MARKET_TZ,
    retry: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
  },
  {
    name: 'signal-engine-1m',
    description: 'Signal generator (1 min)',
    command: ['signal-engine'],
    cpu: 256,
    memory: 512,
    marketCritical: true,
    expression: EVERY_MINUTE_IN_SESSION,
    timezone: MARKET_TZ,
    retry: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 300 },
  },
  {
    name: 'position-manager-1m',
    description: 'Position sync (1 min), until 16:59 ET to catch the close',
    command: ['position-manager', '--sync'],
    cpu: 256,
    memory: 512,
    marketCritical: true,
    expression: 'cron(0/1 9-16 ? * MON-FRI *)',
    timezone: MARKET_TZ,
    retry: { maximumRetryAttempts: 1, maximumEventAgeInSeconds: 120 },
  },
  {
    name: 'watchlist-engine-5m',
    description: 'Watchlist scoring (5 min)',
    command: ['watchlist-engine'],
    cpu: 256,
    memory: 512,
    marketCritical: true,
    expression: EVERY_5_MINUTES_IN_SESSION,
    timezone: MARKET_TZ,
    retry: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 300 },
  },
  // ---- 24x7 ---------------------------------------------------------------------------------------
  {
    name: 'telemetry-ingestor-1m',
    description: 'Price data (1 min)',
    command: ['telemetry-ingestor'],
    cpu: 256,
    memory: 512,
    marketCritical: false,
    expression: 'rate(1 minute)',
    timezone: 'UTC',
    retry: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 300 },
  },
  {
    name: 'feature-computer-1m',
    description: 'Feature computation (1 min)',
    command: ['feature-computer'],
    cpu: 256,
    memory: 512,
    marketCritical: false,
    expression: 'cron(0/1 * * * ? *)',
    timezone: 'UTC',
    retry: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
  },
  {
    name: 'classifier',
    description: 'News classification (5 min, flexible)',
    command: ['classifier'],
    cpu: 256,
    memory: 512,
    marketCritical: false,
    expression: 'rate(5 minutes)',
    timezone: 'UTC',
    flexibleWindowMinutes: 5,
    retry: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 300 },
  },
  {
    name: 'rss-ingest',
    description: 'News ingestion (15 min, flexible)',
    command: ['rss-ingest'],
    cpu: 256,
    memory: 512,
    marketCritical: false,
    expression: 'cron(0/15 * * * ? *)',
    timezone: 'UTC',
    flexibleWindowMinutes: 10,
    retry: { maximumRetryAttempts: 1, maximumEventAgeInSeconds: 900 },
  },
  {
    name: 'position-manager',
    description: 'Position monitoring (5 min)',
    command: ['position-manager', '--monitor'],
    cpu: 256,
    memory: 512,
    marketCritical: false,
    expression: 'rate(5 minutes)',
    timezone: 'UTC',
    retry: { maximumRetryAttempts: 1, maximumEventAgeInSeconds: 300 },
  },
  {
    name: 'healthcheck-5m',
    description: 'Pipeline health checks (5 min)',
    command: ['healthcheck'],
    cpu: 256,
    memory: 512,
    marketCritical: false,
    expression: 'cron(0/5 * * * ? *)',
    timezone: 'UTC',
    retry: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
  },
  {
    name: 'ticker-discovery-6h',
    description: 'Ticker discovery (6 h, flexible)',
    command: ['ticker-discovery'],
    cpu: 512,
    memory: 1024,
    marketCritical: false,
    expression: 'cron(0 0/6 * * ? *)',
    timezone: 'UTC',
    flexibleWindowMinutes: 30,
    retry: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
  },
];

/**
 * Jobs that would run the project image with a command its entry point does not know (`ops-task`
 * knows `TASKS`): those schedules start tasks that exit 2 until config `jobImages` gives them their
 * own worker image.
 */
export function jobsWithoutImplementation(jobs: readonly ScheduledJob[], jobImages: Readonly<Record<string, string>>, knownTasks: readonly string[]): string[] {
  return jobs.filter((job) => jobImages[job.name] === undefined && !knownTasks.includes(job.command[0] ?? '')).map((job) => job.name);
}

/** Checks the table itself: unique names, valid expressions and timezones (the same parser the checks use). */
export function validateJobs(jobs: readonly ScheduledJob[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const job of jobs) {
    if (seen.has(job.name)) problems.push(`job "${job.name}" is declared twice`);
    seen.add(job.name);
    if (!/^[a-z0-9-]+$/.test(job.name)) problems.push(`job "${job.name}": name must be lower-case letters, digits and dashes`);
    try {
      parseExpression(job.expression);
    } catch (error) {
      problems.push(`job "${job.name}": ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      validateTimezone(job.timezone);
    } catch (error) {
      problems.push(`job "${job.name}": ${error instanceof Error ? error.message : String(error)}`);
    }
    if (job.flexibleWindowMinutes !== undefined && !(job.flexibleWindowMinutes >= 1 && job.flexibleWindowMinutes <= 1440)) {
      problems.push(`job "${job.name}": flexibleWindowMinutes must be 1-1440`);
    }
    const { maximumRetryAttempts: attempts, maximumEventAgeInSeconds: age } = job.retry;
    if (!(Number.isInteger(attempts) && attempts >= 0 && attempts <= 185)) problems.push(`job "${job.name}": maximumRetryAttempts must be 0-185`);
    if (!(Number.isInteger(age) && age >= 60 && age <= 86_400)) problems.push(`job "${job.name}": maximumEventAgeInSeconds must be 60-86400`);
  }
  return problems;
}
