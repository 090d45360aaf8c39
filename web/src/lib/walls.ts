import type { LiveKpiKey } from '@kpiwall/shared/wall';
import type { ValueFormat } from './format.ts';

export type Tone = 'normal' | 'warn' | 'alert';

export interface TileSpec {
  readonly key: LiveKpiKey;
  readonly label: string;
  readonly format: ValueFormat;
  /** The wall's headline number: drawn larger, over two grid rows. */
  readonly hero?: boolean;
}

export interface WallSpec {
  readonly title: string;
  /** Tile grid columns; tiles fill two rows. */
  readonly columns: number;
  readonly tiles: readonly TileSpec[];
}

export const supportWall: WallSpec = {
  title: 'Support',
  columns: 3,
  tiles: [
    {
      key: 'tickets_waiting_first_reply',
      label: 'Waiting for first reply',
      format: 'count',
      hero: true,
    },
    { key: 'oldest_waiting_seconds', label: 'Oldest wait', format: 'duration' },
    { key: 'backlog_open', label: 'Open backlog', format: 'count' },
    { key: 'frt_median_seconds_today', label: 'First reply · median today', format: 'duration' },
    { key: 'frt_p90_seconds_today', label: 'First reply · p90 today', format: 'duration' },
  ],
};

export const productWall: WallSpec = {
  title: 'Product',
  columns: 2,
  tiles: [
    { key: 'dau', label: 'Daily active users', format: 'count' },
    { key: 'wau', label: 'Weekly active users', format: 'count' },
    { key: 'mau', label: 'Monthly active users', format: 'count' },
    { key: 'stickiness_dau_mau', label: 'Stickiness · DAU / MAU', format: 'percent' },
  ],
};

// The default first-reply targets of KPIS.md: urgent 1 h, high 4 h; a wait exactly at a target
// is still on time.
const oldestWaitWarnSeconds = 3_600;
const oldestWaitAlertSeconds = 4 * 3_600;

/** Only the oldest wait is coloured: past the urgent target amber, past the high target red. */
export const tileTone = (key: LiveKpiKey, value: number | null): Tone => {
  if (key !== 'oldest_waiting_seconds' || value === null) return 'normal';
  if (value > oldestWaitAlertSeconds) return 'alert';
  if (value > oldestWaitWarnSeconds) return 'warn';
  return 'normal';
};
