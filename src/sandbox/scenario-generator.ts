/**
 * Generated scenarios for benches: N healthy schedules spread over G groups and C clusters, with a
 * deterministic mix of cadences and target options (the same inputs give the same scenario).
 */
import { UserError } from '../errors.ts';
import { MARKET_CRITICAL_TAG, scenarioSchema, type Scenario, type ScenarioInput } from './scenario-schema.ts';

export interface GenerateScenarioOptions {
  schedules: number;
  groups: number;
  clusters: number;
  /** Task definition families shared by the schedules (default min(10, schedules)). */
  families?: number;
  region?: string;
  name?: string;
}

/**
 * Cadences of a typical fleet: mostly every 5-60 minutes, some market-hours only (New York time).
 * A 60-minute replay fires each cycle of these on average ~5.6 times per schedule.
 */
const CADENCES = [
  { expression: 'cron(0/5 * * * ? *)', timezone: 'UTC' },
  { expression: 'rate(15 minutes)', timezone: 'UTC' },
  { expression: 'cron(0/10 9-15 ? * MON-FRI *)', timezone: 'America/New_York' },
  { expression: 'cron(0 * * * ? *)', timezone: 'UTC' },
  { expression: 'cron(2/5 * * * ? *)', timezone: 'UTC' },
  { expression: 'rate(30 minutes)', timezone: 'UTC' },
] as const;

export function generateScenario(options: GenerateScenarioOptions): Scenario {
  const { schedules, groups, clusters } = options;
  for (const [field, value, max] of [['schedules', schedules, 100_000], ['groups', groups, 500], ['clusters', clusters, 100]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new UserError('INVALID_GENERATOR_OPTIONS', `${field} must be an integer between 1 and ${max}, got ${value}.`, `Pass ${field}: 1..${max}.`);
    }
  }
  const families = Math.min(options.families ?? 10, schedules);
  const region = options.region ?? 'us-west-2';
  const groupNames = Array.from({ length: groups }, (_, g) => `gen-group-${g + 1}`);
  const clusterNames = Array.from({ length: clusters }, (_, c) => `gen-cluster-${c + 1}`);
  const familyNames = Array.from({ length: families }, (_, f) => `gen-task-${f + 1}`);

  const input: ScenarioInput = {
    name: options.name ?? `generated-${schedules}x${groups}x${clusters}`,
    description: `Generated: ${schedules} healthy ECS schedules in ${groups} groups over ${clusters} clusters.`,
    region,
    roles: [
      { name: 'gen-scheduler-role', trust: 'scheduler', actions: ['ecs:RunTask', 'iam:PassRole', 'sqs:SendMessage'] },
      { name: 'gen-task-execution-role', trust: 'ecs-tasks', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'] },
    ],
    clusters: clusterNames.map((name) => ({ name })),
    taskDefinitions: familyNames.map((family) => ({
      family,
      executionRole: 'gen-task-execution-role',
      containers: [{ name: 'app', image: `public.ecr.aws/ops/${family}:latest`, memory: 512 }],
    })),
    queues: [{ name: 'gen-scheduler-dlq' }],
    // The first group plays the market-critical one, so checks that read the tag have something to find.
    scheduleGroups: groupNames.map((name, g): { name: string; tags: Record<string, string> } => ({
      name,
      tags: g === 0 ? { [MARKET_CRITICAL_TAG.key]: MARKET_CRITICAL_TAG.value } : {},
    })),
    schedules: Array.from({ length: schedules }, (_, i) => {
      const g = i % groups;
      const cadence = CADENCES[i % CADENCES.length] ?? CADENCES[0];
      const group = groupNames[g] ?? 'default';
      return {
        name: `gen-schedule-${String(i + 1).padStart(5, '0')}`,
        group,
        marketCritical: g === 0,
        expression: cadence.expression,
        timezone: cadence.timezone,
        role: 'gen-scheduler-role',
        ...(i % 4 === 0 ? { deadLetterQueue: 'gen-scheduler-dlq' } : {}),
        ...(i % 3 === 0 ? { retryPolicy: { maximumRetryAttempts: i % 2, maximumEventAgeInSeconds: 3_600 } } : {}),
        ...(i % 7 === 3 ? { flexibleWindowMinutes: 5 } : {}),
        target: {
          kind: 'ecs' as const,
          cluster: clusterNames[i % clusters] ?? 'gen-cluster-1',
          taskDefinition: familyNames[i % families] ?? 'gen-task-1',
          network: {},
          input: { job: `gen-${i + 1}` },
        },
      };
    }),
  };
  return scenarioSchema.parse(input);
}
