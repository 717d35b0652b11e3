/**
 * The remediation's BackupStore and AuditLog (src/remediate/backup.ts, audit-log.ts) on one DynamoDB
 * table, for the healthcheck Lambda, which has no durable disk. Same contract as the files the CLI
 * writes: a backup is the complete GetSchedule output, written before the UpdateSchedule it precedes
 * and never overwritten; the audit log is append-only and read back in the order written.
 *
 * | pk                         | sk                                   | attributes                               |
 * |----------------------------|--------------------------------------|------------------------------------------|
 * | `BACKUP#<group>/<name>`    | `<takenAt ISO>#<entryId>`            | document (the backup JSON), runId, entryId |
 * | `AUDIT`                    | `<at ISO>#<entryId>#<phase>`         | entry (the audit entry JSON), runId      |
 *
 * Documents are stored as JSON text, not as DynamoDB maps, so a backup reads back byte-for-byte as the
 * file backup would (parseBackup revives the dates) and nothing is lost to attribute type mapping.
 * The audit log is one partition: a healthcheck writes at most 2 × MAX_CHANGES items a run, far
 * below a partition's limits, and one Query returns it in order. ISO instants sort as text; `pending`
 * sorts before `result`.
 *
 * A backup's "path" (what the audit entry and the self-healed email name) is
 * `dynamodb://<table>/<pk>/<sk>` with both keys URI-encoded. `ops rollback --from-table <table>` reads
 * both kinds of item through these same adapters, and records its own backups and audit entries here
 * too (src/entry/cli/commands/rollback.ts says why).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { FaultError, UserError } from '../errors.ts';
import type { AuditEntry, AuditLog } from '../remediate/audit-log.ts';
import { parseBackup, type BackupDocument, type BackupStore } from '../remediate/backup.ts';
import { callDynamo, dynamoErrorMapper, type DynamoErrorMapper, type DynamoErrorSpec } from './dynamo-errors.ts';
import { ensureDynamoTable, PK_SK_TABLE_SCHEMA, type EnsureTableOptions } from './dynamo-table.ts';

export const REMEDIATION_TABLE_SCHEMA = PK_SK_TABLE_SCHEMA;

const AUDIT_PK = 'AUDIT';
const BACKUP_PK_PREFIX = 'BACKUP#';
const LOCATION_PREFIX = 'dynamodb://';

export interface RemediationStoreOptions {
  client: DynamoDBClient | DynamoDBDocumentClient;
  tableName: string;
  /**
   * What a missing table or a denied call tells the person: by default the healthcheck's deployment
   * (its REMEDIATION_TABLE, its role); `ops rollback --from-table` passes its own.
   */
  hints?: Partial<DynamoErrorSpec['hints']>;
}

const REMEDIATION_ERRORS: DynamoErrorSpec = {
  table: 'remediation table',
  codes: { missing: 'REMEDIATION_TABLE_MISSING', denied: 'REMEDIATION_TABLE_ACCESS_DENIED', failed: 'REMEDIATION_TABLE_FAILED' },
  hints: {
    missing: 'Deploy the stack (pulumi up), or set REMEDIATION_TABLE to the table the stack created.',
    denied: (operation) => `Grant dynamodb:${operation} on the table to the healthcheck's role.`,
  },
};

const storeError = dynamoErrorMapper(REMEDIATION_ERRORS);

function errorsFor(options: RemediationStoreOptions): DynamoErrorMapper {
  return options.hints === undefined ? storeError : dynamoErrorMapper({ ...REMEDIATION_ERRORS, hints: { ...REMEDIATION_ERRORS.hints, ...options.hints } });
}

function documentClient(client: DynamoDBClient | DynamoDBDocumentClient): DynamoDBDocumentClient {
  return client instanceof DynamoDBDocumentClient ? client : DynamoDBDocumentClient.from(client);
}

export function backupLocation(tableName: string, pk: string, sk: string): string {
  return `${LOCATION_PREFIX}${tableName}/${encodeURIComponent(pk)}/${encodeURIComponent(sk)}`;
}

export function parseBackupLocation(location: string): { tableName: string; pk: string; sk: string } | undefined {
  if (!location.startsWith(LOCATION_PREFIX)) return undefined;
  const parts = location.slice(LOCATION_PREFIX.length).split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  const [tableName = '', pk = '', sk = ''] = parts;
  return { tableName, pk: decodeURIComponent(pk), sk: decodeURIComponent(sk) };
}

/**
 * The audit entry id a backup location belongs to (its sort key is `<takenAt>#<entryId>`), and the
 * table it names; undefined for anything that is not a backup location.
 */
