/**
 * The whole trading chain on the sandbox: the stack's resources on moto
 * (src/sandbox/aws/trading-topology.ts) and a local Lambda runtime (src/sandbox/trading/lambda-runtime.ts)
 * that runs the step Lambdas and the sweeper in moto's place, because moto cannot run Lambda code.
 *
 * Each function is composed exactly as its module in src/entry/lambda/trading/ composes it for AWS
 * (createLambdaRuntime + createConsumers + createStepLambda; the sweeper's createSweepHandler), with the
 * environment the stack sets (infra/components/trading.ts: PAPER_BROKER_TABLE only for portfolio and
 * execution) pointed at moto. The modules themselves read process.env once at import, so a process
 * that runs two sandboxes (the tests) could not use them; the composition is the same.
 *
 * Handler logs: Powertools' Logger writes JSON lines to stdout, which is `ops sandbox up`'s (its export
 * lines, its one --json document). They go to `logStream` instead (a file under .ops/, or nowhere), and
 * so do the metrics (the Lambdas print them as EMF on stdout; here one JSON line per invocation).
 */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import type { Logger } from '@aws-lambda-powertools/logger';
import { SANDBOX_CREDENTIALS, type AwsClients } from '../../aws/clients.ts';
import { ensureTradingTopology, type TradingTopology } from '../../sandbox/aws/trading-topology.ts';
import { createDeliveryQueues } from '../../sandbox/aws/trading-queues.ts';
import { createLocalLambdaRuntime, type InvocationRecord, type LocalFunction, type LocalLambdaRuntime, type LocalLambdaRuntimeOptions } from '../../sandbox/trading/lambda-runtime.ts';
import { functionName, sandboxTradingEnvironment } from '../../sandbox/trading/names.ts';
import type { DeliveryOutcome } from '../../trading/domain/gate.ts';
import { ConsumerName, createConsumers, type WorkflowDeps } from '../../trading/domain/workflow-app.ts';
import type { Clock } from '../../trading/domain/step-handler.ts';
import { createLambdaRuntime, paperBrokers, type LambdaRuntime } from '../lambda/trading/runtime.ts';
import { createStepLambda } from '../lambda/trading/step-lambda.ts';
import { createSweepHandler, workflowTimeoutMs } from '../lambda/trading/sweep-handler.ts';
import type { TradingMetricsSink } from '../lambda/trading/trading-metrics.ts';

/** The stack's sweeper runs every 5 minutes; the sandbox's more often, as it is cheap and local. */
export const SANDBOX_SWEEP_EVERY_MS = 60_000;

export type FaultOptions = Pick<LocalLambdaRuntimeOptions<DeliveryOutcome>, 'duplicates' | 'shuffle' | 'random' | 'intercept' | 'concurrency' | 'retryDelaysMs' | 'maxRetries'>;

export interface SandboxTradingOptions {
  /** SDK clients for the sandbox (createSandboxClients): topology and delivery queues. */
  clients: AwsClients;
  endpoint: string;
  region: string;
  /** More Lambda environment: PAPER_ACCOUNTS, PAPER_CASH, MARKET_DATA_SEED, WORKFLOW_TIMEOUT_MINUTES, … */
  environment?: Record<string, string>;
  /** Where the handlers' Powertools JSON logs go (default: nowhere). Never stdout. */
  logStream?: NodeJS.WritableStream;
  faults?: FaultOptions;
  /** Changes one step's dependencies before its gate is built (tests: a port that fails). */
  decorateDeps?: (consumer: ConsumerName, deps: WorkflowDeps) => WorkflowDeps;
  sweepEveryMs?: number;
  /**
   * The handlers' clock (default: the wall clock, as in Lambda). The demo runs its day's session: the
   * paper broker fills at the closes of the clock's session, so the clock must agree with the as-of.
   */
  clock?: Clock;
  onInvocation?: (record: InvocationRecord<DeliveryOutcome>) => void;
  onError?: (error: unknown) => void;
}

export interface SandboxTrading {
  topology: TradingTopology;
  runtime: LocalLambdaRuntime<DeliveryOutcome>;
  /** What `ops workflow …` needs besides the AWS lines: WORKFLOW_TABLE, EVENT_BUS_NAME, … */
  environment: Record<string, string>;
  /**
   * The SDK clients each function built (ops-trading-strategy, …, ops-trading-sweeper), as a Lambda
   * container builds its own: attach a call counter (src/aws/call-counter.ts) to count what a workflow costs.
   */
  functionClients: Record<string, AwsClients>;
}

