import { Counter, Gauge, type Registry } from 'prom-client';
import type { Server } from 'socket.io';
import {
  wallSocketEvents,
  type KpiValues,
  type MinutePoint,
  type WallDelta,
  type WallSnapshot,
} from '@kpiwall/shared';

/** What the wall shows, read as of an instant. */
export interface WallView {
  readonly version: number;
  kpis(asOfMs: number): KpiValues;
  activeUsersPerMinute(asOfMs: number): MinutePoint[];
}

export type WallPublisherOptions = {
  io: Server;
  view: WallView;
  timeZone: string;
  now: () => number;
  /** Deltas are coalesced: at most one per interval. */
  intervalMs: number;
  metrics: Registry;
};

// Values that depend on the clock alone (oldest wait, windows rolling over) are refreshed at
// least this often even when no event arrived; an unchanged wall still sends a heartbeat delta.
const clockRefreshMs = 1_000;
const heartbeatMs = 2_000;

/**
 * Pushes the wall over Socket.IO: a full snapshot on connect (and on a client's `resync`),
 * then coalesced deltas numbered by `seq`, so a client that misses one can tell and resync.
 */
export class WallPublisher {
  readonly #options: WallPublisherOptions;
  #current: WallSnapshot;
  #computedVersion: number;
  #computedAt: number;
  #lastEmitAt: number;
  #timer: NodeJS.Timeout | null = null;
  readonly #deltas: Counter;

  constructor(options: WallPublisherOptions) {
    this.#options = options;
    const now = options.now();
    this.#current = {
      seq: 0,
      as_of: now,
      tz: options.timeZone,
      kpis: options.view.kpis(now),
      active_users_per_minute: options.view.activeUsersPerMinute(now),
    };
    this.#computedVersion = options.view.version;
    this.#computedAt = now;
    this.#lastEmitAt = now;
    this.#deltas = new Counter({
      name: 'kpiwall_wall_deltas_total',
      help: 'Deltas pushed to wall clients',
      registers: [options.metrics],
    });
    const io = options.io;
    new Gauge({
      name: 'kpiwall_wall_clients',
      help: 'Wall clients connected over Socket.IO',
      registers: [options.metrics],
      collect() {
        this.set(io.engine.clientsCount);
      },
    });
  }

  /** The state last sent (the snapshot a client connecting now receives). */
  get current(): WallSnapshot {
    return this.#current;
  }

  start(): void {
    this.#options.io.on('connection', (socket) => {
      socket.emit(wallSocketEvents.snapshot, this.#current);
      socket.on(wallSocketEvents.resync, () => {
        socket.emit(wallSocketEvents.snapshot, this.#current);
      });
    });
    this.#timer = setInterval(() => {
      this.tick();
    }, this.#options.intervalMs);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Recomputes if something changed, and emits a delta if a value moved or a heartbeat is due. */
  tick(): void {
    const { view, now } = this.#options;
    const asOf = now();
    const stateChanged = view.version !== this.#computedVersion;
    if (!stateChanged && asOf - this.#computedAt < clockRefreshMs) return;
    this.#computedVersion = view.version;
    this.#computedAt = asOf;

    const kpis = view.kpis(asOf);
    const series = view.activeUsersPerMinute(asOf);
    const changedKpis: Partial<KpiValues> = {};
    for (const key of Object.keys(kpis) as (keyof KpiValues)[]) {
      if (kpis[key] !== this.#current.kpis[key]) changedKpis[key] = kpis[key];
    }
    const previous = new Map(this.#current.active_users_per_minute.map((p) => [p.minute, p]));
    const changedPoints = series.filter(
      (point) => previous.get(point.minute)?.active_users !== point.active_users,
    );
    const moved = Object.keys(changedKpis).length > 0 || changedPoints.length > 0;
    if (!moved && asOf - this.#lastEmitAt < heartbeatMs) return;

    const delta: WallDelta = {
      seq: this.#current.seq + 1,
      as_of: asOf,
      kpis: changedKpis,
      active_users_per_minute: changedPoints,
    };
    this.#current = {
      ...this.#current,
      seq: delta.seq,
      as_of: asOf,
      kpis,
      active_users_per_minute: series,
    };
    this.#lastEmitAt = asOf;
    this.#options.io.emit(wallSocketEvents.delta, delta);
    this.#deltas.inc();
  }
}
