/**
 * The clients an org-wide command starts from: the caller's own (Organizations, STS, and the state
 * tables and topic in the caller's region) and the per-account ones behind one credential cache,
 * every call counted. The caller's region is --region, else AWS_REGION, else the first region checked.
 */
import { roleSessionName } from '../../aws/assumed-role.ts';
import { createCallCounter, type CallCounter } from '../../aws/call-counter.ts';
import { createAwsClients, type AwsClients } from '../../aws/clients.ts';
import type { TargetSpec } from '../../org/targets.ts';
import { createOrgClients, type OrgClients } from '../wiring/org-clients.ts';
import { awsSettingsFrom, type AwsOptionArgs } from './aws-options.ts';
import type { CliContext } from './context.ts';
import { operatorOf } from './org-options.ts';

export interface OrgSession {
  central: AwsClients;
  org: OrgClients;
  counter: CallCounter;
}

export function openOrgSession(args: AwsOptionArgs & { externalId?: string }, ctx: CliContext, regions: TargetSpec['regions']): OrgSession {
  const aws = awsSettingsFrom(args);
  const centralRegion = aws.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION ?? (regions === 'all' ? undefined : regions[0]);
  const central = createAwsClients({ ...aws, ...(centralRegion !== undefined ? { region: centralRegion } : {}) }, ctx.env);
  const counter = createCallCounter();
  for (const client of [central.organizations, central.sts, central.ec2, central.sns, central.dynamodb]) counter.attach(client);
  const org = createOrgClients(central, {
    aws: { ...aws, region: central.config.region },
    env: ctx.env,
    clock: ctx.now,
    sessionName: roleSessionName('ops', operatorOf(ctx.env)),
    ...(args.externalId !== undefined ? { externalId: args.externalId } : {}),
    counter,
  });
  return { central, org, counter };
}
