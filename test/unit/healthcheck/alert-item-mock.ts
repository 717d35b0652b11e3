/**
 * The Lambda tests' DynamoDB: a document-client mock holding the one alert-state item the handler
 * reads (GetItem) and writes (PutItem), so a second invocation sees what the first stored.
 */
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

export interface AlertItemMock {
  /** The item as last written; undefined before the first write. */
  item(): Record<string, unknown> | undefined;
  restore(): void;
}

export function mockAlertItem(): AlertItemMock {
  let stored: Record<string, unknown> | undefined;
  const documents = mockClient(DynamoDBDocumentClient);
  documents.on(GetCommand).callsFake(() => ({ Item: stored }));
  documents.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => {
    stored = input.Item;
    return {};
  });
  return { item: () => stored, restore: () => documents.restore() };
}
