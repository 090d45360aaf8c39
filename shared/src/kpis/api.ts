import { z } from 'zod';
import { timeZoneSchema } from '../time-zone.ts';
import { healthKpisSchema } from './health.ts';
import { onboardingKpisSchema } from './onboarding.ts';
import { productUsageKpisSchema } from './product-usage.ts';
import { revenueKpisSchema } from './revenue.ts';
import { supportKpisSchema } from './support.ts';

/** Every KPI of ../KPIS.md under its key: the union of the areas (keys never collide). */
export const allKpisSchema = z.strictObject({
  ...productUsageKpisSchema.shape,
  ...supportKpisSchema.shape,
  ...onboardingKpisSchema.shape,
  ...revenueKpisSchema.shape,
  ...healthKpisSchema.shape,
});
export type AllKpis = z.infer<typeof allKpisSchema>;

/** GET /api/kpis and the replay's stdout: every KPI as of `as_of` (RFC 3339) in time zone `tz`. */
export const kpiApiResponseSchema = z.strictObject({
  as_of: z.iso.datetime(),
  tz: z.string(),
  kpis: allKpisSchema,
});
export type KpiApiResponse = z.infer<typeof kpiApiResponseSchema>;

/** Query of GET /api/kpis: `as_of` (RFC 3339 with offset; default now) and `tz` (default: configured). */
export const kpiApiQuerySchema = z.strictObject({
  as_of: z.iso.datetime({ offset: true }).optional(),
  tz: timeZoneSchema.optional(),
});
