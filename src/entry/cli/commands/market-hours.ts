import { nyse, type MarketStatus, type Session } from '../../../market/index.ts';
import { defineCommand } from '../command.ts';
import { formatClock, formatDuration, formatWallTime } from '../../../time-format.ts';
import { parseInstantOption } from '../parse-instant.ts';

interface Args {
  at?: string;
}

export const marketHoursCommand = defineCommand<Args>({
  command: 'market-hours',
  describe: 'Is the NYSE open now (or --at an instant)? When does it close or open next?',
  builder: (y) =>
    y
      .option('at', { type: 'string', describe: 'ISO-8601 instant to ask about (default: now), e.g. 2026-11-27T15:00:00Z' })
      .example('$0 market-hours', 'Status right now')
      .example('$0 market-hours --at 2026-11-26T17:00:00Z --json', 'Thanksgiving, as JSON'),
  run: async (args, ctx) => {
    const at = args.at !== undefined ? parseInstantOption('at', args.at) : ctx.now();
    const status = nyse.status(at);
    return { exitCode: 0, json: marketStatusDocument(status), text: renderMarketStatus(status) };
  },
});

export function renderMarketStatus(status: MarketStatus): string {
  const tz = nyse.timezone;
  if (status.open) {
    const early = status.session.earlyClose ? ' · early close today' : '';
    return `OPEN · closes ${formatClock(status.closesAt, tz)} ET (in ${formatDuration(status.msUntilClose)})${early}`;
  }
  const next = status.nextSession;
  const early = next.earlyClose ? ` · early close ${formatClock(next.closeAt, tz)} ET` : '';
  return `CLOSED (${status.reason}) · opens ${formatWallTime(status.opensAt, tz)} ET (in ${formatDuration(status.msUntilOpen)})${early}`;
}

function sessionDocument(session: Session) {
  return session.open
    ? { date: session.date, open: true, openAt: session.openAt.toISOString(), closeAt: session.closeAt.toISOString(), earlyClose: session.earlyClose }
    : { date: session.date, open: false, reason: session.reason, ...(session.name !== undefined ? { name: session.name } : {}) };
}

export function marketStatusDocument(status: MarketStatus) {
  const base = { market: nyse.name, timezone: nyse.timezone, at: status.at.toISOString(), open: status.open, session: sessionDocument(status.session) };
  return status.open
    ? { ...base, closesAt: status.closesAt.toISOString(), minutesUntilClose: Math.round(status.msUntilClose / 60_000) }
    : {
        ...base,
        reason: status.reason,
        opensAt: status.opensAt.toISOString(),
        minutesUntilOpen: Math.round(status.msUntilOpen / 60_000),
        nextSession: sessionDocument(status.nextSession),
      };
}
