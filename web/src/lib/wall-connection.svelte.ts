import { wallDeltaSchema, wallSnapshotSchema, wallStaleAfterMs } from '@kpiwall/shared/wall';
import { connectionStatus, secondsSince, type ConnectionStatus } from './status.ts';
import { foldDelta, stateFromSnapshot, type WallState } from './wall-state.ts';

/** What the socket layer must do after a delta. */
export type DeltaAction = 'none' | 'resync';

/**
 * The live state of one wall: data, connection and freshness. Read through getters; changed
 * only by the named methods, which the socket layer calls.
 */
export class WallConnection {
  #wall = $state.raw<WallState | null>(null);
  #connected = $state(false);
  #lastUpdateAt = $state<number | null>(null);
  #now = $state(Date.now());
  // Set while deltas cannot be applied (before the first snapshot, after a reconnect or a gap);
  // not shown on screen, so not reactive.
  #awaitingSnapshotSince: number | null = null;

  get wall(): WallState | null {
    return this.#wall;
  }

  get status(): ConnectionStatus {
    return connectionStatus({
      connected: this.#connected,
      lastUpdateAt: this.#lastUpdateAt,
      now: this.#now,
      staleAfterMs: wallStaleAfterMs,
    });
  }

  get secondsSinceUpdate(): number | null {
    return secondsSince(this.#lastUpdateAt, this.#now);
  }

  /** The server sends a fresh snapshot on every (re)connect. */
  markConnected(): void {
    this.#connected = true;
    this.#now = Date.now();
    this.#awaitingSnapshotSince = this.#now;
  }

  markDisconnected(): void {
    this.#connected = false;
  }

  /** Advances the clock the freshness is measured against. */
  tick(): void {
    this.#now = Date.now();
  }

  /** Returns false (and changes nothing) when the payload breaks the contract. */
  applySnapshot(payload: unknown): boolean {
    const parsed = wallSnapshotSchema.safeParse(payload);
    if (!parsed.success) {
      console.warn('kpiwall: ignoring an invalid snapshot', parsed.error.issues);
      return false;
    }
    this.#wall = stateFromSnapshot(parsed.data);
    this.#awaitingSnapshotSince = null;
    this.#touch();
    return true;
  }

  applyDelta(payload: unknown): DeltaAction {
    const now = Date.now();
    if (this.#awaitingSnapshotSince !== null) {
      // Deltas wait for the snapshot; ask again only if it is overdue.
      if (now - this.#awaitingSnapshotSince <= wallStaleAfterMs) return 'none';
      return this.#requestSnapshot(now);
    }
    const parsed = wallDeltaSchema.safeParse(payload);
    if (!parsed.success) {
      console.warn('kpiwall: invalid delta, asking for a snapshot', parsed.error.issues);
      return this.#requestSnapshot(now);
    }
    if (this.#wall === null) return this.#requestSnapshot(now);
    const result = foldDelta(this.#wall, parsed.data);
    if (result.kind === 'gap') return this.#requestSnapshot(now);
    this.#wall = result.state;
    this.#touch();
    return 'none';
  }

  #requestSnapshot(now: number): DeltaAction {
    this.#awaitingSnapshotSince = now;
    return 'resync';
  }

  #touch(): void {
    this.#now = Date.now();
    this.#lastUpdateAt = this.#now;
  }
}
