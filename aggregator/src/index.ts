export * from './embedded.ts';
export { ClickHouseStore } from './store/clickhouse.ts';
export { eventToRow } from './store/event-rows.ts';
export { createLocalCalendar } from './kpi/local-calendar.ts';
export { ProductUsage } from './kpi/product-usage.ts';
export { Revenue } from './kpi/revenue.ts';
export { Onboarding } from './kpi/onboarding.ts';
export { Health } from './kpi/health.ts';
export {
  startClickHouseHttpInterface,
  type ClickHouseHttpInterface,
  type ClickHouseHttpInterfaceOptions,
  type QueryLimits,
} from './store/clickhouse-http-interface.ts';
export { Support } from './kpi/support.ts';
export { replay } from './replay.ts';
export { viewStatements } from './store/views/index.ts';
export { migrations } from './store/migrations.ts';
