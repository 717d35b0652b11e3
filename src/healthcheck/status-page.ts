/**
 * The healthcheck's optional status page (issue 17): the run renders the page from its final report,
 * an adapter stores it (src/aws/status-page-publisher.ts: a private S3 bucket and a presigned link),
 * and every email the run sends ends with the link, or with why there is none.
 *
 * Publishing never stops an alert: a render or publish that fails is reported in the run's `errors`
 * (stage `status-page`) and logged as a warning, and the emails go out without the link. It does not
 * count as a CheckError: the check itself was fine, and the emails say that the link is missing.
 */
import type { CheckResult } from '../checks/run-check.ts';
import type { Notifier } from '../alerts/notifier.ts';
import { wallTime } from '../alerts/time.ts';
import { NYSE_TIMEZONE } from '../market/index.ts';
import { clipText } from '../clip-text.ts';

/**
 * Every snapshot's key starts with this (after an optional STATUS_PREFIX): the stack's IAM grant and
 * lifecycle rule (infra/status-page.ts) cover exactly this folder.
 */
export const STATUS_PAGE_FOLDER = 'status/';

/** The page renderer: one self-contained HTML document from the run's check (its report and snapshot). */
export type RenderStatusPage = (input: { check: CheckResult; now: Date; graceMinutes: number }) => Promise<string>;

export interface PublishedStatusPage {
  /** Object key of this run's snapshot. */
  key: string;
  /** Presigned GET of that snapshot. */
  url: string;
  /** When the link stops working, as far as the publisher can tell. */
  expiresAt: Date;
  /**
   * The link was signed with temporary credentials whose expiry the SDK does not expose (a Lambda
   * role's keys from the environment): it stops working when they expire, which may be before expiresAt.
   */
  mayExpireEarlier: boolean;
}

export interface StatusPagePublisher {
  /** Stores one run's page under a key of its own (`now`) and returns a link to that snapshot. */
  publish(html: string, now: Date): Promise<PublishedStatusPage>;
}

export interface StatusPageDeps {
  render: RenderStatusPage;
  publisher: StatusPagePublisher;
}

/** What the result document says about the page: absent when publishing is off. */
export type StatusPageOutcome = { url: string; key: string; expiresAt: string; mayExpireEarlier?: true } | { error: string };

export async function publishStatusPage(deps: StatusPageDeps, check: CheckResult, now: Date, graceMinutes: number): Promise<StatusPageOutcome> {
  try {
    const html = await deps.render({ check, now, graceMinutes });
    const page = await deps.publisher.publish(html, now);
    return { url: page.url, key: page.key, expiresAt: page.expiresAt.toISOString(), ...(page.mayExpireEarlier ? { mayExpireEarlier: true as const } : {}) };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/**
 * The email line: `Status page (until Thu 2026-01-29 11:36 ET): <url>`. A link signed with role
 * credentials of unknown expiry says so, so nobody trusts the time more than it deserves.
 */
export function statusPageLine(outcome: StatusPageOutcome, timezone: string = NYSE_TIMEZONE): string {
  if ('error' in outcome) return `Status page: not published this run (${clipText(outcome.error.replace(/\s+/g, ' '), 200)}).`;
  const until = wallTime(new Date(outcome.expiresAt), timezone);
  return `Status page (until ${until}${outcome.mayExpireEarlier ? ' at the latest; role credentials may end it sooner' : ''}): ${outcome.url}`;
}

/**
 * A notifier that ends every email body with the status page line. Wrapping the notifier, not each
 * renderer, puts the line in every email of the run (alert, reminder, recovery, self-healed) alike.
 */
export function withStatusPageLine(notifier: Notifier, line: string): Notifier {
  return {
    destination: notifier.destination,
    publish: (email) => notifier.publish({ ...email, body: `${email.body.trimEnd()}\n\n${line}\n` }),
  };
}
