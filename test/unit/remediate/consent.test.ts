import { describe, expect, it } from 'vitest';
import { decideMode } from '../../../src/remediate/consent.ts';

describe('decideMode', () => {
  it.each([
    [{ dryRun: true, yes: true, stdinIsTTY: true, stderrIsTTY: true }, 'dry-run'],
    [{ dryRun: false, yes: true, stdinIsTTY: false, stderrIsTTY: false }, 'apply'],
    [{ dryRun: false, yes: false, stdinIsTTY: true, stderrIsTTY: true }, 'confirm'],
    [{ dryRun: false, yes: false, stdinIsTTY: true, stderrIsTTY: false }, 'refuse'],
    [{ dryRun: false, yes: false, stdinIsTTY: false, stderrIsTTY: true }, 'refuse'],
  ])('%o → %s', (flags, mode) => {
    expect(decideMode(flags)).toBe(mode);
  });
});