export function backupLocationEntry(location: string): { tableName: string; entryId: string } | undefined {
  const key = parseBackupLocation(location);
  if (key === undefined || !key.pk.startsWith(BACKUP_PK_PREFIX)) return undefined;
  const hash = key.sk.indexOf('#');
  const entryId = hash < 0 ? '' : key.sk.slice(hash + 1);
  return entryId === '' ? undefined : { tableName: key.tableName, entryId };
}

/** The table behind an audit log this module made (its path is `dynamodb://<table>/<AUDIT_PK>`); undefined for any other log. */
export function auditLogTable(path: string): string | undefined {
  const suffix = `/${AUDIT_PK}`;
  if (!path.startsWith(LOCATION_PREFIX) || !path.endsWith(suffix)) return undefined;
  const table = path.slice(LOCATION_PREFIX.length, -suffix.length);
  return table === '' || table.includes('/') ? undefined : table;
}

export function createDynamoBackupStore(options: RemediationStoreOptions): BackupStore {
  const doc = documentClient(options.client);
  const table = options.tableName;
  const send = sender(errorsFor(options));
  return {
    async write(document: BackupDocument) {
      const pk = `${BACKUP_PK_PREFIX}${document.schedule.group}/${document.schedule.name}`;
      const sk = `${document.takenAt}#${document.entryId}`;
      await send('PutItem', table, () =>
        doc.send(
          new PutCommand({
            TableName: table,
            Item: { pk, sk, runId: document.runId, entryId: document.entryId, document: JSON.stringify(document) },
            // A backup is evidence: never replace one (an entry id is unique per run and write).
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return backupLocation(table, pk, sk);
    },

    async read(location: string) {
      const key = parseBackupLocation(location);
      if (key === undefined || key.tableName !== table) {
        throw new UserError('BACKUP_UNREADABLE', `"${location}" is not a backup in DynamoDB table ${table}.`, `Pass a location as written by the healthcheck: ${LOCATION_PREFIX}${table}/<pk>/<sk>.`);
      }
      const out = await send('GetItem', table, () => doc.send(new GetCommand({ TableName: table, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true })));
      const text: unknown = out.Item?.document;
      if (typeof text !== 'string') {
        throw new UserError('BACKUP_UNREADABLE', `No backup at ${location}.`, 'List the backups of the schedule with a Query on pk = BACKUP#<group>/<name>.');
      }
      return parseBackup(text, location);
    },
  };
}

export function createDynamoAuditLog(options: RemediationStoreOptions): AuditLog {
  const doc = documentClient(options.client);
  const table = options.tableName;
  const send = sender(errorsFor(options));
  return {
    path: `${LOCATION_PREFIX}${table}/${AUDIT_PK}`,
    async append(entry: AuditEntry) {
      await send('PutItem', table, () =>
        doc.send(
          new PutCommand({
            TableName: table,
            Item: { pk: AUDIT_PK, sk: `${entry.at}#${entry.entryId}#${entry.phase}`, runId: entry.runId, entry: JSON.stringify(entry) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },
    async readAll() {
      const entries: AuditEntry[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await send('Query', table, () =>
          doc.send(
            new QueryCommand({
              TableName: table,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': AUDIT_PK },
              ConsistentRead: true,
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          ),
        );
        for (const item of page.Items ?? []) {
          const text: unknown = item.entry;
          if (typeof text === 'string') entries.push(parseAuditItem(text, table, item.sk));
        }
        start = page.LastEvaluatedKey as Record<string, unknown> | undefined;
      } while (start !== undefined);
      return entries;
    },
  };
}

/** An item is written whole or not at all, so one that does not parse was written by another tool: say which. */
function parseAuditItem(text: string, table: string, sk: unknown): AuditEntry {
  try {
    return JSON.parse(text) as AuditEntry;
  } catch (error) {
    throw new FaultError('REMEDIATION_TABLE_CORRUPT_ITEM', `Audit item ${AUDIT_PK} / ${String(sk)} in remediation table "${table}" is not JSON; was it written by another tool?`, { cause: error });
  }
}

/** Creates the table when it does not exist and waits until it is ACTIVE (tests, the sandbox, first deploys). */
export async function ensureRemediationTable(
  client: DynamoDBClient,
  tableName: string,
  options: EnsureTableOptions = {},
): Promise<{ created: boolean }> {
  const { created } = await ensureDynamoTable(client, tableName, { schema: REMEDIATION_TABLE_SCHEMA, error: storeError, notActiveCode: 'REMEDIATION_TABLE_NOT_ACTIVE' }, options);
  return { created };
}

/**
 * Every write here is conditional only as a safety net (a backup or an audit entry is never replaced),
 * so a failed condition is a failure like any other.
 */
function sender(mapError: DynamoErrorMapper) {
  return <T>(operation: string, tableName: string, call: () => Promise<T>): Promise<T> => callDynamo(operation, tableName, mapError, call, { mapConditionalCheckFailed: true });
}
