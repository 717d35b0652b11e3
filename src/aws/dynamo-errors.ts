/**
 * What a failed DynamoDB call becomes, for every adapter on a table this project owns (the run
 * ledger, the workflow store, the alert state, the remediation backups and audit): one mapping, each
 * adapter with its own codes, words and hints.
 *
 * - ResourceNotFoundException → UserError `<missing>`: the table is not there (not deployed, wrong
 *   name or region); the hint says where the name comes from.
 * - access denied → UserError `<denied>`: the hint names the `dynamodb:<operation>` to grant.
 * - throttling (only for adapters that declare a `throttled` code) → FaultError `<throttled>`.
 * - anything else → FaultError `<failed>`.
 *
 * A ConditionalCheckFailedException is an answer, not a failure, wherever the adapter wrote the
 * condition to ask a question ("was it there already?"): `callDynamo` passes it through unmapped for
 * the adapter to read with `isConditionalCheckFailed`, unless the adapter says the condition is only a
 * safety net (`mapConditionalCheckFailed`).
 */
import { errorMessage, errorName, isAccessDenied } from '../aws-error.ts';
import { FaultError, UserError } from '../errors.ts';

/** The names DynamoDB and the SDK give a call refused for capacity or request rate. */
export const DYNAMO_THROTTLING_NAMES: readonly string[] = ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'];

export type DynamoErrorMapper = (operation: string, tableName: string, error: unknown) => Error;

export interface DynamoErrorSpec {
  /** How the messages name the table: `remediation table`, `run-ledger table`. */
  table: string;
  codes: { missing: string; denied: string; failed: string; throttled?: string };
  hints: { missing: string; denied: (operation: string) => string };
  /** The table name as the user errors show it (a name a person typed may be clipped); default: as is. */
  shownName?: (tableName: string) => string;
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

/** The adapter's mapper: also what `ensureDynamoTable` gets, so creating the table speaks the same words. */
export function dynamoErrorMapper(spec: DynamoErrorSpec): DynamoErrorMapper {
  const shown = spec.shownName ?? ((name: string) => name);
  return (operation, tableName, error) => {
    const message = errorMessage(error);
    const name = errorName(error);
    if (name === 'ResourceNotFoundException') {
      return new UserError(spec.codes.missing, `DynamoDB ${operation} failed: ${spec.table} "${shown(tableName)}" does not exist (${message}).`, spec.hints.missing, { cause: error });
    }
    if (isAccessDenied(error)) {
      return new UserError(spec.codes.denied, `DynamoDB ${operation} on ${spec.table} "${shown(tableName)}" was denied (${message}).`, spec.hints.denied(operation), { cause: error });
    }
    if (spec.codes.throttled !== undefined && DYNAMO_THROTTLING_NAMES.includes(name)) {
      return new FaultError(spec.codes.throttled, `DynamoDB ${operation} on ${spec.table} "${tableName}" was throttled: ${message}`, { cause: error });
    }
    return new FaultError(spec.codes.failed, `DynamoDB ${operation} on ${spec.table} "${tableName}" failed: ${message}`, { cause: error });
  };
}

export interface CallDynamoOptions {
  /** Map a ConditionalCheckFailedException like any failure (default: pass it through for the caller to answer). */
  mapConditionalCheckFailed?: boolean;
}

/** Runs one DynamoDB call; what it throws comes back through the adapter's mapper. */
export async function callDynamo<T>(operation: string, tableName: string, mapError: DynamoErrorMapper, run: () => Promise<T>, options: CallDynamoOptions = {}): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!options.mapConditionalCheckFailed && isConditionalCheckFailed(error)) throw error;
    throw mapError(operation, tableName, error);
  }
}

/** The hint for a denied call when a person (not a deployed role) is making it. */
export function grantToCallerHint(operation: string): string {
  return `Grant dynamodb:${operation} on the table to the role or user in use.`;
}
