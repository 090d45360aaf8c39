import { z } from 'zod';
import { ticketPriorities } from '../events.ts';

/**
 * The "Support" KPIs of ../../../KPIS.md, every key as the catalogue names it, the window in the
 * key. Durations are seconds, percentages 0–100 at full precision; `null` means nothing to
 * divide by or no values in the window. Counts are never null (an empty window counts 0).
 */

const count = z.int().nonnegative();
const seconds = z.number().nullable();
const percent = z.number().min(0).max(100).nullable();

/** One entry per priority, all four always present (0 where no ticket has that priority). */
const countByPriority = z.record(z.enum(ticketPriorities), count);
/** One entry per priority, all four always present (null where nothing to divide by). */
const percentByPriority = z.record(z.enum(ticketPriorities), percent);

export const supportKpisSchema = z.strictObject({
  // First reply − creation, over tickets whose first reply is in the window.
  frt_median_seconds_today: seconds,
  frt_median_seconds_7d: seconds,
  frt_median_seconds_30d: seconds,
  frt_median_seconds_rolling_24h: seconds,
  frt_p90_seconds_today: seconds,
  frt_p90_seconds_7d: seconds,
  frt_p90_seconds_30d: seconds,
  frt_p90_seconds_rolling_24h: seconds,
  frt_mean_seconds_today: seconds,
  frt_mean_seconds_7d: seconds,
  frt_mean_seconds_30d: seconds,
  frt_mean_seconds_rolling_24h: seconds,
  frt_count_today: count,
  frt_count_7d: count,
  frt_count_30d: count,
  frt_count_rolling_24h: count,

  // Live: open tickets with no reply yet; as_of − creation of the oldest (null when none waits).
  tickets_waiting_first_reply: count,
  tickets_waiting_first_reply_by_priority: countByPriority,
  oldest_waiting_seconds: seconds,

  // Final solve − creation, over tickets solved at as_of whose final solve is in the window.
  resolution_median_seconds_today: seconds,
  resolution_median_seconds_7d: seconds,
  resolution_median_seconds_30d: seconds,
  resolution_p90_seconds_today: seconds,
  resolution_p90_seconds_7d: seconds,
  resolution_p90_seconds_30d: seconds,
  resolution_mean_seconds_today: seconds,
  resolution_mean_seconds_7d: seconds,
  resolution_mean_seconds_30d: seconds,
  resolved_count_today: count,
  resolved_count_7d: count,
  resolved_count_30d: count,

  // Live: open tickets.
  backlog_open: count,
  backlog_open_by_priority: countByPriority,

  // Live: open, no reply, as_of past the first-reply target / 0 ≤ time left < 15 min.
  sla_breaching: count,
  sla_breaching_by_priority: countByPriority,
  sla_about_to_breach: count,
  sla_about_to_breach_by_priority: countByPriority,
  // First replies in the window on time / first replies in the window × 100.
  sla_attainment_percent_today: percent,
  sla_attainment_percent_7d: percent,
  sla_attainment_percent_30d: percent,
  sla_attainment_percent_by_priority_today: percentByPriority,
  sla_attainment_percent_by_priority_7d: percentByPriority,
  sla_attainment_percent_by_priority_30d: percentByPriority,

  // Per escalation: time to the first reply strictly after it, in the window of that reply.
  escalation_response_median_seconds_today: seconds,
  escalation_response_median_seconds_7d: seconds,
  escalation_response_median_seconds_30d: seconds,
  escalation_response_mean_seconds_today: seconds,
  escalation_response_mean_seconds_7d: seconds,
  escalation_response_mean_seconds_30d: seconds,
  // Live: escalations of open tickets with no reply after them yet.
  escalations_awaiting_response: count,

  // Survey answers in the window, every answer counting.
  csat_percent_today: percent,
  csat_percent_7d: percent,
  csat_percent_30d: percent,
  nps_today: z.number().min(-100).max(100).nullable(),
  nps_7d: z.number().min(-100).max(100).nullable(),
  nps_30d: z.number().min(-100).max(100).nullable(),
  ces_mean_today: z.number().min(1).max(7).nullable(),
  ces_mean_7d: z.number().min(1).max(7).nullable(),
  ces_mean_30d: z.number().min(1).max(7).nullable(),
});

export type SupportKpis = z.infer<typeof supportKpisSchema>;
