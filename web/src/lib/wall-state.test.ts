import type { KpiValues, MinutePoint, WallDelta, WallSnapshot } from '@kpiwall/shared/wall';
import { describe, expect, it } from 'vitest';
import {
  chartWindowStart,
  deltaFollows,
  foldDelta,
  mergeMinutePoints,
  stateFromSnapshot,
} from './wall-state.ts';

const at = (iso: string): number => Date.parse(iso);
const point = (iso: string, users: number): MinutePoint => ({
  minute: at(iso),
  active_users: users,
});

const kpis: KpiValues = {
  dau: 120,
  wau: 400,
  mau: 900,
  stickiness_dau_mau: 12.5,
  tickets_waiting_first_reply: 3,
  oldest_waiting_seconds: 420,
  frt_median_seconds_today: 300,
  frt_p90_seconds_today: 1_800,
  backlog_open: 17,
};

const snapshot: WallSnapshot = {
  seq: 41,
  as_of: at('2026-11-20T18:00:30Z'),
  tz: 'Europe/Berlin',
  kpis,
  active_users_per_minute: [point('2026-11-20T17:59:00Z', 5), point('2026-11-20T17:58:00Z', 4)],
};

describe('chartWindowStart', () => {
  it.each([
    { asOf: '2026-11-20T18:00:00Z', start: '2026-11-20T16:01:00Z' },
    { asOf: '2026-11-20T18:00:30Z', start: '2026-11-20T16:01:00Z' },
    { asOf: '2026-11-20T00:10:00Z', start: '2026-11-19T22:11:00Z' },
  ])('as of $asOf -> $start', ({ asOf, start }) => {
    expect(chartWindowStart(at(asOf))).toBe(at(start));
  });
});

describe('deltaFollows', () => {
  it.each([
    { last: 0, next: 1, follows: true },
    { last: 41, next: 42, follows: true },
    { last: 41, next: 43, follows: false },
    { last: 41, next: 41, follows: false },
    { last: 41, next: 40, follows: false },
  ])('after $last, delta $next -> $follows', ({ last, next, follows }) => {
    expect(deltaFollows(last, next)).toBe(follows);
  });
});

describe('mergeMinutePoints', () => {
  const asOf = at('2026-11-20T18:00:30Z');
  it.each([
    {
      name: 'adds a new minute and keeps order',
      current: [point('2026-11-20T17:58:00Z', 4)],
      updates: [point('2026-11-20T18:00:00Z', 6), point('2026-11-20T17:59:00Z', 5)],
      expected: [
        point('2026-11-20T17:58:00Z', 4),
        point('2026-11-20T17:59:00Z', 5),
        point('2026-11-20T18:00:00Z', 6),
      ],
    },
    {
      name: 'replaces a minute by its start',
      current: [point('2026-11-20T17:59:00Z', 5), point('2026-11-20T18:00:00Z', 6)],
      updates: [point('2026-11-20T18:00:00Z', 8)],
      expected: [point('2026-11-20T17:59:00Z', 5), point('2026-11-20T18:00:00Z', 8)],
    },
    {
      name: 'drops minutes before the 120-minute window (16:01 is its first minute)',
      current: [point('2026-11-20T16:00:00Z', 1), point('2026-11-20T16:01:00Z', 2)],
      updates: [point('2026-11-20T15:00:00Z', 3)],
      expected: [point('2026-11-20T16:01:00Z', 2)],
    },
    {
      name: 'no updates leaves the points as they were',
      current: [point('2026-11-20T17:59:00Z', 5)],
      updates: [],
      expected: [point('2026-11-20T17:59:00Z', 5)],
    },
  ])('$name', ({ current, updates, expected }) => {
    expect(mergeMinutePoints(current, updates, asOf)).toEqual(expected);
  });

  it('never holds more than 120 points, even if the server sends minutes past as_of', () => {
    const start = at('2026-11-20T16:01:00Z');
    const many = Array.from({ length: 300 }, (_, i) => ({
      minute: start + i * 60_000,
      active_users: i,
    }));
    const merged = mergeMinutePoints([], many, asOf);
    expect(merged).toHaveLength(120);
    // the newest 120 of minutes 0…299 after the window start: 180…299
    expect(merged[0]).toEqual({ minute: start + 180 * 60_000, active_users: 180 });
    expect(merged.at(-1)).toEqual({ minute: start + 299 * 60_000, active_users: 299 });
  });

  it('stays at 120 points over a day of minute-by-minute updates', () => {
    let points: MinutePoint[] = [];
    const begin = at('2026-11-20T00:00:00Z');
    for (let i = 0; i < 24 * 60; i++) {
      const minute = begin + i * 60_000;
      points = mergeMinutePoints(points, [{ minute, active_users: i }], minute + 30_000);
    }
    expect(points).toHaveLength(120);
    expect(points[0]?.minute).toBe(at('2026-11-20T22:00:00Z'));
    expect(points.at(-1)?.minute).toBe(at('2026-11-20T23:59:00Z'));
  });
});

