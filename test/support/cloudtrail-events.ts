/**
 * EventBridge "AWS API Call via CloudTrail" events as AWS delivers them, for the change-driven check's
 * tests (parser, healthcheck, Lambda, CLI). Shapes follow CloudTrail's records for Scheduler and ECS:
 * requestParameters as the service logged them, responseElements possibly null, errorCode on failure.
 */
export const ACCOUNT = '123456789012';
export const ACTOR = `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/alice`;

export interface CloudTrailEventInput {
  source: 'aws.scheduler' | 'aws.ecs';
  eventName: string;
  region?: string;
  eventTime?: string;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  errorCode?: string;
  /** CloudTrail's eventID (default evt-1); the EventBridge id follows it. */
  eventId?: string;
}

export function cloudTrailEvent(input: CloudTrailEventInput): Record<string, unknown> {
  const region = input.region ?? 'us-west-2';
  const eventTime = input.eventTime ?? '2026-11-23T15:00:00Z';
  const eventId = input.eventId ?? 'evt-1';
  return {
    version: '0',
    id: input.eventId === undefined ? 'b1f0c4de-0000-4000-8000-000000000001' : `eb-${eventId}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: input.source,
    account: ACCOUNT,
    time: eventTime,
    region,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: { type: 'AssumedRole', arn: ACTOR, accountId: ACCOUNT },
      eventTime,
      eventSource: input.source === 'aws.scheduler' ? 'scheduler.amazonaws.com' : 'ecs.amazonaws.com',
      eventName: input.eventName,
      awsRegion: region,
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2.17',
      requestParameters: input.requestParameters === undefined ? null : input.requestParameters,
      responseElements: input.responseElements === undefined ? null : input.responseElements,
      ...(input.errorCode !== undefined ? { errorCode: input.errorCode, errorMessage: 'denied' } : {}),
      requestID: 'req-1',
      eventID: eventId,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    },
  };
}

export function updateScheduleEvent(group: string, name: string, options: { region?: string; eventTime?: string; errorCode?: string; eventId?: string } = {}): Record<string, unknown> {
  const region = options.region ?? 'us-west-2';
  return cloudTrailEvent({
    source: 'aws.scheduler',
    eventName: 'UpdateSchedule',
    region,
    ...(options.eventTime !== undefined ? { eventTime: options.eventTime } : {}),
    ...(options.eventId !== undefined ? { eventId: options.eventId } : {}),
    requestParameters: { Name: name, GroupName: group, ScheduleExpression: 'rate(5 minutes)' },
    responseElements: options.errorCode !== undefined ? null : { ScheduleArn: `arn:aws:scheduler:${region}:${ACCOUNT}:schedule/${group}/${name}` },
    ...(options.errorCode !== undefined ? { errorCode: options.errorCode } : {}),
  });
}

export function deleteClusterEvent(cluster: string, region = 'us-west-2'): Record<string, unknown> {
  return cloudTrailEvent({
    source: 'aws.ecs',
    eventName: 'DeleteCluster',
    region,
    requestParameters: { cluster },
    responseElements: { cluster: { clusterArn: `arn:aws:ecs:${region}:${ACCOUNT}:cluster/${cluster}`, clusterName: cluster, status: 'INACTIVE' } },
  });
}

export function deregisterTaskDefinitionEvent(familyRevision: string, region = 'us-west-2'): Record<string, unknown> {
  return cloudTrailEvent({
    source: 'aws.ecs',
    eventName: 'DeregisterTaskDefinition',
    region,
    requestParameters: { taskDefinition: familyRevision },
    responseElements: { taskDefinition: { taskDefinitionArn: `arn:aws:ecs:${region}:${ACCOUNT}:task-definition/${familyRevision}`, status: 'INACTIVE' } },
  });
}

/**
 * What the healthcheck's SQS event source hands the Lambda for these events: one record per message,
 * the EventBridge event as the body (a string body is sent as it is).
 */
export function sqsBatch(bodies: readonly unknown[], queueArn = `arn:aws:sqs:us-west-2:${ACCOUNT}:ops-pipeline-schedule-changes`): { Records: Record<string, unknown>[] } {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `msg-${i + 1}`,
      receiptHandle: `handle-${i + 1}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1795446000000', SenderId: 'AIDAEVENTBRIDGE', ApproximateFirstReceiveTimestamp: '1795446000100' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-west-2',
    })),
  };
}
