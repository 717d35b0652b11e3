/** Public surface of the market calendar; other folders import from here, not from the files behind it. */
export { ClosedReason, createNyseCalendar, NYSE_TIMEZONE, nyse, nyseSpecialClosures, SUPPORTED_YEARS } from './nyse.ts';
export type { ClosedSession, ClosedStatus, MarketCalendar, MarketStatus, OpenSession, OpenStatus, Session } from './nyse.ts';
export { nyseEarlyCloses, nyseHolidays } from './holidays.ts';
export type { EarlyClose, Holiday } from './holidays.ts';
export { easterSunday, goodFriday } from './easter.ts';
export { parseSpecialClosures } from './special-closures.ts';
export type { SpecialClosure } from './special-closures.ts';
