/** ClickHouse views of the product-usage KPIs (docs/clickhouse/product-usage.md); part of migration 2. */
export const productUsageViews: readonly string[] = [];
