import type { AllKpis, FiredHealthSignal } from '@kpiwall/shared';

export type SnapshotValue = { key: string; value: number | null };

/**
 * The numeric KPIs of one snapshot, in long form: a number or null under its key, a record's
 * numeric entries under `key.entry`. Lists (health, at-risk accounts) are not snapshots'
 * business: their changes are recorded as signal transitions.
 */
export const snapshotValues = (kpis: AllKpis): SnapshotValue[] => {
  const values: SnapshotValue[] = [];
  for (const [key, value] of Object.entries(kpis) as [string, unknown][]) {
    if (value === null || typeof value === 'number') {
      values.push({ key, value });
    } else if (typeof value === 'object' && !Array.isArray(value)) {
      for (const [entry, entryValue] of Object.entries(value as Record<string, unknown>)) {
        if (entryValue === null || typeof entryValue === 'number') {
          values.push({ key: `${key}.${entry}`, value: entryValue });
        }
      }
    }
  }
  return values;
};

export type SignalTransition = {
  account_id: string;
  signal: string;
  state: 'fired' | 'cleared';
  weight: number;
};

const firingKey = (accountId: string, signal: string): string => `${accountId}\u0000${signal}`;

/**
 * What changed between the signals firing before and now: newly firing ones as `fired`,
 * ones that stopped as `cleared` (with the weight they had). `before` maps account\0signal to
 * its weight and is updated in place to the current set.
 */
export const signalTransitions = (
  before: Map<string, { account_id: string; signal: string; weight: number }>,
  now: readonly FiredHealthSignal[],
): SignalTransition[] => {
  const transitions: SignalTransition[] = [];
  const current = new Map(
    now.map((fired) => [firingKey(fired.account_id, fired.signal), fired] as const),
  );
  for (const [key, fired] of current) {
    if (!before.has(key)) {
      transitions.push({ ...pick(fired), state: 'fired' });
      before.set(key, pick(fired));
    }
  }
  for (const [key, previous] of before) {
    if (!current.has(key)) {
      transitions.push({ ...previous, state: 'cleared' });
      before.delete(key);
    }
  }
  return transitions;
};

const pick = ({ account_id, signal, weight }: FiredHealthSignal) => ({
  account_id,
  signal,
  weight,
});
