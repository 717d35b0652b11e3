import { GetRoleCommand, IAMClient, IAMServiceException, NoSuchEntityException } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createIamReader } from '../../../src/aws/iam-reader.ts';
import { fakeHttpHandler, OFFLINE_CLIENT_CONFIG, type FakeResponse } from './fake-http-handler.ts';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/scheduler-run`;
const meta = { $metadata: {} };

const client = new IAMClient(OFFLINE_CLIENT_CONFIG);
const mock = mockClient(client);
beforeEach(() => {
  mock.reset();
});

describe('getRole (mocked client)', () => {
  it('asks by the role name, without the path, and is found', async () => {
    mock.on(GetRoleCommand).resolves({
      Role: { Arn: ROLE, RoleName: 'scheduler-run', Path: '/service-role/', RoleId: 'AROA1', CreateDate: new Date(0) },
    });

    const lookup = await createIamReader(client).getRole(ROLE);

    expect(mock).toHaveReceivedCommandExactlyOnceWith(GetRoleCommand, { RoleName: 'scheduler-run' });
    expect(lookup).toEqual({ status: 'found', value: { arn: ROLE } });
  });

  it('is missing on NoSuchEntity', async () => {
    mock.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'The role with name scheduler-run cannot be found.', ...meta }));

    const lookup = await createIamReader(client).getRole(ROLE);

    expect(lookup).toEqual({ status: 'missing', reason: 'role scheduler-run does not exist' });
  });

  it('is unknown with iam:GetRole on AccessDenied', async () => {
    mock.on(GetRoleCommand).rejects(new IAMServiceException({ name: 'AccessDenied', $fault: 'client', message: 'not authorized to perform: iam:GetRole', ...meta }));

    const lookup = await createIamReader(client).getRole(ROLE);

    expect(lookup).toEqual({
      status: 'unknown',
      failure: { action: 'iam:GetRole', errorName: 'AccessDenied', message: 'not authorized to perform: iam:GetRole' },
    });
  });

  it('does not call IAM for something that is not a role ARN', async () => {
    const lookup = await createIamReader(client).getRole(`arn:aws:iam::${ACCOUNT}:user/alice`);

    expect(lookup).toEqual({ status: 'missing', reason: `arn:aws:iam::${ACCOUNT}:user/alice is not an IAM role ARN` });
    expect(mock).toHaveReceivedCommandTimes(GetRoleCommand, 0);
  });

  it('stays unknown when the same-named role it finds is in another account', async () => {
    const foreign = 'arn:aws:iam::999999999999:role/service-role/scheduler-run';
    mock.on(GetRoleCommand).resolves({ Role: { Arn: ROLE, RoleName: 'scheduler-run', Path: '/service-role/', RoleId: 'AROA1', CreateDate: new Date(0) } });

    const lookup = await createIamReader(client).getRole(foreign);

    expect(lookup).toMatchObject({ status: 'unknown', failure: { action: 'iam:GetRole', errorName: 'CrossAccountRole' } });
  });
});

describe('getRole over the query protocol (real client, scripted HTTP)', () => {
  const xmlError = (status: number, code: string, message: string): FakeResponse => ({
    statusCode: status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`,
  });
  const realReader = (response: FakeResponse) => {
    const http = fakeHttpHandler([response]);
    return { http, reader: createIamReader(new IAMClient({ ...OFFLINE_CLIENT_CONFIG, maxAttempts: 1, requestHandler: http.handler })) };
  };

  it('parses a found role and sends RoleName', async () => {
    const { http, reader } = realReader({
      statusCode: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role><Path>/service-role/</Path><RoleName>scheduler-run</RoleName><RoleId>AROA1</RoleId><Arn>${ROLE}</Arn><CreateDate>2025-01-01T00:00:00Z</CreateDate></Role></GetRoleResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetRoleResponse>`,
    });

    const lookup = await reader.getRole(ROLE);

    expect(http.requests[0]?.body).toContain('Action=GetRole');
    expect(http.requests[0]?.body).toContain('RoleName=scheduler-run');
    expect(lookup).toEqual({ status: 'found', value: { arn: ROLE } });
  });

  it('maps the wire code NoSuchEntity to missing', async () => {
    const { reader } = realReader(xmlError(404, 'NoSuchEntity', 'The role with name scheduler-run cannot be found.'));

    expect(await reader.getRole(ROLE)).toEqual({ status: 'missing', reason: 'role scheduler-run does not exist' });
  });

  it('maps the wire code AccessDenied to unknown with iam:GetRole', async () => {
    const { reader } = realReader(xmlError(403, 'AccessDenied', 'User is not authorized to perform: iam:GetRole'));

    expect(await reader.getRole(ROLE)).toEqual({
      status: 'unknown',
      failure: { action: 'iam:GetRole', errorName: 'AccessDenied', message: 'User is not authorized to perform: iam:GetRole' },
    });
  });
});
