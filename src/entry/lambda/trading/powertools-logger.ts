/** Powertools' Logger behind the workflow's logging port: one JSON object per line in CloudWatch. */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { WorkflowLogger } from '../../../trading/ports/workflow-logger.ts';

export function powertoolsWorkflowLogger(logger: Logger): WorkflowLogger {
  const extra = (fields: Record<string, unknown> | undefined) => (fields === undefined ? [] : [fields]);
  return {
    info: (message, fields) => logger.info(message, ...extra(fields)),
    warn: (message, fields) => logger.warn(message, ...extra(fields)),
    error: (message, fields) => logger.error(message, ...extra(fields)),
  };
}
