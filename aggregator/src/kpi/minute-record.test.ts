import { describe, expect, it } from 'vitest';
import type { AllKpis, FiredHealthSignal } from '@kpiwall/shared';
import { signalTransitions, snapshotValues } from './minute-record.ts';

describe('snapshotValues', () => {
  it('keeps numbers and nulls, flattens one level of records, skips lists', () => {
    // A partial KPI object is enough here: the function walks whatever keys it is given.
    const kpis = {
      dau: 12,
      stickiness_dau_mau: null,
      backlog_open_by_priority: { low: 1, normal: 0, high: 2, urgent: 3 },
      cta_counts_today: { upgrade: { shown: 4, clicked: 1 } },
      at_risk_accounts: [],
    } as unknown as AllKpis;
    expect(snapshotValues(kpis)).toEqual([
      { key: 'dau', value: 12 },
      { key: 'stickiness_dau_mau', value: null },
      { key: 'backlog_open_by_priority.low', value: 1 },
      { key: 'backlog_open_by_priority.normal', value: 0 },
      { key: 'backlog_open_by_priority.high', value: 2 },
      { key: 'backlog_open_by_priority.urgent', value: 3 },
    ]);
  });
});

const fired = (account_id: string, signal: FiredHealthSignal['signal'], weight: number) => ({
  account_id,
  signal,
  weight,
  fired_at: 0,
});

describe('signalTransitions', () => {
  it('reports signals that start firing, then those that stop, and nothing when unchanged', () => {
    const firing = new Map<string, { account_id: string; signal: string; weight: number }>();
    expect(
      signalTransitions(firing, [fired('a', 'dormant_14d', 40), fired('b', 'downgrade_30d', 15)]),
    ).toEqual([
      { account_id: 'a', signal: 'dormant_14d', weight: 40, state: 'fired' },
      { account_id: 'b', signal: 'downgrade_30d', weight: 15, state: 'fired' },
    ]);
    expect(
      signalTransitions(firing, [fired('a', 'dormant_14d', 40), fired('b', 'downgrade_30d', 15)]),
    ).toEqual([]);
    expect(signalTransitions(firing, [fired('b', 'downgrade_30d', 15)])).toEqual([
      { account_id: 'a', signal: 'dormant_14d', weight: 40, state: 'cleared' },
    ]);
    expect([...firing.keys()]).toEqual(['b\u0000downgrade_30d']);
  });
});
