/** ClickHouse views of the onboarding KPIs (docs/clickhouse/onboarding.md); part of migration 2. */
export const onboardingViews: readonly string[] = [];
