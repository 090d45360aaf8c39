export * from './embedded.ts';
export { ClickHouseStore } from './store/clickhouse.ts';
export { eventToRow } from './store/event-rows.ts';
