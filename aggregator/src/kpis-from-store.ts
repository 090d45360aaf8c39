import type { AllKpis } from '@kpiwall/shared';
import { LiveKpiState } from './kpi/live-kpis.ts';
import type { ClickHouseStore } from './store/clickhouse.ts';

/**
 * KPIs as of any instant in any time zone, from every event stored in ClickHouse: for what the
 * live state cannot answer (another zone, or an as_of before what it retains). Reads the whole
 * `events` table, so it costs a restart's worth of work.
 */
export const kpisFromStore = async (
  store: ClickHouseStore,
  timeZone: string,
  asOfMs: number,
): Promise<AllKpis> => {
  const state = new LiveKpiState(timeZone);
  for await (const page of store.storedEvents()) {
    for (const event of page) state.apply(event);
  }
  return state.kpis(asOfMs);
};
