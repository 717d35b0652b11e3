/**
 * The DynamoDB run ledger on the sandbox's real DynamoDB API: the same contract MemoryRunLedger
 * passes in unit tests, plus table creation being idempotent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoRunLedger, ensureRunLedgerTable } from '../../src/aws/run-ledger-store.ts';
import { resetSandbox } from '../../src/sandbox/moto-server.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { describeRunLedgerContract } from '../support/run-ledger-contract.ts';
import { motoEndpoint } from './sandbox-harness.ts';

const TABLE = 'ops-run-ledger-contract';
let ledger: DynamoRunLedger;

beforeAll(async () => {
  const endpoint = motoEndpoint();
  await resetSandbox(endpoint);
  const clients = createSandboxClients(endpoint, 'us-west-2');
  await ensureRunLedgerTable(clients.dynamodb, TABLE);
  ledger = new DynamoRunLedger({ client: clients.dynamodb, tableName: TABLE });
});

describe('ensureRunLedgerTable', () => {
  it('is idempotent on an existing table', async () => {
    const clients = createSandboxClients(motoEndpoint(), 'us-west-2');
    expect(await ensureRunLedgerTable(clients.dynamodb, TABLE)).toMatchObject({ created: false });
  });
});

describeRunLedgerContract('DynamoRunLedger on the sandbox', () => ledger);
