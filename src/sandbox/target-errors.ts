/**
 * Which target errors EventBridge Scheduler retries. AWS documents that Scheduler retries an
 * invocation per the schedule's RetryPolicy when the target call fails with a transient error
 * (throttling, timeouts, 5xx) and does not retry errors that another attempt cannot fix (4xx client
 * errors: a missing cluster, a denied role, an invalid parameter); those go straight to the
 * dead-letter queue, or are dropped.
 */
import type { TargetError } from './firer-ports.ts';

export const ErrorClass = { retryable: 'retryable', permanent: 'permanent' } as const;
export type ErrorClass = (typeof ErrorClass)[keyof typeof ErrorClass];

/** Throttling codes across the services a schedule can target. */
const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'EC2ThrottledException',
]);

/** Transient server-side or transport failures that carry no (or an unreliable) HTTP status. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ServerException',
  'ServiceException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'InternalServiceError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
]);

export function isThrottlingError(error: TargetError): boolean {
  return THROTTLING_CODES.has(error.code) || error.httpStatus === 429;
}

export function classifyTargetError(error: TargetError): ErrorClass {
  if (isThrottlingError(error) || TRANSIENT_CODES.has(error.code)) return ErrorClass.retryable;
  if (error.httpStatus !== undefined && error.httpStatus >= 500) return ErrorClass.retryable;
  return ErrorClass.permanent;
}
