/**
 * The ECS side of the pipeline: the cluster, one log group and one Fargate task definition per job,
 * the execution role (pull the image, write the job's logs) and the task role (what the jobs may do).
 * These are the only two roles a schedule may pass (see PipelineSchedules).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { EcrRepository } from '../config.ts';
import type { ScheduledJob } from '../jobs.ts';
import { assumedBy, logStreamsOf, policyDocument, type Statement } from '../iam/policy.ts';

export const CONTAINER_NAME = 'app';

export interface PipelineArgs {
  namePrefix: string;
  jobs: readonly ScheduledJob[];
  imageUri: string;
  jobImages: Readonly<Record<string, string>>;
  /** Private ECR repositories of the images: the execution role may pull from these only. */
  imageRepositories: readonly EcrRepository[];
  logRetentionDays: number;
  region: pulumi.Input<string>;
  /** Environment for every job's container (bus name, table names, …). */
  environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** What the jobs may do; no statements = a role with no permissions. */
  taskStatements: pulumi.Input<Statement>[];
}

export interface JobTask {
  job: ScheduledJob;
  family: string;
  taskDefinition: aws.ecs.TaskDefinition;
  logGroup: aws.cloudwatch.LogGroup;
}

export class Pipeline extends pulumi.ComponentResource {
  readonly cluster: aws.ecs.Cluster;
  readonly executionRole: aws.iam.Role;
  readonly taskRole: aws.iam.Role;
  readonly tasks: ReadonlyMap<string, JobTask>;
  readonly clusterArn: pulumi.Output<string>;

  constructor(name: string, args: PipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ops:pipeline:Pipeline', name, {}, opts);
    const parent = { parent: this };

    // The name the 2026-01-29 schedules got wrong; from here on schedules take this resource's arn.
    this.cluster = new aws.ecs.Cluster(`${name}-cluster`, { name: `${args.namePrefix}-cluster` }, parent);

    const logGroups = new Map(
      args.jobs.map((job) => [
        job.name,
        new aws.cloudwatch.LogGroup(`${name}-${job.name}-logs`, { name: `/ecs/${args.namePrefix}/${job.name}`, retentionInDays: args.logRetentionDays }, parent),
      ]),
    );

    this.executionRole = new aws.iam.Role(
      `${name}-execution-role`,
      { assumeRolePolicy: assumedBy('ecs-tasks.amazonaws.com'), description: 'ECS agent: pull the pipeline image, write job logs' },
      parent,
    );
    const executionPolicy = new aws.iam.RolePolicy(
      `${name}-execution-policy`,
      { role: this.executionRole.id, policy: policyDocument(executionStatements([...logGroups.values()], args.imageRepositories, this)) },
      parent,
    );

    this.taskRole = new aws.iam.Role(`${name}-task-role`, { assumeRolePolicy: assumedBy('ecs-tasks.amazonaws.com'), description: 'Pipeline jobs' }, parent);
    const taskPolicy =
      args.taskStatements.length > 0
        ? [new aws.iam.RolePolicy(`${name}-task-policy`, { role: this.taskRole.id, policy: policyDocument(args.taskStatements) }, parent)]
        : [];

    const tasks = new Map<string, JobTask>();
    for (const job of args.jobs) {
      const logGroup = logGroups.get(job.name)!;
      const family = `${args.namePrefix}-${job.name}`;
      const containerDefinitions = pulumi
        .all([logGroup.name, pulumi.output(args.region), pulumi.output(args.environment)])
        .apply(([logGroupName, region, environment]) =>
          JSON.stringify([
            {
              name: CONTAINER_NAME,
              image: args.jobImages[job.name] ?? args.imageUri,
              command: [...job.command],
              essential: true,
              // Container-level memory too: moto's RunTask needs it, and it caps the container at the task size.
              memory: job.memory,
              environment: Object.entries({ ...environment, ...job.environment, JOB_NAME: job.name })
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([key, value]) => ({ name: key, value })),
              logConfiguration: {
                logDriver: 'awslogs',
                options: { 'awslogs-group': logGroupName, 'awslogs-region': region, 'awslogs-stream-prefix': job.name },
              },
            },
          ]),
        );
      const taskDefinition = new aws.ecs.TaskDefinition(
        `${name}-${job.name}-task`,
        {
          family,
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: String(job.cpu),
          memory: String(job.memory),
          runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
          executionRoleArn: this.executionRole.arn,
          taskRoleArn: this.taskRole.arn,
          containerDefinitions,
        },
        { parent: this, dependsOn: [executionPolicy, ...taskPolicy] },
      );
      tasks.set(job.name, { job, family, taskDefinition, logGroup });
    }
    this.tasks = tasks;
    this.clusterArn = this.cluster.arn;
    this.registerOutputs({ clusterArn: this.clusterArn });
  }
}

function executionStatements(logGroups: aws.cloudwatch.LogGroup[], repositories: readonly EcrRepository[], parent: pulumi.Resource): Statement[] {
  const statements: Statement[] = [
    { Sid: 'WriteJobLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logGroups.map((group) => logStreamsOf(group.arn)) },
  ];
  if (repositories.length === 0) return statements;
  // The repositories are not part of this stack (images are pushed before `pulumi up`): look them up
  // rather than spell their ARNs, so a wrong name fails the preview instead of every task start.
  const found = repositories.map((repository) => aws.ecr.getRepositoryOutput({ name: repository.name, registryId: repository.registryId, region: repository.region }, { parent }));
  statements.push(
    { Sid: 'EcrLogin', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
    {
      Sid: 'PullPipelineImage',
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: found.map((repository) => repository.arn),
    },
  );
  return statements;
}
