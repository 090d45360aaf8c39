import { z } from 'zod';

/** KPI keys of the wall's tiles; names follow ../KPIS.md exactly. */
export const liveKpiKeys = [
  'dau',
  'wau',
  'mau',
  'stickiness_dau_mau',
  'tickets_waiting_first_reply',
  'oldest_waiting_seconds',
  'frt_median_seconds_today',
  'frt_p90_seconds_today',
  'backlog_open',
] as const;
export type LiveKpiKey = (typeof liveKpiKeys)[number];

/** A KPI value: a number, or null when it cannot be computed (nothing to divide by, no data). */
export const kpiValueSchema = z.number().nullable();

/** Every live KPI with its current value. Unknown keys are rejected (strict). */
export const kpiValuesSchema = z.strictObject(
  Object.fromEntries(liveKpiKeys.map((key) => [key, kpiValueSchema])) as Record<
    LiveKpiKey,
    typeof kpiValueSchema
  >,
);
export type KpiValues = z.infer<typeof kpiValuesSchema>;

/** One point of the active-users-per-minute chart: minute start (epoch ms) and distinct users. */
export const minutePointSchema = z.strictObject({
  minute: z.int(),
  active_users: z.int().nonnegative(),
});
export type MinutePoint = z.infer<typeof minutePointSchema>;

/** How many minutes the active-users chart keeps. */
export const activeUsersChartMinutes = 120;

/**
 * Sent once on connect (and on `resync`): the whole wall state.
 * `seq` is the number of the last delta folded into it; the next delta carries seq + 1.
 */
export const wallSnapshotSchema = z.strictObject({
  seq: z.int().nonnegative(),
  as_of: z.int(),
  tz: z.string(),
  kpis: kpiValuesSchema,
  active_users_per_minute: z.array(minutePointSchema).max(activeUsersChartMinutes),
});
export type WallSnapshot = z.infer<typeof wallSnapshotSchema>;

/**
 * Sent at most every delta interval when something changed, and as a heartbeat otherwise.
 * `kpis` holds only the keys whose value changed; `active_users_per_minute` only the minutes
 * whose value changed (replace by `minute`, drop minutes older than the chart window).
 * A client that sees seq != last seq + 1 emits `resync` and gets a fresh snapshot.
 */
export const wallDeltaSchema = z.strictObject({
  seq: z.int().positive(),
  as_of: z.int(),
  kpis: kpiValuesSchema.partial(),
  active_users_per_minute: z.array(minutePointSchema),
});
export type WallDelta = z.infer<typeof wallDeltaSchema>;

/** Socket.IO event names, server → client and client → server. */
export const wallSocketEvents = {
  snapshot: 'snapshot',
  delta: 'delta',
  resync: 'resync',
} as const;

/** How long without any message before a wall calls itself stale (server heartbeats every 2 s). */
export const wallStaleAfterMs = 5_000;
