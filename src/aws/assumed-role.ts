/**
 * Credentials for another account, through STS AssumeRole, cached per role until shortly before they
 * expire. One org-wide run touches every account × region pair; pairs of one account share one
 * session, so 50 accounts × 4 regions cost 50 AssumeRole calls, not 200, and a run that outlasts a
 * session (a long --wait-for-run, a warm Lambda) gets a fresh one before the old one is refused.
 *
 * Why not @aws-sdk/credential-providers' fromTemporaryCredentials: it refreshes too, but it reads the
 * wall clock, and the org run needs the failure as data (which role, which action, what AWS said)
 * before the first call of a pair, not as every later call failing with an unrelated-looking error.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { errorMessage, errorName } from '../aws-error.ts';
import { clipText } from '../clip-text.ts';
import { PairIncompleteError } from '../org/pair-failure.ts';

export interface RoleSessionSettings {
  /** STS with the caller's own (central) credentials. */
  sts: STSClient;
  clock: () => Date;
  /** RoleSessionName: names the tool and the operator in the member account's CloudTrail. */
  sessionName: string;
  externalId?: string;
  /** Session length asked for (default 3600, AssumeRole's default and the role's usual maximum). */
  durationSeconds?: number;
  /** Fetch a new session this long before the old one expires (default 5 minutes). */
  refreshBeforeMs?: number;
}

/** A denied or failing AssumeRole, as data the org run turns into one CHECK_INCOMPLETE per account. */
export class RoleAssumptionError extends PairIncompleteError {
  readonly action = 'sts:AssumeRole';
  constructor(
    readonly roleArn: string,
    readonly errorName: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super({ action: 'sts:AssumeRole', errorName, reason: clipText(reason, 300) }, `sts:AssumeRole on ${roleArn} failed: ${errorName}: ${reason}`, options);
    this.name = 'RoleAssumptionError';
  }
}

export interface RoleCredentialCache {
  /** The SDK credential provider for this role: a cached session, refreshed near its expiry. */
  provider(roleArn: string): AwsCredentialIdentityProvider;
  /** AssumeRole calls made so far (for the report and the bench). */
  assumeRoleCalls(): number;
}

export const ROLE_SESSION_DEFAULTS = { durationSeconds: 3600, refreshBeforeMs: 5 * 60_000 } as const;

interface Session {
  credentials: AwsCredentialIdentity & { expiration: Date };
}

export function createRoleCredentialCache(settings: RoleSessionSettings): RoleCredentialCache {
  const durationSeconds = settings.durationSeconds ?? ROLE_SESSION_DEFAULTS.durationSeconds;
  const refreshBeforeMs = settings.refreshBeforeMs ?? ROLE_SESSION_DEFAULTS.refreshBeforeMs;
  const sessions = new Map<string, Session>();
  // Concurrent pairs of one account wait for the same AssumeRole instead of each making their own.
  const inFlight = new Map<string, Promise<Session>>();
  let calls = 0;

  const assume = async (roleArn: string): Promise<Session> => {
    calls += 1;
    let out;
    try {
      out = await settings.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: settings.sessionName,
          DurationSeconds: durationSeconds,
          ...(settings.externalId !== undefined ? { ExternalId: settings.externalId } : {}),
        }),
      );
    } catch (error) {
      throw new RoleAssumptionError(roleArn, errorName(error), errorMessage(error), { cause: error });
    }
    const c = out.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined || c.Expiration === undefined) {
      throw new RoleAssumptionError(roleArn, 'IncompleteCredentials', 'AssumeRole answered without a complete set of credentials');
    }
    // A server clock that disagrees with ours (an emulator on a virtual clock, a skewed host) can make an
    // Expiration already past, or already inside the refresh window, by our clock: either would force an
    // AssumeRole per call, so trust the duration asked for then (a real session lasts 15 minutes at least).
    const obtainedAt = settings.clock().getTime();
    const expiresAt = c.Expiration.getTime() - obtainedAt > refreshBeforeMs ? c.Expiration.getTime() : obtainedAt + durationSeconds * 1000;
    return { credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(expiresAt) } };
  };

  const fresh = (session: Session | undefined): session is Session =>
    session !== undefined && session.credentials.expiration.getTime() - settings.clock().getTime() > refreshBeforeMs;

  const get = async (roleArn: string): Promise<AwsCredentialIdentity> => {
    const cached = sessions.get(roleArn);
    if (fresh(cached)) return cached.credentials;
    let pending = inFlight.get(roleArn);
    if (pending === undefined) {
      pending = assume(roleArn).finally(() => inFlight.delete(roleArn));
      inFlight.set(roleArn, pending);
    }
    const session = await pending;
    sessions.set(roleArn, session);
    return session.credentials;
  };

  return {
    provider: (roleArn) => () => get(roleArn),
    assumeRoleCalls: () => calls,
  };
}

/** RoleSessionName allows 2-64 of [\w+=,.@-]; anything else in an operator's name becomes "-". */
export function roleSessionName(tool: string, operator: string | undefined): string {
  const clean = (text: string) => text.replace(/[^\w+=,.@-]/g, '-');
  const name = operator === undefined || operator.trim() === '' ? clean(tool) : `${clean(tool)}-${clean(operator.trim())}`;
  return name.slice(0, 64).padEnd(2, '-');
}

/** The partition of a region: China and GovCloud roles live under their own ARN prefix. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** A role given by name becomes the ARN in that account; a full ARN is used as it is. */
export function roleArnFor(account: string, role: string, region: string): string {
  return role.startsWith('arn:') ? role : `arn:${partitionOf(region)}:iam::${account}:role/${role}`;
}
