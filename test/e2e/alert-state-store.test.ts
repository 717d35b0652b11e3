/**
 * DynamoAlertStateStore on the sandbox's real DynamoDB API: table creation is idempotent, the store
 * passes the same contract as the memory and file stores, conditional writes conflict as they would in
 * AWS, and two healthcheck runs racing on one key send exactly one email.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ALERT_POLICY_DEFAULTS, runAlertPolicy, type SendDecision } from '../../src/alerts/index.ts';
import type { AwsClients } from '../../src/aws/clients.ts';
import { DynamoAlertStateStore, ensureAlertStateTable } from '../../src/aws/alert-state-store.ts';
import { resetSandbox } from '../../src/sandbox/moto-server.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { incidentClusterFindings } from '../unit/alerts/fixtures.ts';
import { describeAlertStateStoreContract, RECOVERED_STATE, SAMPLE_STATE } from '../unit/alerts/store-contract.ts';
import { motoEndpoint } from './sandbox-harness.ts';

const TABLE = 'ops-alert-state-e2e';
let clients: AwsClients;
let keys = 0;
/** Every test gets its own key, so they never see each other's item. */
const freshStore = () => new DynamoAlertStateStore({ client: clients.dynamodb, tableName: TABLE, key: `e2e-${++keys}` });

beforeAll(async () => {
  const endpoint = motoEndpoint();
  await resetSandbox(endpoint);
  clients = createSandboxClients(endpoint, 'us-west-2');
  expect(await ensureAlertStateTable(clients.dynamodb, TABLE)).toEqual({ created: true });
});

describe('ensureAlertStateTable on the sandbox', () => {
  it('is idempotent on an existing table', async () => {
    expect(await ensureAlertStateTable(clients.dynamodb, TABLE)).toEqual({ created: false });
  });
});

describe('DynamoAlertStateStore on the sandbox', () => {
  it('first write without a token, a conflicting write, and a read back that equals what was written', async () => {
    const store = freshStore();
    expect(await store.read()).toBeUndefined();
    expect(await store.write(SAMPLE_STATE, undefined)).toBe('written');
    const first = await store.read();
    expect(first).toEqual({ state: SAMPLE_STATE, token: '1' });

    expect(await store.write(RECOVERED_STATE, undefined)).toBe('conflict'); // item exists
    expect(await store.write(RECOVERED_STATE, '2')).toBe('conflict'); // wrong revision
    expect(await store.read()).toEqual({ state: SAMPLE_STATE, token: '1' });

    expect(await store.write(RECOVERED_STATE, first?.token)).toBe('written');
    expect(await store.read()).toEqual({ state: RECOVERED_STATE, token: '2' });
    expect(await store.write(SAMPLE_STATE, first?.token)).toBe('conflict'); // stale token
  });

  it('a missing table is a UserError with a hint', async () => {
    const store = new DynamoAlertStateStore({ client: clients.dynamodb, tableName: 'no-such-table', key: 'x' });
    await expect(store.read()).rejects.toMatchObject({ code: 'ALERT_STATE_TABLE_MISSING', kind: 'user' });
  });

  it('two healthcheck runs racing on one key send exactly one email', async () => {
    const key = `race-${++keys}`;
    const handle = () => new DynamoAlertStateStore({ client: clients.dynamodb, tableName: TABLE, key });
    const sent: SendDecision[] = [];
    const options = { now: new Date('2026-01-29T16:41:00Z'), marketOpen: true, ...ALERT_POLICY_DEFAULTS };
    const send = async (decision: SendDecision) => {
      sent.push(decision);
    };
    const results = await Promise.all([
      runAlertPolicy(handle(), incidentClusterFindings(), options, send),
      runAlertPolicy(handle(), incidentClusterFindings(), options, send),
    ]);
    expect(sent).toHaveLength(1);
    expect(results.filter((r) => r.sent)).toHaveLength(1);
    expect((await handle().read())?.state.lastSentKind).toBe('alert');
  });
});

describeAlertStateStoreContract(
  'DynamoAlertStateStore on the sandbox',
  async () => freshStore(),
  (store) => new DynamoAlertStateStore({ client: clients.dynamodb, tableName: TABLE, key: (store as DynamoAlertStateStore).key }),
);
