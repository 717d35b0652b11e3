/**
 * ARN parsing for the handful of resource types a schedule can point at. Pure string work: the
 * adapters need names (GetRole takes a role name, GetQueueUrl a queue name) and the check needs to
 * know what kind of target an ARN names without a call.
 *
 * Format: arn:partition:service:region:account-id:resource, where `resource` may itself contain
 * colons (Lambda `function:name:alias`) and slashes (IAM `role/path/name`), so only the first five
 * colons separate fields.
 */

export interface Arn {
  partition: string;
  service: string;
  /** Empty for global services (IAM) and for Scheduler universal targets. */
  region: string;
  /** Empty for AWS-owned resources such as `arn:aws:scheduler:::aws-sdk:sqs:sendMessage`. */
  account: string;
  resource: string;
}

export function parseArn(arn: string): Arn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  const resource = parts.slice(5).join(':');
  if (partition === '' || service === '' || resource === '') return undefined;
  return { partition, service, region, account, resource };
}

/** `arn:aws:ecs:us-east-1:123456789012:cluster/trading` → `trading`. */
export function ecsClusterName(arn: string): string | undefined {
  const parsed = parseArn(arn);
  if (parsed?.service !== 'ecs') return undefined;
  const match = /^cluster\/([^/]+)$/.exec(parsed.resource);
  return match?.[1];
}

/** An ECS target of EventBridge Scheduler is named by its cluster ARN. */
export function isEcsClusterArn(arn: string): boolean {
  return ecsClusterName(arn) !== undefined;
}

export interface QueueArnParts {
  name: string;
  account: string;
  region: string;
}

/**
 * `arn:aws:sqs:us-east-1:123456789012:orders.fifo` → its name, owner account and region: the parts
 * of a queue URL. The URL itself is not built here because its host differs between the legacy
 * (`queue.amazonaws.com`), current and custom-endpoint forms; GetQueueUrl returns the right one.
 */
export function sqsQueueParts(arn: string): QueueArnParts | undefined {
  const parsed = parseArn(arn);
  if (parsed?.service !== 'sqs' || parsed.account === '' || parsed.region === '') return undefined;
  if (parsed.resource.includes(':') || parsed.resource.includes('/')) return undefined;
  return { name: parsed.resource, account: parsed.account, region: parsed.region };
}

export interface RoleArnParts {
  name: string;
  /** `/` or `/service-role/` etc.: IAM paths start and end with a slash. */
  path: string;
  account: string;
}

/** `arn:aws:iam::123456789012:role/service-role/x` → name `x`, path `/service-role/`. */
export function iamRoleParts(arn: string): RoleArnParts | undefined {
  const parsed = parseArn(arn);
  if (parsed?.service !== 'iam' || !parsed.resource.startsWith('role/')) return undefined;
  const segments = parsed.resource.slice('role/'.length).split('/');
  const name = segments.pop();
  if (name === undefined || name === '' || segments.some((segment) => segment === '')) return undefined;
  const path = segments.length === 0 ? '/' : `/${segments.join('/')}/`;
  return { name, path, account: parsed.account };
}

export interface FunctionArnParts {
  name: string;
  /** A version number or alias, when the ARN is qualified. */
  qualifier?: string;
  account: string;
  region: string;
}

/** `arn:aws:lambda:us-east-1:123456789012:function:step:live` → name `step`, qualifier `live`. */
export function lambdaFunctionParts(arn: string): FunctionArnParts | undefined {
  const parsed = parseArn(arn);
  if (parsed?.service !== 'lambda') return undefined;
  const [kind, name, qualifier, ...rest] = parsed.resource.split(':');
  if (kind !== 'function' || name === undefined || name === '' || qualifier === '' || rest.length > 0) return undefined;
  return {
    name,
    ...(qualifier !== undefined ? { qualifier } : {}),
    account: parsed.account,
    region: parsed.region,
  };
}

export interface ScheduleArnParts {
  group: string;
  name: string;
  account: string;
  region: string;
}

/**
 * `arn:aws:scheduler:us-east-1:123456789012:schedule/ops-pipeline/dispatcher` → group and name.
 * Group and schedule names cannot contain `/`, so anything else (a schedule group ARN, a missing part)
 * is not a schedule ARN.
 */
export function scheduleArnParts(arn: string): ScheduleArnParts | undefined {
  const parsed = parseArn(arn);
  if (parsed?.service !== 'scheduler' || parsed.account === '' || parsed.region === '') return undefined;
  const match = /^schedule\/([0-9A-Za-z_.-]{1,64})\/([0-9A-Za-z_.-]{1,64})$/.exec(parsed.resource);
  if (match === null) return undefined;
  return { group: match[1]!, name: match[2]!, account: parsed.account, region: parsed.region };
}
