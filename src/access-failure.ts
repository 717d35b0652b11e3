/**
 * What "the caller's setup is wrong" looks like in an AWS failure, shared by the CLI's error mapping
 * (src/aws/access-errors.ts) and the check's blindness (src/checks/blindness.ts), which must agree:
 * the same failure may not be exit 2 in one command and a finding in another.
 */
export const AccessErrorCode = { noCredentials: 'NO_CREDENTIALS', endpointUnreachable: 'ENDPOINT_UNREACHABLE' } as const;
export type AccessErrorCode = (typeof AccessErrorCode)[keyof typeof AccessErrorCode];

/**
 * Matched against "<error name> <message>": SDK v3 names most of these, but a credential provider's
 * or Node's network error sometimes only says it in the message.
 * - CredentialsProviderError: nothing in the chain (or the --profile) gave credentials.
 * - ExpiredToken(Exception), InvalidClientTokenId, UnrecognizedClientException, InvalidAccessKeyId,
 *   AuthFailure, MissingAuthenticationToken: AWS does not know the key, or the session ended.
 * - InvalidSignatureException, SignatureDoesNotMatch, IncompleteSignature: a wrong secret key.
 */
const CREDENTIAL_ERRORS =
  /CredentialsProviderError|Could not load credentials|ExpiredToken|InvalidClientTokenId|UnrecognizedClientException|InvalidAccessKeyId|AuthFailure|MissingAuthenticationToken|InvalidSignatureException|SignatureDoesNotMatch|IncompleteSignature/;
/**
 * What is left after the SDK's retries when nothing answered: refused, no such host, no route, timed
 * out, or a connection the other end keeps dropping (a TLS port spoken to over http, a proxy).
 */
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|NetworkingError|TimeoutError|socket hang up/;

export const NO_CREDENTIALS_HINT =
  'Set AWS_PROFILE (or pass --profile), or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; to try ops without AWS, run `ops sandbox up` and export what it prints.';
export const ENDPOINT_UNREACHABLE_HINT = 'Check --endpoint / AWS_ENDPOINT_URL and your network; for the local sandbox, start it with `ops sandbox up`.';

export function accessErrorCodeOf(failure: { errorName: string; message: string }): AccessErrorCode | undefined {
  const text = `${failure.errorName} ${failure.message}`;
  if (CREDENTIAL_ERRORS.test(text)) return AccessErrorCode.noCredentials;
  if (UNREACHABLE.test(text)) return AccessErrorCode.endpointUnreachable;
  return undefined;
}
