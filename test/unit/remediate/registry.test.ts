import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../src/checks/registry.ts';
import { REMEDIATIONS, requiredRemediationActions } from '../../../src/remediate/registry.ts';
import { WriteAction } from '../../../src/remediate/guarded-write.ts';

describe('the remediation registry', () => {
  it('repairs declared checks, has a runbook file each, and declares every action the fix calls', () => {
    for (const r of REMEDIATIONS) {
      expect(CHECKS.map((c) => c.code)).toContain(r.code);
      expect(existsSync(resolve(import.meta.dirname, '../../..', r.runbook))).toBe(true);
    }
    expect(requiredRemediationActions()).toEqual(expect.arrayContaining([WriteAction.getSchedule, WriteAction.updateSchedule, WriteAction.passRole, 'ecs:ListClusters', 'ecs:DescribeClusters', 'sts:GetCallerIdentity']));
  });
});
