import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { nyse, nyseSpecialClosures, parseSpecialClosures } from '../../../src/market/index.ts';
import closuresFile from '../../../src/market/special-closures.json' with { type: 'json' };

const SHIPPED = [
  ['2001-09-11', 'September 11 attacks'],
  ['2001-09-12', 'September 11 attacks'],
  ['2001-09-13', 'September 11 attacks'],
  ['2001-09-14', 'September 11 attacks'],
  ['2004-06-11', 'National Day of Mourning for President Reagan'],
  ['2007-01-02', 'National Day of Mourning for President Ford'],
  ['2012-10-29', 'Hurricane Sandy'],
  ['2012-10-30', 'Hurricane Sandy'],
  ['2018-12-05', 'National Day of Mourning for President George H.W. Bush'],
  ['2025-01-09', 'National Day of Mourning for President Carter'],
] as const;

const YEARS = { from: 2000, to: 2099 };

function parseError(input: unknown): UserError {
  try {
    parseSpecialClosures(input, 'closures.json', YEARS);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected parseSpecialClosures to throw');
}

describe('shipped special closures', () => {
  it('the data file lists exactly the known closures since 2000', () => {
    expect(closuresFile).toEqual(SHIPPED.map(([date, name]) => ({ date, name })));
    expect(nyseSpecialClosures).toEqual(closuresFile);
  });

  it.each(SHIPPED)('%s is closed: %s', (date, name) => {
    expect(nyse.session(date)).toEqual({ date, open: false, reason: 'special-closure', name });
  });

  it('the days around a closure still trade', () => {
    expect(nyse.session('2001-09-10').open).toBe(true);
    expect(nyse.session('2001-09-17').open).toBe(true);
    expect(nyse.session('2012-10-31').open).toBe(true);
  });
});

describe('parseSpecialClosures', () => {
  it('accepts good entries and trims names', () => {
    expect(parseSpecialClosures([{ date: '2030-03-12', name: '  Storm  ' }], 'closures.json', YEARS)).toEqual([
      { date: '2030-03-12', name: 'Storm' },
    ]);
    expect(parseSpecialClosures([], 'closures.json', YEARS)).toEqual([]);
  });

  it('rejects a non-array', () => {
    const error = parseError({ date: '2030-03-12', name: 'x' });
    expect(error.code).toBe('INVALID_SPECIAL_CLOSURE');
    expect(error.message).toContain('closures.json must be a JSON array');
  });

  it.each([
    ['a malformed date', { date: '2030-3-12', name: 'Storm' }, 'date: must be a real calendar date'],
    ['an impossible date', { date: '2030-02-30', name: 'Storm' }, 'date: must be a real calendar date'],
    ['a missing name', { date: '2030-03-12' }, 'name:'],
    ['an empty name', { date: '2030-03-12', name: '   ' }, 'name: must be a non-empty name'],
    ['a misspelt key', { date: '2030-03-12', nmae: 'Storm' }, 'nmae'],
    ['a non-object', '2030-03-12', 'entry:'],
    ['a Saturday', { date: '2030-03-16', name: 'Storm' }, 'is a Saturday'],
    ['a Sunday', { date: '2030-03-17', name: 'Storm' }, 'is a Sunday'],
    ['a holiday', { date: '2030-12-25', name: 'Storm' }, 'already a holiday (Christmas Day)'],
    ['a year before 2000', { date: '1999-03-12', name: 'Storm' }, 'outside the supported years 2000–2099'],
    ['a year after 2099', { date: '2100-03-12', name: 'Storm' }, 'outside the supported years 2000–2099'],
  ])('rejects %s and names the entry', (_label, bad, problem) => {
    const error = parseError([{ date: '2030-03-11', name: 'Fine' }, bad]);
    expect(error.code).toBe('INVALID_SPECIAL_CLOSURE');
    expect(error.message).toContain('closures.json entry [1]');
    expect(error.message).toContain(JSON.stringify(bad));
    expect(error.message).toContain(problem);
    expect(error.hint).toContain('closures.json');
  });

  it('rejects a date listed twice, naming the second entry', () => {
    const error = parseError([
      { date: '2030-03-12', name: 'Storm' },
      { date: '2030-03-13', name: 'Storm' },
      { date: '2030-03-12', name: 'Storm again' },
    ]);
    expect(error.message).toContain('entry [2]');
    expect(error.message).toContain('listed more than once');
  });
});
