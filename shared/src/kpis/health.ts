import { z } from 'zod';

/**
 * Churn signals and health (../../KPIS.md, "Churn signals and health"): the KPI object of the
 * area and the record of fired signals. Windows are rolling N × 24 h ending at as_of, so
 * nothing here depends on the time zone.
 */

/** The signals, in KPIS.md's table order (also the order of every `signals` list). */
export const healthSignalNames = [
  'usage_drop_50',
  'usage_drop_25',
  'dormant_14d',
  'ticket_spike_7d',
  'sla_breaches_7d_ge_3',
  'reopened_7d_ge_2',
  'nps_detractor_latest_30d',
  'csat_low_latest_30d',
  'downgrade_30d',
] as const;
export const healthSignalSchema = z.enum(healthSignalNames);
export type HealthSignal = z.infer<typeof healthSignalSchema>;

/** Weights are configuration; these are KPIS.md's defaults. */
export const defaultHealthSignalWeights: Readonly<Record<HealthSignal, number>> = {
  usage_drop_50: 35,
  usage_drop_25: 15,
  dormant_14d: 40,
  ticket_spike_7d: 15,
  sla_breaches_7d_ge_3: 15,
  reopened_7d_ge_2: 10,
  nps_detractor_latest_30d: 20,
  csat_low_latest_30d: 15,
  downgrade_30d: 15,
};

/** `at_risk_accounts` holds non-churned accounts scoring strictly below this. */
export const defaultAtRiskScoreBelow = 40;

const accountId = z.string().min(1);
const count = z.int().nonnegative();
const cents = z.int().nonnegative();

export const accountHealthSchema = z.strictObject({
  account_id: accountId,
  // 100 − the weights of the fired signals, floor 0; 0 when churned.
  score: z.number().min(0).max(100),
  // The latest subscription event (by time, ties to the later arrival) is a cancellation or a
  // change to MRR 0.
  churned: z.boolean(),
  // Set by the latest subscription event: started → mrr_cents, changed → after, cancelled → 0.
  mrr_cents: cents,
  // The signals that fired, churned or not, in healthSignalNames order.
  signals: z.array(healthSignalSchema),
});
export type AccountHealth = z.infer<typeof accountHealthSchema>;

export const atRiskAccountSchema = accountHealthSchema.omit({ churned: true });
export type AtRiskAccount = z.infer<typeof atRiskAccountSchema>;

/** Every input of every signal, per account, as of as_of. */
export const healthSignalInputsSchema = z.strictObject({
  account_id: accountId,
  // Distinct active users in (as_of − 7 d, as_of].
  active_users_7d: count,
  // Distinct active users of each week of (as_of − 35 d, as_of − 7 d], nearest week first:
  // week k is (as_of − (7k + 7) d, as_of − 7k d].
  active_users_weekly_prior_28d: z.tuple([count, count, count, count]),
  active_users_weekly_mean_prior_28d: z.number().nonnegative(),
  // (mean − last 7 d) / mean × 100; negative when usage grew; null when the mean is 0.
  usage_drop_percent: z.number().nullable(),
  // as_of − the latest activity at or before as_of; null when the account never had any.
  seconds_since_last_activity: z.number().nonnegative().nullable(),
  // Tickets (by creation time) in (as_of − 7 d, as_of], and the weekly mean of the 28 d before.
  tickets_created_7d: count,
  tickets_created_weekly_mean_prior_28d: z.number().nonnegative(),
  // Tickets whose first reply is in (as_of − 7 d, as_of] and came after its SLA target.
  late_first_replies_7d: count,
  // Tickets open at as_of, with no reply by as_of and their first-reply target before as_of.
  open_unreplied_past_target: count,
  sla_breaches_7d: count,
  // `ticket.reopened` events in (as_of − 7 d, as_of] (a ticket reopened twice counts twice).
  reopened_7d: count,
  // Score of the latest answer of that kind in (as_of − 30 d, as_of]; null when none.
  latest_nps_score_30d: z.int().nullable(),
  latest_csat_score_30d: z.int().nullable(),
  // `subscription.changed` events with after < before in (as_of − 30 d, as_of].
  downgrades_30d: count,
});
export type HealthSignalInputs = z.infer<typeof healthSignalInputsSchema>;

export const healthKpisSchema = z.strictObject({
  // Every account with an event at or before as_of, sorted by account_id (code point order).
  health_scores: z.array(accountHealthSchema),
  // Non-churned accounts scoring below 40: MRR (highest first), score (lowest first), account_id.
  at_risk_accounts: z.array(atRiskAccountSchema),
  // The same accounts as health_scores, in the same order.
  health_signals: z.array(healthSignalInputsSchema),
});
export type HealthKpis = z.infer<typeof healthKpisSchema>;

/** One signal firing for one account at an instant: what is stored so a score can be explained. */
export const firedHealthSignalSchema = z.strictObject({
  account_id: accountId,
  signal: healthSignalSchema,
  weight: z.number(),
  // Epoch ms: the as_of at which the signal was evaluated and fired.
  fired_at: z.int(),
});
export type FiredHealthSignal = z.infer<typeof firedHealthSignalSchema>;
