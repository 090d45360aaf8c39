import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHistory } from '@kpiwall/ingest';
import { kpiApiResponseSchema } from '@kpiwall/shared';
import { postEvents, startTestKpiwall, type TestKpiwall } from '../support/harness.ts';

// The per-minute history engineers query: kpi_snapshots holds what /api/kpis answered, and
// health_signal_firings the moments signals started firing, without repeats across restarts.

const asOfMs = Date.parse('2026-11-10T10:17:23.456Z');

describe('minute recorder', () => {
  let kpiwall: TestKpiwall;

  beforeAll(async () => {
    kpiwall = await startTestKpiwall({ now: () => asOfMs });
    const history = generateHistory({ seed: 3, accounts: 15, days: 40, end: asOfMs });
    for (let i = 0; i < history.length; i += 5_000) {
      const answer = await postEvents(kpiwall.url, history.slice(i, i + 5_000));
      expect(answer.status).toBe(200);
    }
  });

  afterAll(async () => {
    await kpiwall.dispose();
  });

  it('stores the numbers /api/kpis shows and the signals that fired', async () => {
    await kpiwall.recorder.record();
    const api = kpiApiResponseSchema.parse(await (await fetch(`${kpiwall.url}/api/kpis`)).json());
    const snapshot = await kpiwall.store.query<{ key: string; value: number | null }>(
      `SELECT key, value FROM kpi_snapshots WHERE as_of = {as_of:DateTime64(3, 'UTC')}
       AND key IN ('dau', 'mau', 'backlog_open', 'mrr_cents', 'backlog_open_by_priority.urgent')
       ORDER BY key`,
      { as_of: '2026-11-10 10:17:23.456' },
    );
    expect(snapshot).toEqual([
      { key: 'backlog_open', value: api.kpis.backlog_open },
      { key: 'backlog_open_by_priority.urgent', value: api.kpis.backlog_open_by_priority.urgent },
      { key: 'dau', value: api.kpis.dau },
      { key: 'mau', value: api.kpis.mau },
      { key: 'mrr_cents', value: api.kpis.mrr_cents },
    ]);

    const firing = kpiwall.aggregator.state.firedHealthSignals(asOfMs);
    expect(firing.length).toBeGreaterThan(0);
    const stored = await kpiwall.store.query<{ account_id: string; signal: string }>(
      `SELECT account_id, signal FROM health_signal_firings WHERE state = 'fired' ORDER BY account_id, signal`,
    );
    const expected = firing
      .map(({ account_id, signal }) => ({ account_id, signal }))
      .sort((a, b) => (a.account_id + a.signal < b.account_id + b.signal ? -1 : 1));
    expect(stored).toEqual(expected);
  });

  it('does not record a signal again while it keeps firing, even across a restart', async () => {
    await kpiwall.recorder.record();
    const port = new URL(kpiwall.url).port;
    await kpiwall.close();
    kpiwall = await startTestKpiwall({
      dataDir: kpiwall.dataDir,
      now: () => asOfMs,
      env: { KPIWALL_PORT: port },
    });
    await kpiwall.recorder.record();
    const [counts] = await kpiwall.store.query<{ rows: number; distinct_pairs: number }>(
      `SELECT count() AS rows, uniqExact(account_id, signal) AS distinct_pairs FROM health_signal_firings`,
    );
    expect(counts?.rows).toBe(counts?.distinct_pairs);
  });
});
