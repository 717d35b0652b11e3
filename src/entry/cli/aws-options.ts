import type { Argv } from 'yargs';
import type { AwsSettings } from '../../aws/client-config.ts';

export interface AwsOptionArgs {
  region?: string;
  profile?: string;
  endpoint?: string;
}

/** --region, --profile, --endpoint: the same three on every command that talks to AWS. */
export function withAwsOptions(y: Argv): Argv {
  return y
    .option('region', { type: 'string', describe: 'AWS region (default: AWS_REGION)', group: 'AWS:' })
    .option('profile', { type: 'string', describe: 'Named profile from ~/.aws/config (default: the credentials chain)', group: 'AWS:' })
    .option('endpoint', { type: 'string', describe: 'Endpoint URL for every AWS API, e.g. the sandbox (default: AWS_ENDPOINT_URL)', group: 'AWS:' });
}

export function awsSettingsFrom(args: AwsOptionArgs): AwsSettings {
  return { region: args.region, profile: args.profile, endpoint: args.endpoint };
}

/** The run-ledger table: --ledger-table, else RUN_LEDGER_TABLE (what the deployed stack exports), else the default. */
export function ledgerTableOf(args: { ledgerTable?: string }, env: NodeJS.ProcessEnv): string {
  return args.ledgerTable ?? env.RUN_LEDGER_TABLE ?? DEFAULT_LEDGER_TABLE;
}

export const DEFAULT_LEDGER_TABLE = 'ops-run-ledger';

/** --definition-cache-table, else OPS_DEFINITION_CACHE_TABLE; no default: without a table, no shared cache. */
export function definitionTableOf(args: { definitionCacheTable?: string }, env: NodeJS.ProcessEnv): string | undefined {
  const name = args.definitionCacheTable ?? env.OPS_DEFINITION_CACHE_TABLE;
  return name === undefined || name.trim() === '' ? undefined : name;
}

export const DEFINITION_CACHE_TABLE_DESCRIPTION =
  'DynamoDB table of schedule definitions by ARN + LastModificationDate, so unchanged schedules need no GetSchedule (default: OPS_DEFINITION_CACHE_TABLE, else none)';
