/**
 * What makes two findings "the same problem" across runs. A fingerprint names the code and the thing
 * the finding is about, never the evidence that changes from run to run (missedCount, lastRunAt), so a
 * fault that lasts for hours keeps one fingerprint and is emailed once.
 */
import { FindingCode, type Finding } from '../checks/finding.ts';

/**
 * `<code> schedule:<schedule ARN>`, `<code> group:<group>`, or for CHECK_INCOMPLETE (one finding per
 * failing IAM action) `<code> action:<action>`, or for an INVOCATION_FAILED that no schedule could be
 * read from (a stray message on a dead-letter queue) `<code> queue:<queue ARN>`. A finding with none
 * of these is `<code> check`.
 */
export function fingerprintOf(f: Finding): string {
  if (f.code === FindingCode.CHECK_INCOMPLETE) {
    const action = f.evidence.action;
    if (typeof action === 'string' && action !== '') return `${f.code} action:${action}`;
  }
  if (f.code === FindingCode.INVOCATION_FAILED && !f.schedule) {
    const queue = f.evidence.queueArn;
    if (typeof queue === 'string' && queue !== '') return `${f.code} queue:${queue}`;
  }
  if (f.schedule) {
    // Fixtures (and a schedule whose details could not be read) may lack an ARN; group/name still identifies it.
    const id = f.schedule.arn !== '' ? f.schedule.arn : `${f.schedule.group}/${f.schedule.name}`;
    return `${f.code} schedule:${id}`;
  }
  if (f.group !== undefined) return `${f.code} group:${f.group}`;
  return `${f.code} check`;
}

/** A fingerprint in words, for emails that mention a finding that is no longer in the report. */
export function describeFingerprint(fingerprint: string): { code: string; subject: string } {
  const space = fingerprint.indexOf(' ');
  if (space < 0) return { code: fingerprint, subject: '' };
  const code = fingerprint.slice(0, space);
  const rest = fingerprint.slice(space + 1);
  if (rest.startsWith('schedule:')) {
    const id = rest.slice('schedule:'.length);
    // arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>
    const match = /:schedule\/([^/]+)\/(.+)$/.exec(id);
    return { code, subject: match ? `${match[1]}/${match[2]}` : id };
  }
  if (rest.startsWith('group:')) return { code, subject: `group ${rest.slice('group:'.length)}` };
  if (rest.startsWith('action:')) return { code, subject: `check ${rest.slice('action:'.length)}` };
  if (rest.startsWith('queue:')) {
    const arn = rest.slice('queue:'.length);
    return { code, subject: `queue ${arn.slice(arn.lastIndexOf(':') + 1)}` };
  }
  return { code, subject: rest === 'check' ? '(whole check)' : rest };
}
