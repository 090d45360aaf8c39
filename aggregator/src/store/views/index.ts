import { healthViews } from './health.ts';
import { onboardingViews } from './onboarding.ts';
import { productUsageViews } from './product-usage.ts';
import { revenueViews } from './revenue.ts';
import { supportViews } from './support.ts';

/**
 * Every view for engineers: fact views (one row per ticket, per user's onboarding, …) and
 * parameterized KPI views (`kpi_…(as_of = …, tz = …)`). `CREATE OR REPLACE`, run on every start
 * after the migrations, so a changed view needs no migration. Documented in docs/clickhouse/.
 */
export const viewStatements: readonly string[] = [
  ...productUsageViews,
  ...onboardingViews,
  ...revenueViews,
  ...supportViews,
  ...healthViews,
];
