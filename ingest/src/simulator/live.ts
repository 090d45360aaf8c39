import { dayMs } from './catalog.ts';
import type { RawEvent } from './events.ts';
import { World } from './world.ts';

// How far ahead live pacing counts the events already planned; see advance.
const paceHorizonMs = 2_000;

export interface LiveOptions {
  readonly seed: number;
  readonly accounts: number;
  /** How many times faster than real life the world behaves (delays inside stories). */
  readonly speed: number;
  /** Target events per second. */
  readonly rate: number;
  /** Days of history before `now` to produce first, at the world's natural pace. */
  readonly backfillDays: number;
  /** The instant live simulation starts (epoch ms). */
  readonly now: number;
}

/** One step of the backfill: its events and the instant it covers up to. */
export interface BackfillChunk {
  readonly events: RawEvent[];
  readonly until: number;
}

/**
 * A world that first replays its recent past (the backfill, identical to `generateHistory`
 * with the same seed, accounts, days and end) and then lives on in real time: event times are
 * the wall-clock instants passed to {@link advance}, never later, while behaviour runs `speed`
 * times faster and new stories start at whatever pace keeps the event rate near `rate`.
 */
export class LiveSimulation {
  private readonly world: World;
  private readonly historyStart: number;
  private readonly liveStart: number;
  private readonly rate: number;
  private readonly speed: number;
  private live = false;
  private lastAdvance: number;

  constructor(options: LiveOptions) {
    this.liveStart = options.now;
    this.historyStart = options.now - Math.round(options.backfillDays * dayMs);
    this.lastAdvance = options.now;
    this.rate = options.rate;
    this.speed = options.speed;
    this.world = new World({
      seed: options.seed,
      accounts: options.accounts,
      start: this.historyStart,
      plannedEnd: options.now,
    });
    if (this.historyStart === this.liveStart) this.goLive();
  }

  /** The backfill in chunks of at most `chunkMs`, oldest first; afterwards the world is live. */
  *backfill(chunkMs = dayMs): Generator<BackfillChunk> {
    if (this.live) return;
    let until = this.historyStart;
    do {
      until = Math.min(this.liveStart, until + chunkMs);
      yield { events: this.world.runUntil(until), until };
    } while (until < this.liveStart);
    this.goLive();
  }

  /**
   * Advances the world to the wall-clock instant `now` and returns the events due, all with
   * times <= now. Starts as many new stories as keep the events coming due at `rate` per second.
   */
  advance(now: number): RawEvent[] {
    if (!this.live) throw new Error('the backfill must be consumed before the world goes live');
    if (now <= this.lastAdvance) return [];
    // Stories spread their events over time: count the events due by a short horizon, so the
    // rate is right from the start and events planned long ago count once they come due.
    const horizon = now + paceHorizonMs;
    const target = (this.rate * (horizon - this.liveStart)) / 1000;
    const window = now - this.lastAdvance;
    while (this.world.plannedEventsDueBy(horizon) < target) {
      const at = this.lastAdvance + 1 + Math.floor(this.world.random.next() * window);
      if (!this.world.startPacedStory(at)) break;
    }
    this.lastAdvance = now;
    return this.world.runUntil(now);
  }

  /**
   * Advances to `until` in steps of `stepMs` without waiting for the wall clock, yielding each
   * step's events: live behaviour for a time window that has already passed.
   */
  *advanceInSteps(until: number, stepMs: number): Generator<RawEvent[]> {
    let now = this.lastAdvance;
    while (now < until) {
      now = Math.min(until, now + stepMs);
      yield this.advance(now);
    }
  }

  private goLive(): void {
    this.world.goLive(this.speed);
    this.live = true;
  }
}
