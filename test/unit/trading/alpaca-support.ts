/** Shared set-up for the Alpaca contract tests: a contract server, a client on it, a fake sleep. */
import { AlpacaClient, type AlpacaClientOptions } from '../../../src/trading/adapters/alpaca/client.ts';
import { AlpacaContractServer, type AlpacaContractOptions } from '../../support/alpaca-contract-server.ts';

export const KEY_ID = 'PKTEST0000000000';
export const SECRET = 'sEcReT-do-not-print-9f3a1c';

export interface Harness {
  server: AlpacaContractServer;
  client: AlpacaClient;
  /** Every delay the client asked to sleep, in ms. Nothing really waits. */
  sleeps: number[];
}

export async function startHarness(options: Partial<AlpacaContractOptions> = {}, client: Partial<AlpacaClientOptions> = {}): Promise<Harness> {
  const server = await AlpacaContractServer.start({ keyId: KEY_ID, secretKey: SECRET, cash: '10000', ...options });
  const sleeps: number[] = [];
  const alpaca = new AlpacaClient({
    credentials: { keyId: KEY_ID, secretKey: SECRET },
    tradingBaseUrl: server.url,
    dataBaseUrl: server.url,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...client,
  });
  return { server, client: alpaca, sleeps };
}
