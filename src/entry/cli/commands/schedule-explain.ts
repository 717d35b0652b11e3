import { clipText } from '../../../clip-text.ts';
import { describeExpression, nextFireTimes, noFireWarnings, parseExpression, validateTimezone, type FireWarning } from '../../../schedule/index.ts';
import { defineCommand } from '../command.ts';
import { formatOffset, formatWallTime } from '../../../time-format.ts';
import { parseCountOption, parseInstantOption } from '../parse-instant.ts';

interface Args {
  expression: string;
  tz: string;
  from?: string;
  count: number;
  startDate?: string;
  endDate?: string;
}

export const scheduleExplainCommand = defineCommand<Args>({
  command: 'explain <expression>',
  describe: 'Validate an EventBridge Scheduler expression and list its next fire times',
  builder: (y) =>
    y
      .positional('expression', { type: 'string', demandOption: true, describe: 'cron(...), rate(...) or at(...), quoted' })
      .option('tz', { type: 'string', default: 'UTC', describe: 'IANA timezone of the schedule (ScheduleExpressionTimezone)' })
      .option('from', { type: 'string', describe: 'List fire times after this ISO instant (default: now)' })
      .option('count', { type: 'number', default: 10, describe: 'How many fire times to list (1-1000)' })
      .option('start-date', { type: 'string', describe: 'The schedule StartDate (ISO instant); also the anchor of rate()' })
      .option('end-date', { type: 'string', describe: 'The schedule EndDate (ISO instant)' })
      .example('$0 schedule explain "cron(0/5 9-16 ? * MON-FRI *)" --tz America/New_York', 'Every 5 minutes in NY trading hours'),
  run: async (args, ctx) => {
    const parsed = parseExpression(args.expression);
    const timezone = validateTimezone(args.tz);
    const count = parseCountOption('count', args.count, 1000);
    const from = args.from !== undefined ? parseInstantOption('from', args.from) : ctx.now();
    const startDate = args.startDate !== undefined ? parseInstantOption('start-date', args.startDate) : undefined;
    const endDate = args.endDate !== undefined ? parseInstantOption('end-date', args.endDate) : undefined;
    // rate() counts from the schedule's start (or creation); without --start-date we anchor at --from.
    const anchor = parsed.kind === 'rate' ? (startDate ?? from) : undefined;
    const window = {
      timezone,
      after: from,
      ...(startDate ? { startDate } : {}),
      ...(endDate ? { endDate } : {}),
      ...(anchor ? { anchor } : {}),
    };
    const fires = nextFireTimes(parsed, { ...window, count });
    // AWS accepts expressions that never fire, so explain says why instead of failing: exit 0 stays "valid".
    const warnings = fires.length === 0 ? noFireWarnings(parsed, window) : [];
    const description = describeExpression(parsed);
    const rows = fires.map((fire) => ({ utc: fire.toISOString(), local: formatWallTime(fire, timezone), offset: formatOffset(fire, timezone) }));
    const json = {
      valid: true,
      expression: parsed.source,
      kind: parsed.kind,
      description,
      timezone,
      from: from.toISOString(),
      ...(anchor && !startDate ? { anchor: anchor.toISOString(), anchorNote: 'rate() anchored at --from; pass --start-date for the real anchor' } : {}),
      warnings: warnings.map(warningJson),
      nextFireTimes: rows,
    };
    const header = [
      `${clipText(parsed.source)} — valid: ${description}`,
      ...warnings.map((warning) => `warning: ${warning.message}`),
      `timezone ${timezone}; next ${rows.length} fire time(s) after ${from.toISOString()}:`,
    ];
    if (json.anchorNote) header.push(`(${json.anchorNote})`);
    const width = Math.max(...rows.map((r) => r.local.length), 10);
    const lines = rows.map((r) => `  ${r.local.padEnd(width)} ${r.offset}   ${r.utc}`);
    if (rows.length === 0) lines.push('  (none: the expression never fires in its window)');
    return { exitCode: 0, json, text: [...header, ...lines].join('\n') };
  },
});

function warningJson(warning: FireWarning): { code: string; message: string; lastFireTime?: string } {
  return { code: warning.code, message: warning.message, ...(warning.lastFireTime ? { lastFireTime: warning.lastFireTime.toISOString() } : {}) };
}
