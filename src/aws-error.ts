/**
 * Classifies what the AWS SDK throws, so adapters turn a failed call into data (`missing` or
 * `unknown`) instead of an exception. SDK v3 errors carry the service's error code in `name`; older
 * query-protocol shapes and Node network errors sometimes leave `name` as plain `Error` and put the
 * code in `Code` / `code`, so both are read.
 */

/**
 * Error names that mean "the caller may not do this", across protocols:
 * - `AccessDenied`: query-protocol services (IAM, STS) and S3.
 * - `AccessDeniedException`: JSON / REST-JSON services (Scheduler, ECS, Lambda, CloudWatch, SQS).
 * - `UnauthorizedOperation`: EC2, which the ECS and VPC look-ups may reach through.
 */
export const ACCESS_DENIED_NAMES = ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'] as const;

/**
 * ECS answered denied calls with `ClientException` and an IAM message before it had a dedicated
 * AccessDeniedException; some regions and LocalStack still do. The message is the only signal.
 */
const NOT_AUTHORIZED_MESSAGE = /is not authorized to perform/i;

export function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'UnknownError';
  const { name, Code, code } = error as { name?: unknown; Code?: unknown; code?: unknown };
  if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
  if (typeof Code === 'string' && Code !== '') return Code;
  if (typeof code === 'string' && code !== '') return code;
  return typeof name === 'string' && name !== '' ? name : 'UnknownError';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null) {
    const { message, Message } = error as { message?: unknown; Message?: unknown };
    if (typeof message === 'string') return message;
    if (typeof Message === 'string') return Message;
  }
  return String(error);
}

/** The names an error answers to: its `name` and, when present, its wire `Code` / `code`. */
function namesOf(error: unknown): string[] {
  if (typeof error !== 'object' || error === null) return [];
  const { name, Code, code } = error as { name?: unknown; Code?: unknown; code?: unknown };
  return [name, Code, code].filter((value): value is string => typeof value === 'string');
}

export function isAccessDenied(error: unknown): boolean {
  const names = namesOf(error);
  if (names.some((name) => (ACCESS_DENIED_NAMES as readonly string[]).includes(name))) return true;
  return names.includes('ClientException') && NOT_AUTHORIZED_MESSAGE.test(errorMessage(error));
}

/**
 * Each service names "no such thing" differently (`ResourceNotFoundException`, `NoSuchEntity`,
 * `QueueDoesNotExist`, `ClusterNotFoundException`), so the adapter says which names count.
 */
export function isNotFound(error: unknown, ...names: readonly string[]): boolean {
  return namesOf(error).some((name) => names.includes(name));
}
