/**
 * The Alpaca API key pair, read from Secrets Manager or SSM Parameter Store, never from the repo or
 * the Lambda environment (which holds only where the keys are).
 *
 * - Secrets Manager: one secret whose string is JSON `{"keyId": "...", "secretKey": "..."}` (the stack
 *   creates the secret without a value; the operator puts it with `aws secretsmanager put-secret-value`).
 * - SSM: two SecureString parameters `<prefix>/key-id` and `<prefix>/secret-key`, read decrypted in
 *   one GetParameters call.
 *
 * Every failure is a UserError with a hint (missing secret or parameter, no value yet, malformed
 * JSON, access denied); no message, detail or log line carries a key: messages name the secret, the
 * parameter or the JSON field, never a value.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { errorMessage, errorName, isAccessDenied } from '../aws-error.ts';
import { FaultError, UserError } from '../errors.ts';
import type { AlpacaCredentials } from '../trading/adapters/alpaca/client.ts';

export type BrokerKeysSource = { kind: 'secret'; secretId: string } | { kind: 'parameters'; prefix: string };

export interface BrokerCredentialClients {
  secretsManager?: Pick<SecretsManagerClient, 'send'>;
  ssm?: Pick<SSMClient, 'send'>;
}

const PUT_VALUE_HINT = (secretId: string) =>
  `Put the key pair into it: aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string '{"keyId":"PK…","secretKey":"…"}' (paper keys for the paper endpoint).`;

export async function readAlpacaCredentials(source: BrokerKeysSource, clients: BrokerCredentialClients): Promise<AlpacaCredentials> {
  switch (source.kind) {
    case 'secret':
      return fromSecret(source.secretId, clients);
    case 'parameters':
      return fromParameters(source.prefix, clients);
  }
}

async function fromSecret(secretId: string, clients: BrokerCredentialClients): Promise<AlpacaCredentials> {
  if (clients.secretsManager === undefined) throw new FaultError('BROKER_CREDENTIALS_NO_CLIENT', 'No Secrets Manager client was given to read the Alpaca keys.');
  let text: string | undefined;
  try {
    const response = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }));
    text = response.SecretString;
  } catch (error) {
    const name = errorName(error);
    if (name === 'ResourceNotFoundException') {
      // Secrets Manager says this both for a missing secret and for a secret that has no value yet.
      throw new UserError('BROKER_SECRET_MISSING', `Secrets Manager secret "${secretId}" does not exist or has no value yet (${errorMessage(error)}).`, `Check ALPACA_SECRET_ID and the region. ${PUT_VALUE_HINT(secretId)}`, {
        cause: error,
      });
    }
    if (isAccessDenied(error)) {
      throw new UserError('BROKER_SECRET_ACCESS_DENIED', `Reading Secrets Manager secret "${secretId}" was denied (${errorMessage(error)}).`, `Grant secretsmanager:GetSecretValue on that secret (and kms:Decrypt on its key, if it has its own) to the role in use.`, {
        cause: error,
      });
    }
    throw new FaultError('BROKER_SECRET_FAILED', `Reading Secrets Manager secret "${secretId}" failed: ${errorMessage(error)}`, { cause: error });
  }
  if (text === undefined || text.trim() === '') {
    throw new UserError('BROKER_SECRET_EMPTY', `Secrets Manager secret "${secretId}" has no string value.`, PUT_VALUE_HINT(secretId));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text, which is the secret.
    throw new UserError('BROKER_SECRET_MALFORMED', `Secrets Manager secret "${secretId}" is not JSON.`, PUT_VALUE_HINT(secretId));
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const missing = ['keyId', 'secretKey'].filter((field) => typeof record[field] !== 'string' || (record[field]).trim() === '');
  if (missing.length > 0) {
    throw new UserError('BROKER_SECRET_MALFORMED', `Secrets Manager secret "${secretId}" lacks ${missing.map((f) => `"${f}"`).join(' and ')} (a non-empty string each).`, PUT_VALUE_HINT(secretId));
  }
  return { keyId: record.keyId as string, secretKey: record.secretKey as string };
}

async function fromParameters(prefix: string, clients: BrokerCredentialClients): Promise<AlpacaCredentials> {
  if (clients.ssm === undefined) throw new FaultError('BROKER_CREDENTIALS_NO_CLIENT', 'No SSM client was given to read the Alpaca keys.');
  const base = prefix.replace(/\/+$/, '');
  const names = { keyId: `${base}/key-id`, secretKey: `${base}/secret-key` };
  const hint = `Create both as SecureString parameters: aws ssm put-parameter --type SecureString --name ${names.keyId} --value PK… (and ${names.secretKey}).`;
  let values: Map<string, string>;
  try {
    const response = await clients.ssm.send(new GetParametersCommand({ Names: [names.keyId, names.secretKey], WithDecryption: true }));
    values = new Map((response.Parameters ?? []).flatMap((p) => (p.Name !== undefined && p.Value !== undefined ? [[p.Name, p.Value] as const] : [])));
  } catch (error) {
    if (isAccessDenied(error)) {
      throw new UserError('BROKER_PARAMETER_ACCESS_DENIED', `Reading SSM parameters under "${base}" was denied (${errorMessage(error)}).`, 'Grant ssm:GetParameters on both parameters (and kms:Decrypt on their key) to the role in use.', {
        cause: error,
      });
    }
    throw new FaultError('BROKER_PARAMETER_FAILED', `Reading SSM parameters under "${base}" failed: ${errorMessage(error)}`, { cause: error });
  }
  const missing = Object.values(names).filter((name) => (values.get(name) ?? '').trim() === '');
  if (missing.length > 0) throw new UserError('BROKER_PARAMETER_MISSING', `SSM parameter(s) ${missing.join(', ')} do not exist or are empty.`, hint);
  return { keyId: values.get(names.keyId)!, secretKey: values.get(names.secretKey)! };
}
