/**
 * Runs the Pulumi program (infra/index.ts) under mocks with a given stack config and returns what it
 * registered. Each call re-imports the program (vi.resetModules), so two configs can be compared in
 * one test file; @pulumi/pulumi itself stays loaded, and setMocks gives each run a fresh monitor.
 */
import * as pulumi from '@pulumi/pulumi';
import { vi } from 'vitest';
import { JOBS } from '../../infra/jobs.ts';
import { TASKS } from '../../src/entry/task/trading-task.ts';
import { RecordingMocks, type RecordedCall, type RecordedResource } from './mocks.ts';

export const PROJECT = 'ops';
export const STACK = 'test';

/** Worker images for the jobs `ops-task` does not implement, as a real stack sets them. */
export const WORKER_IMAGES: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(
    JOBS.filter((job) => !(TASKS as readonly string[]).includes(job.command[0]!)).map((job) => [job.name, `123456789012.dkr.ecr.us-east-1.amazonaws.com/pipeline-${job.command[0]!}:test`]),
  ),
);

/** A complete, valid config: every test starts from it and overrides what it is about. */
export const BASE_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({
  imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/ops-pipeline:test',
  jobImages: WORKER_IMAGES,
  subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'],
  securityGroupIds: ['sg-0ccc3333'],
  alertEmails: ['oncall@example.com', 'trading-desk@example.com'],
});

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface StackUnderTest {
  resources: RecordedResource[];
  /** Data-source invokes (getCallerIdentity, getRepository, …) with what the mocks answered. */
  calls: RecordedCall[];
  outputs: Record<string, unknown>;
  /** URN of every registered resource (components included). */
  urns: string[];
  startedAt: Date;
  finishedAt: Date;
  ofType(type: string): RecordedResource[];
  one(type: string, predicate?: (r: RecordedResource) => boolean): RecordedResource;
}

async function resolve(value: unknown): Promise<unknown> {
  const lifted = pulumi.output(value) as unknown as pulumi.Output<unknown>;
  return new Promise((done) => lifted.apply((v) => done(v)));
}

function toConfigStrings(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [`${PROJECT}:${key}`, typeof value === 'string' ? value : JSON.stringify(value)]),
  );
}

interface MonitorWithResources {
  getRegisteredResources(): Map<string, { urn: string }>;
}

export async function runProgram(overrides: Record<string, unknown> = {}): Promise<StackUnderTest> {
  vi.resetModules();
  const mocks = new RecordingMocks();
  await pulumi.runtime.setMocks(mocks, PROJECT, STACK, false);
  pulumi.runtime.setAllConfig(toConfigStrings({ ...BASE_CONFIG, ...overrides }));
  const startedAt = new Date();
  const program = (await import('../../infra/index.ts')) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(program)) outputs[key] = await resolve(value);
  // Registrations whose inputs were still resolving when the outputs settled.
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorWithResources;
  await pulumi.runtime.disconnect();
  const finishedAt = new Date();
  const urns = [...monitor.getRegisteredResources().keys()];

  const resources = mocks.resources;
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  return {
    resources,
    calls: mocks.calls,
    outputs,
    urns,
    startedAt,
    finishedAt,
    ofType,
    one(type, predicate = () => true) {
      const found = ofType(type).filter(predicate);
      if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}: ${found.map((r) => r.name).join(', ')}`);
      return found[0]!;
    },
  };
}

/** Every statement of every inline role policy, with the role it belongs to. */
export function roleStatements(stack: StackUnderTest): { role: string; policy: string; statement: PolicyStatement }[] {
  return stack.ofType('aws:iam/rolePolicy:RolePolicy').flatMap((policy) => {
    const document = JSON.parse(String(policy.inputs.policy)) as { Statement: PolicyStatement[] };
    return document.Statement.map((statement) => ({ role: String(policy.inputs.role), policy: policy.name, statement }));
  });
}

export const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The role resource a policy's `role` input (the mock id `<logical name>_id`) points at. */
export function roleNamed(stack: StackUnderTest, roleId: string): RecordedResource {
  return stack.one('aws:iam/role:Role', (r) => `${r.name}_id` === roleId);
}
