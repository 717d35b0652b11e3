/**
 * `ops sandbox up --trading`: the trading stack on the sandbox's moto and the local Lambda runtime
 * running in the `up` process until it stops. Handlers' logs go to .ops/sandbox-trading.log (stdout
 * carries the export lines or the one --json document); runtime faults go to stderr.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { SandboxTradingNames } from '../../sandbox/trading/names.ts';
import { createSandboxTrading, SANDBOX_SWEEP_EVERY_MS, type SandboxTrading } from './trading-chain.ts';

export const TRADING_LOG_FILE = 'sandbox-trading.log';
/** How often the background runtime polls the delivery queues when they were empty. */
const POLL_INTERVAL_MS = 200;

export interface RunningTrading {
  chain: SandboxTrading;
  logFile: string;
  /** For the ready document: the names, queues and where the logs are. */
  json: Record<string, unknown>;
  /** Comment lines for the text ready document. */
  text: string[];
  stop(): Promise<void>;
}

/** `stateDir`: the directory of .ops/sandbox.json. */
export async function startSandboxTrading(sandbox: Sandbox, options: { stateDir: string; stderr: (text: string) => void }): Promise<RunningTrading> {
  const logFile = join(options.stateDir, TRADING_LOG_FILE);
  await mkdir(dirname(logFile), { recursive: true });
  const logStream = createWriteStream(logFile, { flags: 'a' });
  const closeLog = () => new Promise<void>((resolve) => logStream.end(resolve));
  try {
    const chain = await createSandboxTrading({
      clients: sandbox.clients,
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      logStream,
      onError: (error) => options.stderr(`trading runtime: ${error instanceof Error ? error.message : String(error)}\n`),
    });
    chain.runtime.start({ pollIntervalMs: POLL_INTERVAL_MS });
    const { topology } = chain;
    const steps = topology.routes.map((r) => `${r.consumer} ← ${r.consumes.join(', ')}`).join('; ');
    return {
      chain,
      logFile,
      json: {
        logFile,
        bus: topology.eventBus,
        workflowTable: topology.workflowTable,
        paperBrokerTable: topology.paperBrokerTable,
        notificationTopicArn: topology.notificationTopicArn,
        archive: topology.archive?.name ?? null,
        rules: topology.routes.flatMap((r) => r.consumes.map((type) => ({ eventType: type, consumer: r.consumer, queue: topology.deliveries[r.consumer].name }))),
        deadLetterQueues: [topology.ruleDeadLetterQueue.name, topology.failedInvocationsQueue.name, topology.sweeperDeadLetterQueue.name],
        sweepEverySeconds: SANDBOX_SWEEP_EVERY_MS / 1_000,
      },
      text: [
        `# trading: bus ${SandboxTradingNames.eventBus}, tables ${topology.workflowTable} and ${topology.paperBrokerTable}, archive ${topology.archive?.name ?? 'none'}`,
        "#   moto cannot run Lambda code: a local runtime in this process consumes the rules' deliveries and runs",
        `#   the step Lambdas ${steps}; the sweeper every ${SANDBOX_SWEEP_EVERY_MS / 1_000} s`,
        `#   handler logs: ${logFile} · failed invocations: ${topology.failedInvocationsQueue.name}`,
      ],
      async stop() {
        try {
          await chain.runtime.stop();
        } finally {
          await closeLog();
        }
      },
    };
  } catch (error) {
    await closeLog();
    throw error;
  }
}
