/**
 * Fire times computed independently of the firer: cron() through src/schedule directly, rate()
 * by plain arithmetic on the schedule's creation time (the sandbox keeps rate()'s phase).
 */
import { fireTimesBetween, parseExpression } from '../../src/schedule/index.ts';

export interface ScheduleTiming {
  expression: string;
  timezone: string;
  creationDate: Date;
  startDate?: Date;
  endDate?: Date;
}

export function expectedFireTimes(s: ScheduleTiming, after: Date, atOrBefore: Date): Date[] {
  const parsed = parseExpression(s.expression);
  if (parsed.kind === 'rate') {
    const anchor = (s.startDate ?? s.creationDate).getTime();
    const period = parsed.periodMs;
    const out: Date[] = [];
    // The first anchor + k*period (k may be negative: the replay predates the schedule in moto) after `after`.
    let t = anchor + Math.floor((after.getTime() - anchor) / period + 1) * period;
    for (; t <= atOrBefore.getTime(); t += period) {
      const inWindow = (s.startDate === undefined || t >= s.startDate.getTime()) && (s.endDate === undefined || t < s.endDate.getTime());
      if (inWindow) out.push(new Date(t));
    }
    return out;
  }
  return fireTimesBetween(parsed, {
    timezone: s.timezone,
    after,
    atOrBefore,
    ...(s.startDate ? { startDate: s.startDate } : {}),
    ...(s.endDate ? { endDate: s.endDate } : {}),
  });
}
