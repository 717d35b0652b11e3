/**
 * The dead-letter alerts Lambda: an SQS event source mapping on each schedule dead-letter queue
 * (ReportBatchItemFailures) invokes it with up to 10 messages. A thin shell over handleDeadLetters:
 * config, SDK clients, the alert state store, the notifier and Powertools are built once at module
 * scope; each invocation alerts through the healthcheck's state and topic and returns the messages SQS
 * must keep (those whose alert was not recorded).
 *
 * A malformed event (not an SQS batch) throws: Lambda then retries the whole batch, and the log says why.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients } from '../../aws/clients.ts';
import { DynamoAlertStateStore } from '../../aws/alert-state-store.ts';
import { createSnsNotifier } from '../../aws/sns-notifier.ts';
import { handleDeadLetters, type BatchItemFailure } from '../../healthcheck/dead-letter-alerts.ts';
import { loadDeadLetterAlertsConfig, type DeadLetterAlertsConfig } from '../../healthcheck/dead-letter-config.ts';
import { parseSqsEvent } from '../../healthcheck/dead-letter-event.ts';
import { nyse } from '../../market/index.ts';
import { createHealthcheckMetrics, powertoolsLog, powertoolsSink } from './healthcheck-powertools.ts';

/** Its own log stream name; metrics share the healthcheck's `service` so its alarms cover this too. */
const DEAD_LETTER_ALERTS_LOG_SERVICE = 'ops-dead-letter-alerts';

const logger = new Logger({ serviceName: DEAD_LETTER_ALERTS_LOG_SERVICE });

function configOrFail(): DeadLetterAlertsConfig {
  try {
    return loadDeadLetterAlertsConfig(process.env);
  } catch (error) {
    logger.error('invalid configuration: the dead-letter consumer cannot start', { error });
    throw error;
  }
}

const config = configOrFail();
const metrics = createHealthcheckMetrics(config.metricsNamespace);
const clients = createAwsClients({ region: config.region, ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}) }, process.env);
const deps = {
  alerts: {
    store: new DynamoAlertStateStore({ client: clients.dynamodb, tableName: config.alertStateTable, key: config.alertStateKey }),
    notifier: createSnsNotifier(clients.sns, config.alertTopicArn),
  },
  metrics: powertoolsSink(metrics),
  log: powertoolsLog(logger),
  calendar: nyse,
};

export async function handler(event: unknown, context?: { awsRequestId?: string }): Promise<{ batchItemFailures: BatchItemFailure[] }> {
  logger.resetKeys();
  if (context?.awsRequestId !== undefined) logger.appendKeys({ requestId: context.awsRequestId });
  try {
    const records = parseSqsEvent(event);
    const result = await handleDeadLetters(deps, records, {
      now: new Date(),
      region: config.region,
      minSeverity: config.alertMinSeverity,
      reminderHours: config.reminderHours,
      ...(config.runbookBaseUrl !== undefined ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
    });
    // Lambda reads only this field; anything else in the response is noise.
    return { batchItemFailures: result.batchItemFailures };
  } catch (error) {
    logger.error('dead-letter batch failed: every message stays in the queue', { error });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}
