// The revenue views for engineers (docs/clickhouse/revenue.md) give the wall's numbers: a
// simulated 130-day history goes through the collector of an embedded kpiwall, then every
// documented ```sql kpi=…``` query, run through the read-only ClickHouse HTTP interface, must
// equal the value of its key in GET /api/kpis — in UTC and in Europe/Berlin (only the
// free-to-paid start weeks depend on the zone; the period crosses Berlin's 2026-10-25 DST
// change).
//
// Revenue reads subscription events only: like oracle-revenue.test.ts, the history is every
// subscription event plus every 50th other event (seed 6: a cancel-and-restart inside the
// period, a free start on a Sunday night UTC that is Monday in Berlin), and the hand-made edge
// events below. 130 days so the free-to-paid cohort (starts 120 to 30 days before as_of) fills.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateHistory } from '@kpiwall/ingest';
import { kpiApiResponseSchema, revenueKpisSchema, type KpiApiResponse } from '@kpiwall/shared';
import { documentedQueries, runDocumentedQuery } from '../support/documented-queries.ts';
import { postEvents, startTestKpiwall, type TestKpiwall } from '../support/harness.ts';

const asOfIso = '2026-11-10T10:17:23.456Z';
const asOfMs = Date.parse(asOfIso);
const asOfParam = '2026-11-10 10:17:23.456';
const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;
const periodStartMs = asOfMs - 30 * dayMs;
const batchSize = 5_000;
const docsPath = fileURLToPath(new URL('../../../docs/clickhouse/revenue.md', import.meta.url));

const iso = (ms: number): string => new Date(ms).toISOString();

// Events up to 5 minutes past as_of are stored but must not count.
const history = generateHistory({
  seed: 6,
  accounts: 120,
  days: 130,
  end: asOfMs + 5 * minuteMs,
}).filter((event, index) => event.type.startsWith('subscription.') || index % 50 === 0);

// Hand-made cases, each one the simulation does not guarantee.
const edgeEvents: Record<string, unknown>[] = [
  // A change at exactly the period's start belongs to the start state (MRR at start 70 000);
  // then two events at one event time, in one batch: the tie goes by arrival (and, for the
  // views, by id): an expansion to 90 000, then a cancellation churning 90 000.
  {
    id: 'edge-tie-1',
    type: 'subscription.started',
    time: iso(periodStartMs - 10 * dayMs),
    account_id: 'edge-tie',
    plan: 'business',
    mrr_cents: 50_000,
  },
  {
    id: 'edge-tie-2',
    type: 'subscription.changed',
    time: iso(periodStartMs),
    account_id: 'edge-tie',
    from_plan: 'business',
    to_plan: 'business',
    mrr_cents_before: 50_000,
    mrr_cents_after: 70_000,
  },
  {
    id: 'edge-tie-3a',
    type: 'subscription.changed',
    time: iso(periodStartMs + 5 * dayMs),
    account_id: 'edge-tie',
    from_plan: 'business',
    to_plan: 'enterprise',
    mrr_cents_before: 70_000,
    mrr_cents_after: 90_000,
  },
  {
    id: 'edge-tie-3b',
    type: 'subscription.cancelled',
    time: iso(periodStartMs + 5 * dayMs),
    account_id: 'edge-tie',
    mrr_cents_lost: 90_000,
  },
  // Stored, but later than as_of: not counted.
  {
    id: 'edge-future-1',
    type: 'subscription.started',
    time: iso(asOfMs + 2 * minuteMs),
    account_id: 'edge-future',
    plan: 'pro',
    mrr_cents: 10_000,
  },
  // Free start converting exactly 30 × 24 h later (inclusive), at the period's start instant.
  {
    id: 'edge-free-1',
    type: 'subscription.started',
    time: iso(periodStartMs - 30 * dayMs),
    account_id: 'edge-free',
    plan: 'free',
    mrr_cents: 0,
  },
  {
    id: 'edge-free-2',
    type: 'subscription.changed',
    time: iso(periodStartMs),
    account_id: 'edge-free',
    from_plan: 'free',
    to_plan: 'pro',
    mrr_cents_before: 0,
    mrr_cents_after: 29_900,
  },
  // Free start converting 1 ms too late: in the cohort, not converted.
  {
    id: 'edge-late-1',
    type: 'subscription.started',
    time: iso(asOfMs - 100 * dayMs),
    account_id: 'edge-late',
    plan: 'free',
    mrr_cents: 0,
  },
  {
    id: 'edge-late-2',
    type: 'subscription.changed',
    time: iso(asOfMs - 70 * dayMs + 1),
    account_id: 'edge-late',
    from_plan: 'free',
    to_plan: 'pro',
    mrr_cents_before: 0,
    mrr_cents_after: 29_900,
  },
];

