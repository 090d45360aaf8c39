import { describe, expect, it } from 'vitest';
import { connectionStatus, secondsSince } from './status.ts';

describe('connectionStatus', () => {
  const now = 1_000_000;
  it.each([
    { connected: false, lastUpdateAt: now, status: 'disconnected' },
    { connected: false, lastUpdateAt: null, status: 'disconnected' },
    { connected: true, lastUpdateAt: null, status: 'stale' },
    { connected: true, lastUpdateAt: now, status: 'live' },
    { connected: true, lastUpdateAt: now - 5_000, status: 'live' },
    { connected: true, lastUpdateAt: now - 5_001, status: 'stale' },
    { connected: true, lastUpdateAt: now - 60_000, status: 'stale' },
  ] as const)('connected=$connected, last update $lastUpdateAt -> $status', (row) => {
    expect(
      connectionStatus({
        connected: row.connected,
        lastUpdateAt: row.lastUpdateAt,
        now,
        staleAfterMs: 5_000,
      }),
    ).toBe(row.status);
  });
});

describe('secondsSince', () => {
  it.each([
    { lastUpdateAt: null, now: 10_000, seconds: null },
    { lastUpdateAt: 10_000, now: 10_000, seconds: 0 },
    { lastUpdateAt: 10_000, now: 10_999, seconds: 0 },
    { lastUpdateAt: 10_000, now: 17_500, seconds: 7 },
    { lastUpdateAt: 10_000, now: 9_000, seconds: 0 },
  ])('$lastUpdateAt at $now -> $seconds', ({ lastUpdateAt, now, seconds }) => {
    expect(secondsSince(lastUpdateAt, now)).toBe(seconds);
  });
});
