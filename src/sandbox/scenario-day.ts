/**
 * A scenario moved to another New York calendar day (`--day`): the replay window keeps its wall times
 * and every absolute date in the scenario (StartDate, EndDate, at() expressions) moves by the same
 * number of calendar days, so a planted "expired" schedule is still expired and a one-time schedule
 * still fires inside the window. Wall times stay wall times across DST, as Scheduler's cron does.
 */
import { Temporal } from 'temporal-polyfill';
import { NYSE_TIMEZONE } from '../market/index.ts';
import { daysUntil, type ReplayDay } from './replay-day.ts';
import { validateScenario } from './scenario.ts';
import type { Scenario, ScenarioSchedule } from './scenario-schema.ts';

export interface ScenarioOnDay {
  scenario: Scenario;
  /** Where the replay starts on the day: the scenario's replay.start wall time, else 09:30 New York. */
  start: Date;
}

export function scenarioOnDay(scenario: Scenario, day: ReplayDay): ScenarioOnDay {
  const replayStart = scenario.replay?.start;
  if (replayStart === undefined) return { scenario, start: day.open };
  const days = daysUntil(new Date(replayStart), day.date, NYSE_TIMEZONE);
  const move = (iso: string) => shiftDays(new Date(iso), days).toISOString();
  const start = shiftDays(new Date(replayStart), days);
  const moved = {
    ...scenario,
    replay: { ...scenario.replay, start: start.toISOString(), ...(scenario.replay?.end !== undefined ? { end: move(scenario.replay.end) } : {}) },
    schedules: scenario.schedules.map((s): ScenarioSchedule => ({
      ...s,
      expression: shiftAtExpression(s.expression, days),
      ...(s.startDate !== undefined ? { startDate: move(s.startDate) } : {}),
      ...(s.endDate !== undefined ? { endDate: move(s.endDate) } : {}),
    })),
  };
  // Validated again: the cross-checks (an EndDate before the replay needs its planted fault) must hold on the new day too.
  return { scenario: validateScenario(moved, `${scenario.name} on ${day.date}`), start };
}

/** `instant` moved by whole New York calendar days, keeping its wall time there. */
function shiftDays(instant: Date, days: number): Date {
  const zoned = Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(NYSE_TIMEZONE);
  return new Date(zoned.add({ days }).epochMilliseconds);
}

/** at(yyyy-mm-ddThh:mm:ss) is a wall time in the schedule's own zone: its date moves, its time stays. */
function shiftAtExpression(expression: string, days: number): string {
  const match = /^at\((\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})\)$/.exec(expression);
  if (match === null) return expression;
  return `at(${Temporal.PlainDate.from(match[1]!).add({ days }).toString()}T${match[2]})`;
}
