/** ClickHouse views of the support KPIs (docs/clickhouse/support.md); part of migration 2. */
export const supportViews: readonly string[] = [];
