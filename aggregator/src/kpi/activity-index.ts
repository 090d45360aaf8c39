/**
 * Distinct users per time bucket (a local day, a minute), remembering each user's earliest
 * event time in the bucket so a count "as of" an instant excludes events after it.
 */
export class ActivityIndex {
  readonly #buckets = new Map<number, Map<string, number>>();

  record(bucket: number, userId: string, timeMs: number): void {
    let users = this.#buckets.get(bucket);
    if (!users) {
      users = new Map();
      this.#buckets.set(bucket, users);
    }
    const known = users.get(userId);
    if (known === undefined || timeMs < known) users.set(userId, timeMs);
  }

  /** Users active in `bucket` with an event at or before `asOfMs`. */
  countAsOf(bucket: number, asOfMs: number): number {
    const users = this.#buckets.get(bucket);
    if (!users) return 0;
    let count = 0;
    for (const first of users.values()) if (first <= asOfMs) count++;
    return count;
  }

  /** Distinct users active in any bucket of [from, to] with an event at or before `asOfMs`. */
  distinctAsOf(from: number, to: number, asOfMs: number): number {
    const seen = new Set<string>();
    for (const [bucket, users] of this.#buckets) {
      if (bucket < from || bucket > to) continue;
      for (const [user, first] of users) if (first <= asOfMs) seen.add(user);
    }
    return seen.size;
  }

  /** Forgets buckets before `oldest`; later events for them are ignored by callers. */
  dropBefore(oldest: number): void {
    for (const bucket of this.#buckets.keys()) if (bucket < oldest) this.#buckets.delete(bucket);
  }
}
