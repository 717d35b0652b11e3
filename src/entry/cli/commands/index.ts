import type { OpsCommand, OpsGroup } from '../command.ts';
import { checkSchedulersCommand } from './check-schedulers.ts';
import { demoCommand } from './demo.ts';
import { healthcheckCommand } from './healthcheck.ts';
import { marketHoursCommand } from './market-hours.ts';
import { rollbackCommand } from './rollback.ts';
import { sandboxGroup } from './sandbox.ts';
import { scheduleExplainCommand } from './schedule-explain.ts';
import { statusGroup } from './status.ts';
import { workflowGroup } from './workflow.ts';

/** Every top-level command, in the order `ops --help` lists them. */
export const commands: readonly (OpsCommand<never> | OpsGroup)[] = [
  checkSchedulersCommand,
  healthcheckCommand,
  rollbackCommand,
  statusGroup,
  marketHoursCommand,
  { command: 'schedule', describe: 'Work with EventBridge Scheduler expressions', subcommands: [scheduleExplainCommand] },
  sandboxGroup,
  demoCommand,
  workflowGroup,
];
