/** The portfolio step Lambda (EventBridge rule → here). Clients and the store live at module scope. */
import { createConsumers } from '../../../trading/domain/workflow-app.ts';
import { createLambdaRuntime } from './runtime.ts';
import { createStepLambda } from './step-lambda.ts';
import { lambdaTradingMetrics } from './trading-metrics.ts';

const runtime = createLambdaRuntime(process.env, 'portfolio');

export const handler = createStepLambda({
  consumer: createConsumers(runtime.deps).portfolio,
  logger: runtime.deps.logger,
  setContext: (keys) => runtime.logger.appendKeys(keys),
  metrics: lambdaTradingMetrics(process.env),
});
