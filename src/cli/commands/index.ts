import type { OpsCommand, OpsGroup } from '../command.ts';
import { checkSchedulersCommand } from './check-schedulers.ts';
import { marketHoursCommand } from './market-hours.ts';
import { rollbackCommand } from './rollback.ts';
import { sandboxGroup } from './sandbox.ts';
import { scheduleExplainCommand } from './schedule-explain.ts';

/** Every top-level command, in the order `ops --help` lists them. */
export const commands: readonly (OpsCommand<never> | OpsGroup)[] = [
  checkSchedulersCommand,
  rollbackCommand,
  marketHoursCommand,
  { command: 'schedule', describe: 'Work with EventBridge Scheduler expressions', subcommands: [scheduleExplainCommand] },
  sandboxGroup,
];