describe('stateFromSnapshot', () => {
  it('takes seq, as_of, tz and KPIs and sorts the chart points', () => {
    expect(stateFromSnapshot(snapshot)).toEqual({
      seq: 41,
      asOf: at('2026-11-20T18:00:30Z'),
      tz: 'Europe/Berlin',
      kpis,
      activeUsers: [point('2026-11-20T17:58:00Z', 4), point('2026-11-20T17:59:00Z', 5)],
    });
  });
});

describe('foldDelta', () => {
  const state = stateFromSnapshot(snapshot);
  const delta = (seq: number, changes: Partial<WallDelta> = {}): WallDelta => ({
    seq,
    as_of: at('2026-11-20T18:01:10Z'),
    kpis: {},
    active_users_per_minute: [],
    ...changes,
  });

  it.each([
    { seq: 43, why: 'one delta missed' },
    { seq: 41, why: 'a repeat of the snapshot seq' },
    { seq: 40, why: 'an older delta' },
  ])('reports a gap for seq $seq ($why)', ({ seq }) => {
    expect(foldDelta(state, delta(seq))).toEqual({ kind: 'gap' });
  });

  it('applies the next delta: changed KPIs only, new as_of, merged chart, seq advanced', () => {
    const result = foldDelta(
      state,
      delta(42, {
        kpis: { dau: 121, stickiness_dau_mau: null },
        active_users_per_minute: [point('2026-11-20T18:01:00Z', 7)],
      }),
    );
    expect(result).toEqual({
      kind: 'applied',
      state: {
        seq: 42,
        asOf: at('2026-11-20T18:01:10Z'),
        tz: 'Europe/Berlin',
        kpis: { ...kpis, dau: 121, stickiness_dau_mau: null },
        activeUsers: [
          point('2026-11-20T17:58:00Z', 4),
          point('2026-11-20T17:59:00Z', 5),
          point('2026-11-20T18:01:00Z', 7),
        ],
      },
    });
  });

  it('a heartbeat (nothing changed) only advances seq and as_of', () => {
    const result = foldDelta(state, delta(42));
    expect(result).toEqual({
      kind: 'applied',
      state: { ...state, seq: 42, asOf: at('2026-11-20T18:01:10Z') },
    });
  });

  it('applies deltas in order', () => {
    const first = foldDelta(state, delta(42, { kpis: { backlog_open: 18 } }));
    if (first.kind !== 'applied') throw new Error('expected the first delta to apply');
    const second = foldDelta(first.state, delta(43, { kpis: { backlog_open: 16 } }));
    expect(second.kind === 'applied' && second.state.kpis.backlog_open).toBe(16);
    expect(second.kind === 'applied' && second.state.seq).toBe(43);
  });
});
