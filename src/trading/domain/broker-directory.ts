/**
 * Which broker account a workflow trades: the account id travels in the workflow's params, and the
 * directory resolves it. One process (a Lambda instance, a local run) may serve many accounts.
 */
import { UserError } from '../../errors.ts';
import type { Broker } from '../ports/broker.ts';

export type BrokerDirectory = (accountId: string) => Broker;

export function brokerDirectory(accounts: ReadonlyMap<string, Broker> | Record<string, Broker>): BrokerDirectory {
  const map: ReadonlyMap<string, Broker> = accounts instanceof Map ? accounts : new Map(Object.entries(accounts as Record<string, Broker>));
  return (accountId) => {
    const broker = map.get(accountId);
    if (broker === undefined) {
      throw new UserError('UNKNOWN_ACCOUNT', `No broker is configured for account "${accountId}".`, `Configure one of: ${[...map.keys()].join(', ') || '(none)'}.`);
    }
    return broker;
  };
}
