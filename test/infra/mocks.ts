/**
 * Pulumi mocks that record every resource the program registers. ARNs are built from each resource's
 * own name so a test can trace any ARN back to the resource it names: the generic shape is
 * `arn:aws:<service>:us-east-1:123456789012:<type>/<name>`, and the services whose consumers parse
 * ARNs get AWS's real shape (an SNS topic ARN has no `/`, the healthcheck's config rejects one that
 * does; task definitions carry a revision, so `arnWithoutRevision` differs from `arn` as in AWS).
 */
import type * as pulumi from '@pulumi/pulumi';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

export interface RecordedResource {
  type: string;
  /** Logical (Pulumi) name. */
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
}

export interface RecordedCall {
  token: string;
  inputs: Record<string, unknown>;
  result: Record<string, unknown>;
}

type Inputs = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** `aws:ecs/taskDefinition:TaskDefinition` → { service: 'ecs', kind: 'taskDefinition' }. */
function tokenParts(type: string): { service: string; kind: string } {
  const [, module = '', kind = ''] = type.split(':');
  const service = module.split('/')[0] ?? module;
  return { service, kind: kind.charAt(0).toLowerCase() + kind.slice(1) };
}

function physicalName(logical: string, inputs: Inputs): string {
  return str(inputs.name) ?? str(inputs.family) ?? str(inputs.dashboardName) ?? logical;
}

/** The state AWS would report for a new resource, on top of its inputs. */
export function mockState(type: string, logical: string, inputs: Inputs): Inputs {
  const name = physicalName(logical, inputs);
  const arn = (rest: string, service = tokenParts(type).service) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;
  switch (type) {
    case 'aws:ecs/taskDefinition:TaskDefinition': {
      const withoutRevision = arn(`task-definition/${name}`);
      return { name, arn: `${withoutRevision}:1`, arnWithoutRevision: withoutRevision, revision: 1 };
    }
    case 'aws:iam/role:Role':
      return { name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` };
    case 'aws:sns/topic:Topic':
      return { name, arn: arn(name) };
    case 'aws:sqs/queue:Queue':
      return { name, arn: arn(name), url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}` };
    case 'aws:lambda/function:Function':
      return { name, arn: arn(`function:${name}`), invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/functions/${arn(`function:${name}`)}/invocations` };
    case 'aws:cloudwatch/logGroup:LogGroup':
      return { name, arn: arn(`log-group:${name}`, 'logs') };
    case 'aws:scheduler/scheduleGroup:ScheduleGroup':
      return { name, arn: arn(`schedule-group/${name}`) };
    case 'aws:scheduler/schedule:Schedule':
      return { name, arn: arn(`schedule/${str(inputs.groupName) ?? 'default'}/${name}`) };
    case 'aws:cloudwatch/eventBus:EventBus':
      return { name, arn: arn(`event-bus/${name}`, 'events') };
    case 'aws:cloudwatch/eventRule:EventRule': {
      const bus = str(inputs.eventBusName);
      return { name, arn: arn(bus === undefined || bus === 'default' ? `rule/${name}` : `rule/${bus}/${name}`, 'events') };
    }
    case 'aws:cloudwatch/metricAlarm:MetricAlarm':
      return { name, arn: arn(`alarm:${name}`, 'cloudwatch') };
    case 'aws:s3/bucket:Bucket': {
      // S3 appends a unique suffix to bucketPrefix; bucket ARNs have neither region nor account.
      const bucket = str(inputs.bucket) ?? `${str(inputs.bucketPrefix) ?? `${logical}-`}20260101000000000000000001`;
      return { bucket, arn: `arn:aws:s3:::${bucket}` };
    }
    case 'aws:cloudwatch/dashboard:Dashboard':
      return { dashboardName: name, dashboardArn: `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${name}` };
    default: {
      const { kind } = tokenParts(type);
      return { name, arn: arn(`${kind}/${name}`) };
    }
  }
}

export function mockCall(token: string, inputs: Inputs): Inputs {
  switch (token) {
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { id: ACCOUNT, accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: 'AIDATEST' };
    case 'aws:index/getRegion:getRegion':
      return { id: REGION, name: REGION, region: REGION, endpoint: `ec2.${REGION}.amazonaws.com`, description: 'US East (N. Virginia)' };
    case 'aws:index/getPartition:getPartition':
      return { id: 'aws', partition: 'aws', dnsSuffix: 'amazonaws.com', reverseDnsPrefix: 'com.amazonaws' };
    case 'aws:ecr/getRepository:getRepository': {
      const name = String(inputs.name);
      const registryId = str(inputs.registryId) ?? ACCOUNT;
      const region = str(inputs.region) ?? REGION;
      return {
        id: name,
        name,
        registryId,
        region,
        arn: `arn:aws:ecr:${region}:${registryId}:repository/${name}`,
        repositoryUrl: `${registryId}.dkr.ecr.${region}.amazonaws.com/${name}`,
      };
    }
    case 'aws:dynamodb/getTable:getTable': {
      const name = String(inputs.name);
      return { id: name, name, arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}` };
    }
    case 'aws:iam/getRole:getRole': {
      const name = String(inputs.name);
      return { id: name, name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, path: '/' };
    }
    default:
      // An invoke the mocks do not know would silently return nothing: fail loudly instead.
      throw new Error(`unexpected invoke ${token}`);
  }
}

export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  readonly calls: RecordedCall[] = [];

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Inputs } {
    const inputs = args.inputs as Inputs;
    const state = { ...inputs, ...mockState(args.type, args.name, inputs) };
    this.resources.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs, state });
    return { id: `${args.name}_id`, state };
  }

  call(args: pulumi.runtime.MockCallArgs): Inputs {
    const inputs = args.inputs as Inputs;
    const result = mockCall(args.token, inputs);
    this.calls.push({ token: args.token, inputs, result });
    return result;
  }
}
