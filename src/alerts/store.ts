/**
 * Where the alert state lives between runs, with optimistic concurrency: `read` hands back an opaque
 * token, and `write` succeeds only if the stored state still carries that token (or, with no token,
 * only if nothing is stored yet). Two healthcheck runs that overlap therefore cannot both email.
 */
import type { AlertState } from './state.ts';
import { cloneAlertState } from './state.ts';

export interface AlertStateStore {
  read(): Promise<{ state: AlertState; token: string } | undefined>;
  write(state: AlertState, expectedToken: string | undefined): Promise<'written' | 'conflict'>;
}

/** In-process store (tests, the CLI without a state file). The token is a revision counter. */
export class MemoryAlertStateStore implements AlertStateStore {
  private stored: { state: AlertState; revision: number } | undefined;

  constructor(initial?: AlertState) {
    if (initial !== undefined) this.stored = { state: cloneAlertState(initial), revision: 1 };
  }

  async read(): Promise<{ state: AlertState; token: string } | undefined> {
    if (this.stored === undefined) return undefined;
    return { state: cloneAlertState(this.stored.state), token: String(this.stored.revision) };
  }

  async write(state: AlertState, expectedToken: string | undefined): Promise<'written' | 'conflict'> {
    const current = this.stored;
    if (expectedToken === undefined ? current !== undefined : current === undefined || String(current.revision) !== expectedToken) {
      return 'conflict';
    }
    this.stored = { state: cloneAlertState(state), revision: (current?.revision ?? 0) + 1 };
    return 'written';
  }
}
