interface Entry<T> {
  readonly at: number;
  readonly order: number;
  readonly item: T;
}

/**
 * A time-ordered queue (binary min-heap). Items due at the same instant come out in the order
 * they were added, which keeps the simulation deterministic.
 */
export class EventQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private added = 0;

  get size(): number {
    return this.heap.length;
  }

  /** The time of the earliest item, or undefined when empty. */
  peekTime(): number | undefined {
    return this.heap[0]?.at;
  }

  push(at: number, item: T): void {
    const heap = this.heap;
    heap.push({ at, order: this.added, item });
    this.added += 1;
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(index, parent)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  /** Removes and returns the earliest item with its time. */
  pop(): { at: number; item: T } | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (heap.length > 0) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && this.before(left, smallest)) smallest = left;
        if (right < heap.length && this.before(right, smallest)) smallest = right;
        if (smallest === index) break;
        this.swap(index, smallest);
        index = smallest;
      }
    }
    return { at: top.at, item: top.item };
  }

  private before(a: number, b: number): boolean {
    const first = this.heap[a];
    const second = this.heap[b];
    if (first === undefined || second === undefined) return false;
    return first.at < second.at || (first.at === second.at && first.order < second.order);
  }

  private swap(a: number, b: number): void {
    const heap = this.heap;
    const first = heap[a];
    const second = heap[b];
    if (first === undefined || second === undefined) return;
    heap[a] = second;
    heap[b] = first;
  }
}
