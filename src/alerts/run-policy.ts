/**
 * One healthcheck run's alerting: read the state, decide, persist, send.
 *
 * Order matters. The new state is written FIRST, conditionally on the token that was read, and only a
 * run whose write succeeded calls `send`. Of two overlapping runs that see the same change, exactly one
 * wins the write and emails; the other gets 'conflict', re-reads, and (seeing the change already
 * recorded) stays silent.
 *
 * Trade-off: at most one email per change, and a failed send is retried on the next run. If `send`
 * throws, the state is written back as it was before this run (failing set, lastSentAt, lastSentKind),
 * so the next run sees the same change again and retries. If the process dies between the write and the
 * send, or the write-back itself fails, that email is lost (`restoreError` says so) — we accept a rare
 * lost email over a storm of duplicates every 5 minutes, and the next change or reminder still goes out.
 */
import { decideAlert, type AlertDecision, type AlertPolicyOptions, type SendDecision } from './policy.ts';
import { emptyAlertState, sameAlertState, type AlertState } from './state.ts';
import type { AlertStateStore } from './store.ts';
import type { Finding } from '../checks/finding.ts';

export interface AlertRunResult {
  decision: AlertDecision;
  /** True only when `send` completed without throwing. */
  sent: boolean;
  /** What `send` threw; the state was put back so the next run retries. Never thrown. */
  sendError?: unknown;
  /** A conditional write lost to another run (after one re-read and re-decide). */
  conflict?: boolean;
  /** Putting the state back after a failed send failed: this email will not be retried. */
  restoreError?: unknown;
}

export async function runAlertPolicy(
  store: AlertStateStore,
  findings: readonly Finding[],
  options: AlertPolicyOptions,
  send: (decision: SendDecision) => Promise<void>,
): Promise<AlertRunResult> {
  let conflicted = false;
  for (let attempt = 1; ; attempt++) {
    const stored = await store.read();
    const decision = decideAlert(stored?.state, findings, options);
    // Nothing to send and nothing new to remember: no write, so a steady state costs one read per run.
    if (!decision.send && sameAlertState(stored?.state, decision.next)) {
      return { decision, sent: false, ...(conflicted ? { conflict: true } : {}) };
    }
    const outcome = await store.write(decision.next, stored?.token);
    if (outcome === 'conflict') {
      conflicted = true;
      // Another run changed the state since we read it: it has handled (or is handling) this change.
      // Decide once more on what it wrote; if that loses too, give up quietly.
      if (attempt >= 2) return { decision, sent: false, conflict: true };
      continue;
    }
    const flags = conflicted ? { conflict: true } : {};
    if (!decision.send) return { decision, sent: false, ...flags };
    try {
      await send(decision);
      return { decision, sent: true, ...flags };
    } catch (sendError) {
      const restoreError = await restoreAfterFailedSend(store, decision.next, stored?.state);
      return { decision, sent: false, sendError, ...flags, ...(restoreError !== undefined ? { restoreError } : {}) };
    }
  }
}

/**
 * Puts back the state from before this run, if what is stored is still what this run wrote (another run
 * may have moved on since: then its state stands and the error says the email is lost). Never throws.
 */
async function restoreAfterFailedSend(store: AlertStateStore, written: AlertState, before: AlertState | undefined): Promise<unknown> {
  try {
    const current = await store.read();
    // Nothing stored: the next run finds every failure new and alerts anyway.
    if (current === undefined) return undefined;
    const lost = new Error('another run wrote the alert state after this one; the failed email will not be retried');
    if (!sameAlertState(current.state, written)) return lost;
    const outcome = await store.write(before ?? emptyAlertState(), current.token);
    return outcome === 'written' ? undefined : lost;
  } catch (error) {
    return error;
  }
}
