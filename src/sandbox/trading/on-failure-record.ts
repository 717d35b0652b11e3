/**
 * The record Lambda sends to an asynchronous invocation's on-failure destination once its retries
 * are exhausted (AWS Lambda developer guide, "Capturing records of Lambda asynchronous invocations").
 * The local runtime sends it to `ops-trading-failed`, where `ops workflow dlq list|redrive` reads it
 * exactly as it reads the deployed stack's failed-invocations queue.
 */
export interface OnFailureRecord {
  version: '1.0';
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: 'RetriesExhausted'; approximateInvokeCount: number };
  /** The event the function was invoked with: here, the EventBridge → Lambda event. */
  requestPayload: unknown;
  responseContext: { statusCode: 200; executedVersion: '$LATEST'; functionError: 'Unhandled' };
  responsePayload: { errorType: string; errorMessage: string };
}

export interface InvocationError {
  type: string;
  message: string;
}

export function invocationError(error: unknown): InvocationError {
  if (error instanceof Error) return { type: error.name, message: error.message };
  return { type: typeof error, message: String(error) };
}

/** `functionArn` without a qualifier; the record names `$LATEST`, the version that ran. */
export function onFailureRecord(input: { requestId: string; functionArn: string; attempts: number; event: unknown; error: InvocationError; at: Date }): OnFailureRecord {
  return {
    version: '1.0',
    timestamp: input.at.toISOString(),
    requestContext: { requestId: input.requestId, functionArn: `${input.functionArn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: input.attempts },
    requestPayload: input.event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: input.error.type, errorMessage: input.error.message },
  };
}
