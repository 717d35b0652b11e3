import type { OpsCommand, OpsGroup } from '../command.ts';
import { marketHoursCommand } from './market-hours.ts';
import { scheduleExplainCommand } from './schedule-explain.ts';

/** Every top-level command, in the order `ops --help` lists them. */
export const commands: readonly (OpsCommand<never> | OpsGroup)[] = [
  marketHoursCommand,
  { command: 'schedule', describe: 'Work with EventBridge Scheduler expressions', subcommands: [scheduleExplainCommand] },
];
