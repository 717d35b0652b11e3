/**
 * `ops healthcheck --status-bucket <bucket>`: publish the run's status page as the Lambda does with
 * STATUS_BUCKET, validated by the same rules as the Lambda's environment (src/healthcheck/config.ts).
 */
import type { Argv } from 'yargs';
import type * as z from 'zod';
import { clipText } from '../../clip-text.ts';
import { UserError } from '../../errors.ts';
import { MAX_STATUS_LINK_HOURS, s3BucketName, STATUS_PAGE_DEFAULTS, statusLinkHours, statusPrefix, statusPrefixOf, type StatusPageConfig } from '../../healthcheck/config.ts';

export interface StatusPageOptionArgs {
  statusBucket?: string;
  statusPrefix?: string;
  statusLinkHours?: number;
}

export function withStatusPageOptions(y: Argv): Argv {
  return y
    .option('status-bucket', { type: 'string', describe: 'Publish the status page to this S3 bucket and link it from the emails (default: STATUS_BUCKET)', group: 'Status page:' })
    .option('status-prefix', { type: 'string', describe: 'Key prefix before status/ (default: STATUS_PREFIX, else none)', group: 'Status page:' })
    .option('status-link-hours', { type: 'number', describe: `Hours the link works, at most ${MAX_STATUS_LINK_HOURS} (default: STATUS_LINK_HOURS, else ${STATUS_PAGE_DEFAULTS.linkHours})`, group: 'Status page:' });
}

/** The flags, else the Lambda's variables; undefined when no bucket is named. */
export function statusPageSettingsFrom(args: StatusPageOptionArgs, env: NodeJS.ProcessEnv): StatusPageConfig | undefined {
  const set = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value);
  const bucket = args.statusBucket ?? set(env.STATUS_BUCKET);
  const prefix = args.statusPrefix ?? set(env.STATUS_PREFIX);
  const hours = args.statusLinkHours ?? set(env.STATUS_LINK_HOURS);
  if (bucket === undefined) {
    if (args.statusPrefix !== undefined || args.statusLinkHours !== undefined) {
      throw new UserError('NO_STATUS_BUCKET', '--status-prefix and --status-link-hours only apply with a status bucket.', 'Pass --status-bucket <bucket> (or export STATUS_BUCKET), or drop them.');
    }
    return undefined;
  }
  return {
    bucket: valid('status-bucket', s3BucketName, bucket),
    prefix: statusPrefixOf(prefix === undefined ? undefined : valid('status-prefix', statusPrefix, prefix)),
    linkHours: hours === undefined ? STATUS_PAGE_DEFAULTS.linkHours : valid('status-link-hours', statusLinkHours, hours),
  };
}

function valid<T>(flag: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problem = parsed.error.issues[0]?.message ?? 'is not valid';
  throw new UserError('INVALID_STATUS_PAGE_OPTION', `--${flag} ${JSON.stringify(clipText(String(value)))} ${problem}.`, `Fix --${flag} (or its variable ${flag.toUpperCase().replace(/-/g, '_')}).`);
}
