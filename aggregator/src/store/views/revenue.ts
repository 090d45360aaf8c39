/** ClickHouse views of the revenue KPIs (docs/clickhouse/revenue.md); part of migration 2. */
export const revenueViews: readonly string[] = [];
