/**
 * The document `ops sandbox up` prints once the sandbox is ready: comment lines and `export` lines for a
 * shell, or one JSON document with `--json`. Kept apart from the command so it is pinned without moto.
 */
import type { ReplayDay } from '../../sandbox/replay-day.ts';
import { sandboxEnvironment, sandboxOpsEnvironment, type Sandbox } from '../../sandbox/sandbox.ts';
import type { SandboxState } from '../../sandbox/state-file.ts';
import { sandboxTradingEnvironment } from '../../sandbox/trading/names.ts';
import type { SandboxChangeResources } from './sandbox-up-changes.ts';
import { orgReadyJson, orgReadyLines } from './sandbox-up-org.ts';
import type { OrgSeedResult } from '../../sandbox/org-seed.ts';
import type { RunningTrading } from './sandbox-up-trading.ts';

export interface ReadyInput {
  sandbox: Pick<Sandbox, 'endpoint' | 'region' | 'clockStart' | 'timings'>;
  state: SandboxState;
  statePath: string;
  /** --tick, in seconds. */
  tick: number;
  day?: ReplayDay;
  trading?: Pick<RunningTrading, 'json' | 'text'>;
  changes: SandboxChangeResources;
  /** `--scenario org`: the seeding's accounts and findings for --json (the summary is `state.org`). */
  orgSeed?: Pick<OrgSeedResult, 'accounts' | 'expected' | 'unreachable'>;
}

export function sandboxReadyDocument(input: ReadyInput) {
  const { sandbox, state, statePath, tick, day, trading, changes, orgSeed } = input;
  const env = { ...sandboxEnvironment(sandbox.endpoint, sandbox.region), ...sandboxOpsEnvironment(), ...(trading ? sandboxTradingEnvironment() : {}) };
  const scenario = state.scenario === null ? 'empty (no scenario)' : `${state.scenario} (${state.schedules} schedules)`;
  const text = [
    `# ops sandbox: moto on ${sandbox.endpoint} · scenario ${scenario} · region ${sandbox.region}`,
    `# clock: ${day ? `virtual, from ${sandbox.clockStart.toISOString()} (${day.description}), running at real speed` : 'the wall clock'}`,
    `# firing: ${state.firing ? `every ${tick} s on that clock; a line on stderr for each tick that fires something` : 'off (add --fire to run schedules)'}`,
    state.firing
      ? `# change events: each tick looks for writes before it fires; CloudTrail-shaped events (a line on stderr each) → default bus → queue ${changes.queueUrl}`
      : `# change events: off (with --fire: CloudTrail-shaped events → default bus → queue ${changes.queueUrl})`,
    `# definition cache: DynamoDB table ${changes.definitionCacheTable} (OPS_DEFINITION_CACHE_TABLE below)`,
    ...(state.org ? orgReadyLines(state.org, state.schedules) : []),
    ...(trading?.text ?? []),
    ...Object.entries(env).map(([key, value]) => `export ${key}=${value}`),
    '# Ctrl-C here, or `ops sandbox down`, stops it.',
  ].join('\n');
  const json = {
    ok: true,
    status: 'running',
    endpoint: sandbox.endpoint,
    port: state.port,
    region: sandbox.region,
    scenario: state.scenario,
    schedules: state.schedules,
    pids: state.pids,
    stateFile: statePath,
    firing: state.firing ? { intervalSeconds: tick } : null,
    clock: day ? { kind: 'virtual', start: sandbox.clockStart.toISOString(), day: day.date, dayKind: day.kind } : { kind: 'wall' },
    changeEvents: { detecting: state.firing, rule: changes.ruleName, queueName: changes.queueName, queueUrl: changes.queueUrl, queueArn: changes.queueArn },
    definitionCacheTable: changes.definitionCacheTable,
    env,
    trading: trading?.json ?? null,
    org: state.org ? orgReadyJson(state.org, orgSeed) : null,
    timings: sandbox.timings,
  };
  return { json, text };
}
