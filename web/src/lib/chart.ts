import { activeUsersChartMinutes, type MinutePoint } from '@kpiwall/shared/wall';
import { chartWindowStart } from './wall-state.ts';

/** uPlot's columnar data: x in epoch seconds, y = active users. */
export type ActiveUsersColumns = [xs: number[], ys: number[]];

export const toColumns = (points: readonly MinutePoint[]): ActiveUsersColumns => [
  points.map((point) => point.minute / 1000),
  points.map((point) => point.active_users),
];

/** The fixed x range (epoch seconds) of the window ending at `asOf`, so the axis never jumps. */
export const chartXRange = (asOf: number): [min: number, max: number] => {
  const start = chartWindowStart(asOf) / 1000;
  return [start, start + (activeUsersChartMinutes - 1) * 60];
};

/** Y from zero to a little above the highest point (at least 1, so an idle wall has an axis). */
export const chartYMax = (ys: readonly number[]): number => Math.max(1, ...ys) * 1.15;
