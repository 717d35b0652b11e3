import { clipText } from '../clip-text.ts';
import { nextFireTimes } from './evaluate.ts';
import type { CronExpression, ParsedExpression } from './expression.ts';

/** Short human text, e.g. "every 5 minutes" or "cron at minute 0/5, hours 9-16, MON-FRI". */
export function describeExpression(expr: ParsedExpression): string {
  switch (expr.kind) {
    case 'rate':
      return expr.value === 1 ? `every ${expr.unit.slice(0, -1)}` : `every ${expr.value} ${expr.unit}`;
    case 'at':
      return `once at ${expr.dateTime}`;
    case 'cron':
      return describeCron(expr);
  }
}

function describeCron(cron: CronExpression): string {
  // A valid field can still be long (0,0,0,... repeated), and this text goes into messages.
  const [minutes, hours, dom, month, dow, year] = cron.fields.map((field) => clipText(field, 40)) as [string, string, string, string, string, string];
  const parts = [minutes === '*' ? 'every minute' : `minute ${minutes}`];
  if (hours !== '*') parts.push(`hours ${hours}`);
  if (dom !== '?' && dom !== '*') parts.push(`day ${dom.toUpperCase()}`);
  if (month !== '*') parts.push(`month ${month.toUpperCase()}`);
  if (dow !== '?' && dow !== '*') parts.push(dow.toUpperCase());
  if (year !== '*') parts.push(`year ${year}`);
  return `cron at ${parts.join(', ')}`;
}

const SAMPLE_FIRES = 25;

/**
 * Typical gap between fires: exact for rate(), the median gap of the next few fires (in UTC, from
 * 2025 or the first allowed year) for cron(), undefined for at() and for a cron that never fires twice.
 * The median keeps one long weekend or month-end gap from skewing the estimate.
 */
export function nominalPeriodMs(expr: ParsedExpression): number | undefined {
  switch (expr.kind) {
    case 'rate':
      return expr.periodMs;
    case 'at':
      return undefined;
    case 'cron':
      return cronMedianGapMs(expr);
  }
}

function cronMedianGapMs(cron: CronExpression): number | undefined {
  const firstYear = cron.years[0] ?? 2025;
  // A fixed reference keeps the estimate deterministic; fall back to the first allowed year
  // for crons restricted to years before the reference.
  for (const year of [Math.max(firstYear, 2025), firstYear]) {
    const fires = nextFireTimes(cron, { after: new Date(Date.UTC(year, 0, 1) - 1), count: SAMPLE_FIRES });
    if (fires.length < 2) continue;
    const gaps = fires.slice(1).map((fire, i) => fire.getTime() - fires[i]!.getTime());
    gaps.sort((a, b) => a - b);
    return gaps[Math.floor((gaps.length - 1) / 2)];
  }
  return undefined;
}
