import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupLocation, backupLocationEntry, createDynamoAuditLog, createDynamoBackupStore, ensureRemediationTable, parseBackupLocation } from '../../../src/aws/remediation-store.ts';
import type { AuditEntry } from '../../../src/remediate/audit-log.ts';
import { BACKUP_FORMAT, type BackupDocument } from '../../../src/remediate/backup.ts';
import { ecsSchedule } from '../remediate/fakes.ts';

const TABLE = 'ops-remediation';
const doc = mockClient(DynamoDBDocumentClient);
const raw = mockClient(DynamoDBClient);
let items: Map<string, Record<string, unknown>>;
const client = new DynamoDBClient({ region: 'us-west-2' });

beforeEach(() => {
  items = new Map();
  doc.on(PutCommand).callsFake((input: { Item: Record<string, unknown>; ConditionExpression?: string }) => {
    const key = `${String(input.Item.pk)}|${String(input.Item.sk)}`;
    if (input.ConditionExpression === 'attribute_not_exists(pk)' && items.has(key)) throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
    items.set(key, structuredClone(input.Item));
    return {};
  });
  doc.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => ({ Item: items.get(`${input.Key.pk}|${input.Key.sk}`) }));
  doc.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: { ':pk': string } }) => ({
    Items: [...items.values()].filter((i) => i.pk === input.ExpressionAttributeValues[':pk']).sort((a, b) => String(a.sk).localeCompare(String(b.sk))),
  }));
});
afterEach(() => {
  doc.reset();
  raw.reset();
});

const schedule = ecsSchedule('ops-pipeline', 'ops-pipeline-classifier');
const backup: BackupDocument = {
  format: BACKUP_FORMAT,
  takenAt: '2026-11-23T14:45:00.000Z',
  runId: 'fix-20261123T144500000Z-ab12',
  entryId: 'fix-20261123T144500000Z-ab12.01',
  action: 'fix',
  schedule: { group: 'ops-pipeline', name: 'ops-pipeline-classifier', arn: schedule.Arn! },
  definition: schedule,
  intended: { Name: 'ops-pipeline-classifier', GroupName: 'ops-pipeline', ScheduleExpression: 'rate(5 minutes)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: 'x', RoleArn: 'y' } },
};

describe('DynamoDB backup store', () => {
  it('writes the complete definition once and reads it back with its dates', async () => {
    const store = createDynamoBackupStore({ client, tableName: TABLE });

    const location = await store.write(backup);

    expect(location).toBe(backupLocation(TABLE, 'BACKUP#ops-pipeline/ops-pipeline-classifier', '2026-11-23T14:45:00.000Z#fix-20261123T144500000Z-ab12.01'));
    expect(parseBackupLocation(location)).toEqual({ tableName: TABLE, pk: 'BACKUP#ops-pipeline/ops-pipeline-classifier', sk: '2026-11-23T14:45:00.000Z#fix-20261123T144500000Z-ab12.01' });
    const read = await store.read(location);
    expect(read.definition).toEqual(schedule);
    expect(read.definition.LastModificationDate).toBeInstanceOf(Date);
    await expect(store.write(backup)).rejects.toMatchObject({ code: 'REMEDIATION_TABLE_FAILED' });
  });

  it('refuses a location in another table or none at all', async () => {
    const store = createDynamoBackupStore({ client, tableName: TABLE });
    await expect(store.read('/tmp/backup.json')).rejects.toMatchObject({ code: 'BACKUP_UNREADABLE' });
    await expect(store.read(backupLocation('other', 'a', 'b'))).rejects.toMatchObject({ code: 'BACKUP_UNREADABLE' });
    await expect(store.read(backupLocation(TABLE, 'a', 'b'))).rejects.toMatchObject({ code: 'BACKUP_UNREADABLE' });
  });

  it('says when the table is missing', async () => {
    doc.on(PutCommand).rejects(Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }));
    await expect(createDynamoBackupStore({ client, tableName: TABLE }).write(backup)).rejects.toMatchObject({ code: 'REMEDIATION_TABLE_MISSING' });
  });
});

