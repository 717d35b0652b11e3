/**
 * An org-wide fix leaves backups stamped with the account and region of each write; its rollback
 * restores every schedule where it lives. The plan is split by that placement (items without one are
 * the caller's own account, as for a single-account fix), and `--account` keeps only some accounts.
 */
import { UserError } from '../errors.ts';
import type { RollbackPlan } from '../remediate/rollback.ts';
import type { AccountRegion } from './placed-stores.ts';

export interface PlacedRollback {
  /** Absent: the caller's own account and region. */
  place?: AccountRegion;
  plan: RollbackPlan;
}

export function splitByPlacement(plan: RollbackPlan, accounts: readonly string[] = []): PlacedRollback[] {
  const parts = new Map<string, PlacedRollback>();
  for (const item of plan.items) {
    const { account, region } = item.backup;
    const place = account !== undefined && region !== undefined ? { account, region } : undefined;
    if (accounts.length > 0 && (place === undefined || !accounts.includes(place.account))) continue;
    const key = place === undefined ? '' : `${place.account}|${place.region}`;
    const part = parts.get(key) ?? { ...(place ? { place } : {}), plan: { selected: plan.selected, items: [] } };
    part.plan.items.push(item);
    parts.set(key, part);
  }
  if (accounts.length > 0 && parts.size === 0) {
    const known = [...new Set(plan.items.map((i) => i.backup.account).filter((a) => a !== undefined))];
    throw new UserError(
      'ROLLBACK_TARGET',
      `${plan.selected} changed nothing in account ${accounts.join(', ')}.`,
      known.length > 0 ? `Its writes were in: ${known.join(', ')}. Pass one of those to --account, or drop --account.` : 'It was a single-account fix: drop --account.',
    );
  }
  return [...parts.values()];
}
