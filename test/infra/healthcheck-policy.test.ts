/**
 * The healthcheck role, from the registries' point of view, in both configurations: read-only (exactly
 * the checks' actions, plus its own alert state) unless auto-fix is on; with it, everything the
 * remediation declares, and writes scoped to the pipeline's schedule groups and scheduler role.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { requiredReadActions } from '../../src/checks/registry.ts';
import { loadHealthcheckConfig } from '../../src/healthcheck/config.ts';
import { requiredRemediationActions } from '../../src/remediate/registry.ts';
import { ACCOUNT, REGION } from './mocks.ts';
import { asList, roleNamed, roleStatements, runProgram, type PolicyStatement, type StackUnderTest } from './program.ts';

interface Healthcheck {
  stack: StackUnderTest;
  statements: PolicyStatement[];
  actions: Set<string>;
  environment: Record<string, string>;
}

function healthcheckOf(stack: StackUnderTest): Healthcheck {
  const fn = stack.one('aws:lambda/function:Function', (f) => f.inputs.name === stack.outputs.healthcheckFunctionName);
  const role = stack.one('aws:iam/role:Role', (r) => r.state.arn === fn.inputs.role);
  const statements = roleStatements(stack)
    .filter((s) => roleNamed(stack, s.role) === role)
    .map((s) => s.statement);
  const environment = (fn.inputs.environment as { variables: Record<string, string> }).variables;
  return { stack, statements, actions: new Set(statements.flatMap((s) => asList(s.Action))), environment };
}

/** Actions of the role besides the checks' reads, each allowed only on the given resources. */
function ownStateResources(stack: StackUnderTest): Map<string, string[]> {
  const arnOf = (type: string, name: string) => String(stack.one(type, (r) => r.inputs.name === name).state.arn);
  const alertState = arnOf('aws:dynamodb/table:Table', 'ops-pipeline-alert-state');
  const definitionCache = arnOf('aws:dynamodb/table:Table', 'ops-pipeline-schedule-definitions');
  const logGroup = `${arnOf('aws:cloudwatch/logGroup:LogGroup', '/aws/lambda/ops-pipeline-healthcheck')}:*`;
  const changeQueue = arnOf('aws:sqs/queue:Queue', 'ops-pipeline-schedule-changes');
  return new Map([
    ['sns:Publish', [String(stack.outputs.alertTopicArn)]],
    ['dynamodb:PutItem', [alertState]],
    ['dynamodb:GetItem', [alertState]],
    ['dynamodb:BatchGetItem', [definitionCache]],
    ['dynamodb:BatchWriteItem', [definitionCache]],
    ['logs:CreateLogStream', [logGroup]],
    ['logs:PutLogEvents', [logGroup]],
    // Its SQS event source: the change queue only (infra/change-checks.ts).
    ['sqs:ReceiveMessage', [changeQueue]],
    ['sqs:DeleteMessage', [changeQueue]],
    ['sqs:GetQueueAttributes', [changeQueue]],
  ]);
}

const reads = requiredReadActions();
const remediationOnly = requiredRemediationActions().filter((action) => !reads.includes(action));

let off: Healthcheck;
let on: Healthcheck;

beforeAll(async () => {
  // Same file, two programs: the second import sees the new config (vi.resetModules in runProgram).
  off = healthcheckOf(await runProgram({ autoFix: false }));
  on = healthcheckOf(await runProgram({ autoFix: true, maxChanges: 5 }));
});

describe('with autoFix off (the default)', () => {
  it('grants every action the checks declare', () => {
    expect(reads.length).toBeGreaterThan(10);
    for (const action of reads) expect(off.actions, action).toContain(action);
  });

  it('grants nothing else except its own logs, alert topic, alert state, definition cache and change queue', () => {
    const own = ownStateResources(off.stack);
    for (const statement of off.statements) {
      for (const action of asList(statement.Action)) {
        if (reads.includes(action) && statement.Sid?.startsWith('Check')) continue;
        expect([...own.keys()], `unexpected ${action} (${statement.Sid ?? 'no Sid'})`).toContain(action);
        expect(asList(statement.Resource), `${action} outside the healthcheck's own resources`).toEqual(own.get(action));
      }
    }
  });

  it('holds none of the remediation’s write actions', () => {
    expect(remediationOnly).toContain('scheduler:UpdateSchedule');
    for (const action of remediationOnly) expect(off.actions, action).not.toContain(action);
    for (const action of off.actions) expect(action, 'no scheduler/ECS/IAM writes').not.toMatch(/^(scheduler|ecs|iam):(Create|Update|Delete|Put|Tag|Untag|Run|Start|Stop|Pass)/);
  });

  it('tells the Lambda auto-fix is off, in a form its own config loader accepts', () => {
    expect(off.environment.AUTO_FIX).toBe('false');
    expect(off.environment.REMEDIATION_TABLE).toBeUndefined();
    const config = loadHealthcheckConfig({ ...off.environment, AWS_REGION: REGION });
    expect(config.autoFix).toBe(false);
    expect(config.alertTopicArn).toBe(off.stack.outputs.alertTopicArn);
    expect(config.runLedgerTable).toBe(off.stack.outputs.runLedgerTableName);
    expect(config.marketCritical).toContain('ops-pipeline-dispatcher');
  });
});

describe('with autoFix on', () => {
  it('grants every action the checks and the remediation declare', () => {
    for (const action of [...reads, ...requiredRemediationActions()]) expect(on.actions, action).toContain(action);
  });

  it('may update schedules in the pipeline’s groups only', () => {
    const update = on.statements.filter((s) => asList(s.Action).includes('scheduler:UpdateSchedule'));
    expect(update).toHaveLength(1);
    expect(asList(update[0]!.Resource).sort()).toEqual(
      [`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/ops-pipeline/*`, `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/ops-pipeline-market/*`].sort(),
    );
  });

  it('may pass only the pipeline schedules’ role, and only to Scheduler', () => {
    const schedule = on.stack.one('aws:scheduler/schedule:Schedule', (s) => s.inputs.name === 'ops-pipeline-dispatcher');
    const schedulerRoleArn = (schedule.inputs.target as { roleArn: string }).roleArn;
    const pass = on.statements.filter((s) => asList(s.Action).includes('iam:PassRole'));
    expect(pass).toHaveLength(1);
    expect(pass[0]!.Resource).toEqual([schedulerRoleArn]);
    expect(pass[0]!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
  });

  it('writes backups and audit entries to the remediation table only', () => {
    const table = on.stack.one('aws:dynamodb/table:Table', (t) => t.inputs.name === 'ops-pipeline-remediation');
    const audit = on.statements.find((s) => s.Sid === 'FixBackupsAndAudit');
    expect(audit?.Resource).toEqual([table.state.arn]);
    expect(on.environment.REMEDIATION_TABLE).toBe('ops-pipeline-remediation');
  });

  it('tells the Lambda auto-fix is on with the configured limit, in a form its config loader accepts', () => {
    const config = loadHealthcheckConfig({ ...on.environment, AWS_REGION: REGION });
    expect(config.autoFix).toBe(true);
    expect(config.maxChanges).toBe(5);
    expect(config.remediationTable).toBe('ops-pipeline-remediation');
  });
});
