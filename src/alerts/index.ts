/**
 * Public surface of the alert policy: dedup, reminders and recovery for the 5-minute healthcheck, the
 * stores that remember what was sent, and the emails. Other folders import from here.
 */
export { describeFingerprint, fingerprintOf } from './fingerprint.ts';
export { alertStateSchema, emptyAlertState, parseAlertState, sameAlertState } from './state.ts';
export type { AlertKind, AlertState, FailingEntry } from './state.ts';
export { ALERT_POLICY_DEFAULTS, decideAlert, REMINDER_SLACK_MS } from './policy.ts';
export type { AlertChanges, AlertDecision, AlertPolicyOptions, AlertScope, SendDecision } from './policy.ts';
export { MemoryAlertStateStore } from './store.ts';
export type { AlertStateStore } from './store.ts';
export { DEFAULT_ALERT_STATE_FILE, FileAlertStateStore } from './file-store.ts';
export type { FileAlertStateStoreOptions } from './file-store.ts';
export { runAlertPolicy } from './run-policy.ts';
export type { AlertRunResult } from './run-policy.ts';
export { fitSubject, MAX_SUBJECT_LENGTH, MAX_TABLE_ROWS, renderAlertEmail, renderSelfHealedEmail } from './render.ts';
export type { AlertEmail, AlertEmailOptions, EmailPlace, SelfHealedChange } from './render.ts';
