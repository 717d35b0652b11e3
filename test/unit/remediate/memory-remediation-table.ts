/**
 * The remediation table (pk/sk) in memory behind aws-sdk-client-mock: PutItem with
 * `attribute_not_exists(pk)`, GetItem, and Query on one partition in sort-key order, which is all
 * src/aws/remediation-store.ts sends. Mocked at the document client class, so every adapter the CLI
 * builds talks to it. restore() when done.
 */
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { AuditEntry } from '../../../src/remediate/audit-log.ts';
import { parseBackup, type BackupDocument } from '../../../src/remediate/backup.ts';

type Item = Record<string, unknown>;

export interface MemoryRemediationTable {
  readonly items: Map<string, Item>;
  /** The audit entries, in sort-key order (the order a Query returns them). */
  audit(): AuditEntry[];
  /** The backup documents, in the order written. */
  backups(): BackupDocument[];
  /** Every call from now on fails with this error (e.g. ResourceNotFoundException). */
  failWith(name: string, message: string): void;
  restore(): void;
}

export function memoryRemediationTable(): MemoryRemediationTable {
  const items = new Map<string, Item>();
  const mock = mockClient(DynamoDBDocumentClient);
  let failure: Error | undefined;
  const keyOf = (pk: unknown, sk: unknown) => `${String(pk)}|${String(sk)}`;
  const failing = () => {
    if (failure) throw failure;
  };
  const partition = (pk: string) => [...items.values()].filter((i) => i.pk === pk).sort((a, b) => String(a.sk).localeCompare(String(b.sk)));

  mock.on(PutCommand).callsFake((input: { Item: Item; ConditionExpression?: string }) => {
    failing();
    const key = keyOf(input.Item.pk, input.Item.sk);
    if (input.ConditionExpression === 'attribute_not_exists(pk)' && items.has(key)) {
      throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
    }
    items.set(key, structuredClone(input.Item));
    return {};
  });
  mock.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => {
    failing();
    return { Item: items.get(keyOf(input.Key.pk, input.Key.sk)) };
  });
  mock.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: { ':pk': string } }) => {
    failing();
    return { Items: partition(input.ExpressionAttributeValues[':pk']) };
  });

  return {
    items,
    audit: () => partition('AUDIT').map((i) => JSON.parse(String(i.entry)) as AuditEntry),
    backups: () => [...items.values()].filter((i) => String(i.pk).startsWith('BACKUP#')).map((i) => parseBackup(String(i.document), String(i.sk))),
    failWith(name, message) {
      failure = Object.assign(new Error(message), { name });
    },
    restore: () => mock.restore(),
  };
}
