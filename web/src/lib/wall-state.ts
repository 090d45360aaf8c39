import {
  activeUsersChartMinutes,
  type KpiValues,
  type MinutePoint,
  type WallDelta,
  type WallSnapshot,
} from '@kpiwall/shared/wall';

/** What a wall shows: the last snapshot with every delta since folded in. */
export interface WallState {
  readonly seq: number;
  readonly asOf: number;
  readonly tz: string;
  readonly kpis: KpiValues;
  /** Ascending by minute, at most `activeUsersChartMinutes` points, all inside the window. */
  readonly activeUsers: readonly MinutePoint[];
}

const minuteMs = 60_000;

/** First minute start (epoch ms) inside the chart window ending at `asOf`. */
export const chartWindowStart = (asOf: number): number =>
  Math.floor(asOf / minuteMs) * minuteMs - (activeUsersChartMinutes - 1) * minuteMs;

/**
 * Replaces points by `minute`, drops minutes before the window ending at `asOf`, sorts them
 * ascending and keeps at most the newest `activeUsersChartMinutes`, so memory stays bounded
 * whatever the server sends.
 */
export const mergeMinutePoints = (
  current: readonly MinutePoint[],
  updates: readonly MinutePoint[],
  asOf: number,
): MinutePoint[] => {
  const byMinute = new Map<number, MinutePoint>();
  for (const point of current) byMinute.set(point.minute, point);
  for (const point of updates) byMinute.set(point.minute, point);
  const start = chartWindowStart(asOf);
  return [...byMinute.values()]
    .filter((point) => point.minute >= start)
    .sort((a, b) => a.minute - b.minute)
    .slice(-activeUsersChartMinutes);
};

export const stateFromSnapshot = (snapshot: WallSnapshot): WallState => ({
  seq: snapshot.seq,
  asOf: snapshot.as_of,
  tz: snapshot.tz,
  kpis: snapshot.kpis,
  activeUsers: mergeMinutePoints([], snapshot.active_users_per_minute, snapshot.as_of),
});

/** A delta continues a state only when it carries exactly the next sequence number. */
export const deltaFollows = (lastSeq: number, deltaSeq: number): boolean =>
  deltaSeq === lastSeq + 1;

export type DeltaResult = { kind: 'applied'; state: WallState } | { kind: 'gap' };

export const foldDelta = (state: WallState, delta: WallDelta): DeltaResult => {
  if (!deltaFollows(state.seq, delta.seq)) return { kind: 'gap' };
  return {
    kind: 'applied',
    state: {
      seq: delta.seq,
      asOf: delta.as_of,
      tz: state.tz,
      kpis: { ...state.kpis, ...delta.kpis },
      activeUsers: mergeMinutePoints(state.activeUsers, delta.active_users_per_minute, delta.as_of),
    },
  };
};
