import { dayMs } from './catalog.ts';
import type { RawEvent } from './events.ts';
import { World } from './world.ts';

export type { RawEvent } from './events.ts';

export interface HistoryOptions {
  readonly seed: number;
  readonly accounts: number;
  readonly days: number;
  /** The history's last instant (epoch ms): no event is later. */
  readonly end: number;
}

/**
 * A deterministic history of `days` days ending at `end`, sorted by event time: the same
 * options always give the same events.
 */
export function generateHistory(options: HistoryOptions): RawEvent[] {
  const world = new World({
    seed: options.seed,
    accounts: options.accounts,
    start: options.end - options.days * dayMs,
    plannedEnd: options.end,
  });
  return world.runUntil(options.end);
}
