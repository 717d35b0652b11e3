/**
 * moto with DynamoDB's per-item atomicity (atomic-moto.py): stock moto evaluates a
 * ConditionExpression and writes without a lock, so two concurrent conditional writes to one item can
 * both pass, which real DynamoDB never allows and the workflow store's "exactly one terminal
 * transition wins" relies on. The trading sandbox (`sandbox up --trading`, the demo, the chain's e2e
 * tests) runs handlers concurrently, so it starts this variant; everything else is moto unchanged.
 */
import { fileURLToPath } from 'node:url';
import { startMotoServer, type MotoServer, type StartMotoOptions } from '../moto-server.ts';

/** Given to startMotoServer as `python`: it patches moto, then runs the launcher as python3 would. */
export const ATOMIC_MOTO_PYTHON = fileURLToPath(new URL('./atomic-moto.py', import.meta.url));

export function startAtomicMotoServer(options: Omit<StartMotoOptions, 'python'> = {}): Promise<MotoServer> {
  return startMotoServer({ ...options, python: ATOMIC_MOTO_PYTHON });
}
