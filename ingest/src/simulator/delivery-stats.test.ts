import { describe, expect, it } from 'vitest';
import { DeliveryStats } from './delivery-stats.ts';

describe('DeliveryStats', () => {
  it('reports totals and the rate of the interval since the previous report', () => {
    const stats = new DeliveryStats(0);
    stats.recordBatch(200, {
      accepted: 198,
      rejected: [{ index: 3, reason: 'time_in_future' }],
    });
    stats.recordBatch(50, { accepted: 50, rejected: [] });
    stats.recordRetry();
    expect(stats.report(5_000, 'live')).toEqual({
      msg: 'simulator',
      phase: 'live',
      sent: 250,
      rate_per_s: 50,
      accepted: 248,
      rejected: 1,
      retries: 1,
      rejection_reasons: { time_in_future: 1 },
    });
    stats.recordBatch(20, { accepted: 20, rejected: [] });
    expect(stats.report(15_000, 'live')).toMatchObject({
      sent: 270,
      rate_per_s: 2,
      rejected: 1,
      rejection_reasons: {},
    });
  });
});
