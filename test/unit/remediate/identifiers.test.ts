import { describe, expect, it } from 'vitest';
import { changeIdOf, clientTokenFor, entryIdOf, newRunId } from '../../../src/remediate/identifiers.ts';

describe('client tokens', () => {
  it('are deterministic per change and variant, and fit Scheduler (1-64 of [a-zA-Z0-9-_])', () => {
    const id = changeIdOf({ scheduleArn: 's', from: 'a', to: 'b', plannedOn: '2026-01-29T20:47:00.000Z' });

    const tokens = [clientTokenFor('fix', id, 'as-read'), clientTokenFor('fix', id, 'without-start-date'), clientTokenFor('rollback', id, 'as-read')];

    expect(clientTokenFor('fix', id, 'as-read')).toBe(tokens[0]);
    expect(new Set(tokens).size).toBe(3);
    for (const token of tokens) expect(token).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });

  it('change with the schedule state planned on', () => {
    const a = changeIdOf({ scheduleArn: 's', from: 'a', to: 'b', plannedOn: '2026-01-29T20:47:00.000Z' });
    const b = changeIdOf({ scheduleArn: 's', from: 'a', to: 'b', plannedOn: '2026-01-29T20:48:00.000Z' });

    expect(a).not.toBe(b);
  });
});

describe('run and entry ids', () => {
  it('sort by time and number entries within a run', () => {
    const run = newRunId('fix', new Date('2026-01-29T23:01:00.123Z'), () => 'beef');

    expect(run).toBe('fix-20260129T230100123Z-beef');
    expect(entryIdOf(run, 3)).toBe('fix-20260129T230100123Z-beef.03');
  });
});
