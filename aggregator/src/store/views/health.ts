/** ClickHouse views of the health KPIs (docs/clickhouse/health.md); part of migration 2. */
export const healthViews: readonly string[] = [];