// Sent after everything else: same id, another body. The first received counts, so these are
// dropped before ClickHouse and must change nothing.
const duplicates = history
  .filter((event) => event.type.startsWith('subscription.'))
  .slice(0, 25)
  .map((event, index) => ({
    ...event,
    time: iso(asOfMs - (index + 1) * minuteMs),
    mrr_cents: 12_345,
    mrr_cents_after: 0,
  }));

const allEvents: readonly unknown[] = [...history, ...edgeEvents, ...duplicates];
const uniqueCount = history.length + edgeEvents.length;

const revenueKeys = Object.keys(revenueKpisSchema.shape).sort();

describe.each([{ tz: 'UTC' }, { tz: 'Europe/Berlin' }])(
  'revenue views equal /api/kpis ($tz)',
  ({ tz }) => {
    let kpiwall: TestKpiwall | undefined;
    let api: KpiApiResponse | undefined;

    const started = (): TestKpiwall & { sqlUrl: string } => {
      if (!kpiwall?.sqlUrl) throw new Error('no kpiwall with a SQL interface');
      return { ...kpiwall, sqlUrl: kpiwall.sqlUrl };
    };

    beforeAll(async () => {
      kpiwall = await startTestKpiwall({ now: () => asOfMs, env: { KPIWALL_TIME_ZONE: tz } });
      for (let offset = 0; offset < allEvents.length; offset += batchSize) {
        const answer = await postEvents(kpiwall.url, allEvents.slice(offset, offset + batchSize));
        expect(answer.status).toBe(200);
      }
      const { aggregator, store } = kpiwall;
      await vi.waitFor(
        async () => {
          const counts = await aggregator.messageCounts();
          expect(counts.counted + counts.duplicate).toBe(allEvents.length);
          const [stored] = await store.query<{ rows: number }>(
            'SELECT count() AS rows FROM events',
          );
          expect(stored?.rows).toBe(uniqueCount);
        },
        { timeout: 60_000, interval: 200 },
      );
      const response = await fetch(`${kpiwall.url}/api/kpis`);
      api = kpiApiResponseSchema.parse(await response.json());
    }, 300_000);

    afterAll(async () => {
      await kpiwall?.dispose();
    });

    it('answers /api/kpis as of the test instant in the zone', () => {
      expect(api?.as_of).toBe(asOfIso);
      expect(api?.tz).toBe(tz);
      // The data makes every ratio meaningful (no comparison of null with null).
      for (const key of revenueKeys) {
        expect(api?.kpis[key as keyof KpiApiResponse['kpis']], key).not.toBeNull();
      }
    });

    it('documents one query for every revenue key', async () => {
      const keys = (await documentedQueries(docsPath)).map((query) => query.key).sort();
      expect(keys).toEqual(revenueKeys);
    });

    it('returns the /api/kpis value from every documented query', async () => {
      const { sqlUrl } = started();
      const queries = await documentedQueries(docsPath);
      const fromViews: Record<string, unknown> = {};
      const fromApi: Record<string, unknown> = {};
      for (const query of queries) {
        fromViews[query.key] = await runDocumentedQuery(sqlUrl, query, { as_of: asOfParam, tz });
        fromApi[query.key] = api?.kpis[query.key as keyof KpiApiResponse['kpis']];
      }
      console.info(`views-revenue ${tz}:`, JSON.stringify(fromViews));
      // One comparison, so a failure shows every key that differs.
      expect(fromViews).toEqual(fromApi);
    });

    it('has fact views with a row per subscription event and per account', async () => {
      const { store } = started();
      const [counts] = await store.query<{
        events: number;
        periods: number;
        current: number;
        accounts: number;
        account_mrr: number;
        period_accounts: number;
        free_cohort: number;
      }>(
        `SELECT
           (SELECT count() FROM events WHERE type LIKE 'subscription.%') AS events,
           (SELECT count() FROM fact_subscription_periods) AS periods,
           (SELECT count() FROM fact_subscription_periods WHERE valid_to IS NULL) AS current,
           (SELECT uniqExact(account_id) FROM events WHERE type LIKE 'subscription.%')
             AS accounts,
           (SELECT count() FROM fact_account_mrr) AS account_mrr,
           (SELECT count() FROM revenue_account_period(as_of = {as_of:DateTime64(3, 'UTC')}))
             AS period_accounts,
           (SELECT count() FROM free_to_paid_accounts(as_of = {as_of:DateTime64(3, 'UTC')},
              tz = {tz:String})) AS free_cohort`,
        { as_of: asOfParam, tz },
      );
      expect(counts?.events).toBeGreaterThan(200);
      expect(counts?.periods).toBe(counts?.events);
      expect(counts?.current).toBe(counts?.accounts);
      expect(counts?.account_mrr).toBe(counts?.accounts);
      // Every account but edge-future (its only event is after as_of).
      expect(counts?.period_accounts).toBe((counts?.accounts ?? 0) - 1);
      expect(counts?.free_cohort).toBeGreaterThan(10);
    });

    it('orders tied events by arrival and keeps the start instant in the start state', async () => {
      const { store } = started();
      const periods = await store.query<{
        set_by_id: string;
        mrr_cents: number;
        previous_mrr_cents: number;
        valid_to: string | null;
      }>(
        `SELECT set_by_id, mrr_cents, previous_mrr_cents, valid_to
         FROM fact_subscription_periods WHERE account_id = 'edge-tie' ORDER BY seq`,
      );
      expect(periods.map((period) => [period.set_by_id, period.mrr_cents])).toEqual([
        ['edge-tie-1', 50_000],
        ['edge-tie-2', 70_000],
        ['edge-tie-3a', 90_000],
        ['edge-tie-3b', 0],
      ]);
      expect(periods.at(-1)?.valid_to).toBeNull();
      const accounts = await store.query<Record<string, unknown>>(
        `SELECT account_id, mrr_cents_at_period_start, mrr_cents_at_as_of, churned,
           expansion_cents, churned_cents
         FROM revenue_account_period(as_of = {as_of:DateTime64(3, 'UTC')})
         WHERE account_id = 'edge-tie'`,
        { as_of: asOfParam },
      );
      expect(accounts).toEqual([
        {
          account_id: 'edge-tie',
          mrr_cents_at_period_start: 70_000,
          mrr_cents_at_as_of: 0,
          churned: true,
          expansion_cents: 20_000,
          churned_cents: 90_000,
        },
      ]);
      const cohort = await store.query<Record<string, unknown>>(
        `SELECT account_id, converted FROM free_to_paid_accounts(
           as_of = {as_of:DateTime64(3, 'UTC')}, tz = {tz:String})
         WHERE account_id IN ('edge-free', 'edge-late') ORDER BY account_id`,
        { as_of: asOfParam, tz },
      );
      expect(cohort).toEqual([
        { account_id: 'edge-free', converted: true },
        { account_id: 'edge-late', converted: false },
      ]);
    });
  },
);
