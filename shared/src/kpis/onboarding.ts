import { z } from 'zod';
import { signupPlans } from '../events.ts';

/**
 * The "Onboarding" KPIs of ../../KPIS.md. Every funnel key describes one cohort: the users
 * whose first `user.signed_up` is in the `_30d` calendar window (no window suffix in the key).
 * Per-step records are keyed by the configured step names, in funnel order.
 */

const percent = z.number().nullable();
const seconds = z.number().nonnegative().nullable();
const count = z.int().nonnegative();

/** Step name → users of the cohort reaching that step (every configured step, funnel order). */
export const funnelStepCountsSchema = z.record(z.string(), count);

/** Step name → value, for steps 2…n only (they compare a step with the one before). */
const perLaterStep = <T extends z.ZodType>(value: T) => z.record(z.string(), value);

export const onboardingKpisSchema = z.strictObject({
  funnel_step_counts: funnelStepCountsSchema,
  /** Local signup day `YYYY-MM-DD` → step counts; all 30 days of the window, zeros included. */
  funnel_step_counts_by_signup_day: z.record(z.iso.date(), funnelStepCountsSchema),
  /**
   * Local date `YYYY-MM-DD` of the Monday starting the ISO week → step counts; every week that
   * overlaps the window (the first and the last are partial: only signups inside the window).
   */
  funnel_step_counts_by_signup_week: z.record(z.iso.date(), funnelStepCountsSchema),
  /** Plan of the first signup → step counts; all three plans, zeros included. */
  funnel_step_counts_by_plan: z.record(z.enum(signupPlans), funnelStepCountsSchema),
  /** reach(k) / reach(k−1) × 100; null when reach(k−1) = 0. */
  funnel_conversion: perLaterStep(percent),
  /** 100 − funnel_conversion; null with it. */
  funnel_dropoff_percent: perLaterStep(percent),
  /** Step (2…n) with the largest drop-off, the earliest on a tie; null when no step loses anyone. */
  funnel_bottleneck_step: z.string().nullable(),
  onboarding_completion_rate_percent: percent,
  /** Median over users reaching step k of (first time of k − first time of k−1). */
  funnel_time_between_steps_median_seconds: perLaterStep(seconds),
  ttfv_median_seconds_today: seconds,
  ttfv_median_seconds_7d: seconds,
  ttfv_median_seconds_30d: seconds,
  ttfv_p90_seconds_today: seconds,
  ttfv_p90_seconds_7d: seconds,
  ttfv_p90_seconds_30d: seconds,
  ttfv_count_today: count,
  ttfv_count_7d: count,
  ttfv_count_30d: count,
});

export type OnboardingKpis = z.infer<typeof onboardingKpisSchema>;
export type FunnelStepCounts = z.infer<typeof funnelStepCountsSchema>;