describe('DynamoDB audit log', () => {
  const entry = (entryId: string, phase: 'pending' | 'result', at: string): AuditEntry => ({
    entryId,
    runId: 'fix-1',
    at,
    who: 'arn:aws:sts::123456789012:assumed-role/healthcheck/fn',
    action: 'fix',
    phase,
    schedule: backup.schedule,
    before: { targetArn: 'a' },
    after: { targetArn: 'b' },
    lastModificationDate: {},
  });

  it('reads entries back in the order written: by time, then entry, pending before result', async () => {
    const audit = createDynamoAuditLog({ client, tableName: TABLE });
    await audit.append(entry('fix-1.01', 'pending', '2026-11-23T14:45:00.000Z'));
    await audit.append(entry('fix-1.01', 'result', '2026-11-23T14:45:00.000Z'));
    await audit.append(entry('fix-1.02', 'pending', '2026-11-23T14:45:01.000Z'));

    expect((await audit.readAll()).map((e) => `${e.entryId} ${e.phase}`)).toEqual(['fix-1.01 pending', 'fix-1.01 result', 'fix-1.02 pending']);
    expect(audit.path).toBe(`dynamodb://${TABLE}/AUDIT`);
  });
});

describe('ensureRemediationTable', () => {
  it('creates the table with pk/sk when missing and waits until ACTIVE', async () => {
    let described = 0;
    raw.on(DescribeTableCommand).callsFake(() => {
      described += 1;
      if (described === 1) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      return { Table: { TableStatus: described === 2 ? 'CREATING' : 'ACTIVE' } };
    });
    raw.on(CreateTableCommand).resolves({});

    expect(await ensureRemediationTable(client, TABLE, { sleep: async () => undefined })).toEqual({ created: true });
    expect(raw.commandCalls(CreateTableCommand)[0]?.args[0].input).toMatchObject({ TableName: TABLE, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], BillingMode: 'PAY_PER_REQUEST' });
    expect(described).toBe(3);
  });
});

describe('backup locations and the hints a caller passes', () => {
  it('a location names its table and the audit entry of its write; anything else is not a location', () => {
    const location = backupLocation(TABLE, 'BACKUP#ops-pipeline/ops-pipeline-classifier', '2026-11-23T14:45:00.000Z#fix-20261123T144500000Z-ab12.01');

    expect(backupLocationEntry(location)).toEqual({ tableName: TABLE, entryId: 'fix-20261123T144500000Z-ab12.01' });
    expect(backupLocationEntry(`dynamodb://${TABLE}/AUDIT`)).toBeUndefined();
    expect(backupLocationEntry(backupLocation(TABLE, 'AUDIT', '2026-11-23T14:45:00.000Z#fix-1.01#pending'))).toBeUndefined();
    expect(backupLocationEntry(backupLocation(TABLE, 'BACKUP#g/n', 'no-entry'))).toBeUndefined();
    expect(backupLocationEntry('.ops/backups/x.json')).toBeUndefined();
  });

  it('by default a missing table or a denied call speaks to the healthcheck\'s deployment; a caller may say otherwise', async () => {
    doc.on(QueryCommand).rejects(Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }));
    doc.on(GetCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));

    await expect(createDynamoAuditLog({ client, tableName: TABLE }).readAll()).rejects.toMatchObject({
      code: 'REMEDIATION_TABLE_MISSING',
      hint: 'Deploy the stack (pulumi up), or set REMEDIATION_TABLE to the table the stack created.',
    });
    await expect(createDynamoBackupStore({ client, tableName: TABLE }).read(backupLocation(TABLE, 'BACKUP#g/n', 's#e'))).rejects.toMatchObject({
      code: 'REMEDIATION_TABLE_ACCESS_DENIED',
      hint: "Grant dynamodb:GetItem on the table to the healthcheck's role.",
    });

    const hints = { missing: 'Check --from-table.', denied: (operation: string) => `Ask for dynamodb:${operation}.` };
    await expect(createDynamoAuditLog({ client, tableName: TABLE, hints }).readAll()).rejects.toMatchObject({ code: 'REMEDIATION_TABLE_MISSING', hint: 'Check --from-table.' });
    await expect(createDynamoBackupStore({ client, tableName: TABLE, hints }).read(backupLocation(TABLE, 'BACKUP#g/n', 's#e'))).rejects.toMatchObject({
      code: 'REMEDIATION_TABLE_ACCESS_DENIED',
      hint: 'Ask for dynamodb:GetItem.',
    });
  });

  it('an audit item that is not JSON is named, not a bare SyntaxError', async () => {
    items.set('AUDIT|x', { pk: 'AUDIT', sk: '2026-11-23T14:45:00.000Z#fix-1.01#pending', entry: '{"entryId": "fix-1.01",' });

    await expect(createDynamoAuditLog({ client, tableName: TABLE }).readAll()).rejects.toMatchObject({
      code: 'REMEDIATION_TABLE_CORRUPT_ITEM',
      message: `Audit item AUDIT / 2026-11-23T14:45:00.000Z#fix-1.01#pending in remediation table "${TABLE}" is not JSON; was it written by another tool?`,
    });
  });
});
