/**
 * WorkflowCompleted | WorkflowFailed → one summary message. This is where a run's outcome is
 * observed; nothing waits for it in-process.
 */
import { EventType, Step } from '../events.ts';
import type { Notifier } from '../../ports/notifier.ts';
import type { StepHandler } from '../step-handler.ts';
import { renderWorkflowSummary } from '../summary.ts';

export interface NotificationStepDeps {
  notifier: Notifier;
}

export function createNotificationStep(deps: NotificationStepDeps): StepHandler<typeof EventType.workflowCompleted | typeof EventType.workflowFailed> {
  return {
    name: 'notification',
    step: Step.notification,
    consumes: [EventType.workflowCompleted, EventType.workflowFailed],
    runsWhen: 'finished',
    async run(event, ctx) {
      await deps.notifier.notify(renderWorkflowSummary(event, ctx.record));
      return { emit: [] };
    },
  };
}