export async function createSandboxTrading(options: SandboxTradingOptions): Promise<SandboxTrading> {
  const topology = await ensureTradingTopology(options.clients);
  const lambdaEnv: Record<string, string> = {
    AWS_ENDPOINT_URL: options.endpoint,
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Powertools Metrics would print EMF on stdout; the sandbox passes its own sink (metricsTo).
    POWERTOOLS_METRICS_DISABLED: 'true',
    EVENT_BUS_NAME: topology.eventBus,
    WORKFLOW_TABLE: topology.workflowTable,
    NOTIFICATION_TOPIC_ARN: topology.notificationTopicArn,
    MARKET_DATA_SOURCE: 'synthetic',
    ...options.environment,
  };
  const sink = options.logStream ?? discard();
  const arn = (name: string) => `arn:aws:lambda:${topology.region}:${topology.account}:function:${name}`;

  const functionClients: Record<string, AwsClients> = {};
  const functions: LocalFunction<DeliveryOutcome>[] = Object.values(ConsumerName).map((consumer) => {
    // As the stack does: only the steps that trade get the paper-broker table.
    const trades = consumer === ConsumerName.portfolio || consumer === ConsumerName.execution;
    const env = trades ? { ...lambdaEnv, PAPER_BROKER_TABLE: topology.paperBrokerTable } : lambdaEnv;
    const runtime = createLambdaRuntime(env, consumer);
    redirect(runtime.logger, sink);
    functionClients[functionName(consumer)] = runtime.clients;
    const clocked = withClock(runtime, env, options.clock);
    const deps = options.decorateDeps?.(consumer, clocked) ?? clocked;
    const handler = createStepLambda({
      consumer: createConsumers(deps)[consumer],
      logger: deps.logger,
      setContext: (keys) => runtime.logger.appendKeys(keys),
      metrics: metricsTo(sink, functionName(consumer)),
    });
    return { name: functionName(consumer), functionArn: arn(functionName(consumer)), queueUrl: topology.deliveries[consumer].url, handler };
  });

  const sweeper = createLambdaRuntime(lambdaEnv, 'sweeper');
  redirect(sweeper.logger, sink);
  functionClients[functionName('sweeper')] = sweeper.clients;
  const sweep = createSweepHandler(withClock(sweeper, lambdaEnv, options.clock), { timeoutMs: workflowTimeoutMs(lambdaEnv), metrics: metricsTo(sink, functionName('sweeper')) });

  const runtime = createLocalLambdaRuntime<DeliveryOutcome>({
    queues: createDeliveryQueues(options.clients.sqs),
    functions,
    failedQueueUrl: topology.failedInvocationsQueue.url,
    scheduled: [{ name: functionName('sweeper'), functionArn: arn(functionName('sweeper')), everyMs: options.sweepEveryMs ?? SANDBOX_SWEEP_EVERY_MS, handler: sweep }],
    ...options.faults,
    ...(options.onInvocation ? { onInvocation: options.onInvocation } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  return { topology, runtime, environment: sandboxTradingEnvironment(), functionClients };
}

/** Counts of what each step's handler did, from the runtime's records: what tests and the demo report. */
export function outcomesByStep(records: readonly InvocationRecord<DeliveryOutcome>[], correlationId?: string): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const r of records) {
    if (correlationId !== undefined && r.correlationId !== correlationId) continue;
    const key = r.outcome === 'threw' ? 'threw' : (r.result?.status ?? 'returned');
    const step = r.functionName.replace(/^ops-trading-/, '');
    counts[step] = { ...counts[step], [key]: (counts[step]?.[key] ?? 0) + 1 };
  }
  return counts;
}

/** The runtime's dependencies on another clock: the same brokers (paperBrokers), quoting that clock's session. */
function withClock(runtime: LambdaRuntime, env: NodeJS.ProcessEnv, clock: Clock | undefined): WorkflowDeps {
  if (clock === undefined) return runtime.deps;
  return { ...runtime.deps, clock, brokers: paperBrokers(env, runtime.marketData, clock, runtime.clients) };
}

/**
 * Powertools' Logger prints through a Console it builds on process.stdout at construction and offers
 * no option to change it; the field is the one seam, so the sandbox swaps it for one on `sink`.
 */
function redirect(logger: Logger, sink: NodeJS.WritableStream): void {
  const console = new Console({ stdout: sink, stderr: sink });
  (logger as unknown as { console: Console }).console = console;
}

/** The metric values of one invocation as one JSON line in the handlers' log: CloudWatch is not listening here. */
function metricsTo(sink: NodeJS.WritableStream, fn: string): TradingMetricsSink {
  return (data) => void sink.write(`${JSON.stringify({ function: fn, metrics: data })}\n`);
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
