/** What the workflow commands say when AWS (the bus, the endpoint) stands in the way. */
import { EventPublishError } from '../../../aws/eventbridge-bus.ts';
import type { AwsClients } from '../../../aws/clients.ts';
import { clipText } from '../../../clip-text.ts';
import { isOpsError, UserError } from '../../../errors.ts';

/** Names what a call could not reach: the endpoint when one is set (the sandbox), else the region. */
export function awsTarget(clients: AwsClients): string {
  const { endpoint, region } = clients.config;
  return endpoint !== undefined ? `the endpoint ${endpoint}` : `AWS in ${region}`;
}

const BUS_MISSING_ENTRY = new Set(['ResourceNotFoundException']);
const BUS_DENIED_ENTRY = new Set(['AccessDeniedException', 'NotAuthorizedForSourceException', 'NotAuthorizedForDetailTypeException']);

/**
 * A bus that is missing or refuses us is the user's to fix, whether EventBridge said so for the whole
 * call or per entry. The record already exists then, so the hint says how to publish it afterwards.
 */
export function busFailure(error: unknown, busName: string, correlationId: string): UserError | undefined {
  const entryCodes = error instanceof EventPublishError ? new Set(error.failed.map((f) => f.errorCode)) : new Set<string>();
  const every = (codes: ReadonlySet<string>) => entryCodes.size > 0 && [...entryCodes].every((c) => codes.has(c));
  const code = isOpsError(error) ? error.code : undefined;
  const bus = clipText(busName);
  const recorded = `Workflow ${clipText(correlationId)} is recorded (RUNNING) but WorkflowStarted was not published.`;
  // A start of a RUNNING workflow publishes WorkflowStarted from the stored parameters: the re-run heals it.
  const rerun = `then run \`ops workflow start --correlation-id ${correlationId}\` again to publish it for the recorded workflow.`;
  if (code === 'EVENT_BUS_MISSING' || every(BUS_MISSING_ENTRY)) {
    return new UserError('EVENT_BUS_MISSING', `EventBridge bus "${bus}" does not exist. ${recorded}`, `Pass --bus <name> or export EVENT_BUS_NAME (the stack output eventBusName), and check --region; ${rerun}`, { cause: error });
  }
  if (code === 'EVENT_BUS_ACCESS_DENIED' || every(BUS_DENIED_ENTRY)) {
    return new UserError('EVENT_BUS_ACCESS_DENIED', `EventBridge refused PutEvents on bus "${bus}". ${recorded}`, `Grant events:PutEvents on the bus to the role or user in use; ${rerun}`, { cause: error });
  }
  return undefined;
}
