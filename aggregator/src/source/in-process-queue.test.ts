// Unit tests for the in-process queue, written from DESIGN.md "Delivery" (at-least-once,
// offsets committed only after the write that covers them succeeded; a paused consumer keeps
// memory bounded) and the EventSource / MessageProducer contracts: batches of a partition
// come in offset order, commits happen in order, a rejected batch is delivered again, `send`
// resolves once its messages are committed and refuses with ProducerBusyError when full.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProducerBusyError, type ProducedMessage } from '@kpiwall/ingest';
import { topics } from '@kpiwall/shared';
import { InProcessQueue, type InProcessQueueOptions } from './in-process-queue.ts';
import type { SourceBatch } from './event-source.ts';

const options: InProcessQueueOptions = {
  capacity: 100,
  maxBatchMessages: 2,
  maxBatchesInFlight: 2,
  redeliveryDelayMs: 10,
};

const messages = (...values: string[]): ProducedMessage[] =>
  values.map((value) => ({ key: 'acme', value }));

/** Lets every pending promise callback run (one macrotask turn); not a timed sleep. */
const settle = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

/** Tracks whether a promise has resolved or rejected, without awaiting it. */
const track = (promise: Promise<void>) => {
  const state: { resolved: boolean; error: unknown } = { resolved: false, error: undefined };
  promise.then(
    () => {
      state.resolved = true;
    },
    (error: unknown) => {
      state.error = error;
    },
  );
  return state;
};

type Delivery = { batch: SourceBatch; done: PromiseWithResolvers<undefined> };

/** A handler whose promise for each batch the test resolves or rejects by hand. */
const manualHandler = () => {
  const deliveries: Delivery[] = [];
  const handle = (batch: SourceBatch): Promise<void> => {
    const done = Promise.withResolvers<undefined>();
    deliveries.push({ batch, done });
    return done.promise;
  };
  const nth = (i: number): Delivery => {
    const delivery = deliveries[i];
    if (!delivery) throw new Error(`no delivery #${i} (have ${deliveries.length})`);
    return delivery;
  };
  const offsets = (): number[][] =>
    deliveries.map((d) => d.batch.messages.map((message) => message.offset));
  return { deliveries, handle, nth, offsets };
};

afterEach(() => {
  vi.useRealTimers();
});

describe('InProcessQueue', () => {
  it('resolves send only after the handler’s promise for the batch resolved', async () => {
    const queue = new InProcessQueue(options);
    const handler = manualHandler();
    queue.start(handler.handle);
    const sent = track(queue.send(topics.product, messages('a')));
    await vi.waitFor(() => {
      expect(handler.deliveries).toHaveLength(1);
    });
    await settle();
    expect(sent.resolved).toBe(false);
    expect(queue.depth).toBe(1);
    handler.nth(0).done.resolve(undefined);
    await vi.waitFor(() => {
      expect(sent.resolved).toBe(true);
    });
    expect(queue.depth).toBe(0);
  });

  it('holds messages sent before start and delivers them once started', async () => {
    const queue = new InProcessQueue(options);
    const sent = track(queue.send(topics.product, messages('a', 'b')));
    await settle();
    expect(queue.depth).toBe(2);
    expect(sent.resolved).toBe(false);
    const seen: string[] = [];
    queue.start((batch) => {
      seen.push(...batch.messages.map((m) => m.value));
      return Promise.resolve();
    });
    await vi.waitFor(() => {
      expect(sent.resolved).toBe(true);
    });
    expect(seen).toEqual(['a', 'b']);
    expect(queue.depth).toBe(0);
  });

  it('hands out batches of at most maxBatchMessages, per topic in offset order', async () => {
    const queue = new InProcessQueue(options);
    const batches: SourceBatch[] = [];
    queue.start((batch) => {
      batches.push(batch);
      return Promise.resolve();
    });
    // Product: p0…p4 in two sends → offsets 0…4. Support: s0, s1 → offsets 0, 1 (own offsets).
    await Promise.all([
      queue.send(topics.product, messages('p0', 'p1', 'p2')),
      queue.send(topics.support, messages('s0', 's1')),
      queue.send(topics.product, messages('p3', 'p4')),
    ]);
    const ofTopic = (topic: string) => batches.filter((batch) => batch.topic === topic);
    for (const batch of batches) expect(batch.messages.length).toBeLessThanOrEqual(2);
    const productMessages = ofTopic(topics.product).flatMap((batch) => batch.messages);
    expect(productMessages.map((m) => m.offset)).toEqual([0, 1, 2, 3, 4]);
    expect(productMessages.map((m) => m.value)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    const supportMessages = ofTopic(topics.support).flatMap((batch) => batch.messages);
    expect(supportMessages.map((m) => m.offset)).toEqual([0, 1]);
    expect(supportMessages.map((m) => m.value)).toEqual(['s0', 's1']);
    expect(productMessages.every((m) => m.key === 'acme')).toBe(true);
    expect(queue.depth).toBe(0);
  });

  it('keeps at most maxBatchesInFlight batches of a topic unresolved', async () => {
    const queue = new InProcessQueue(options);
    const handler = manualHandler();
    queue.start(handler.handle);
    // Six messages → batches [0,1], [2,3], [4,5]; only two may be in flight.
    const sent = track(queue.send(topics.product, messages('a', 'b', 'c', 'd', 'e', 'f')));
    await vi.waitFor(() => {
      expect(handler.deliveries).toHaveLength(2);
    });
    await settle();
    expect(handler.offsets()).toEqual([
      [0, 1],
      [2, 3],
    ]);
    handler.nth(0).done.resolve(undefined);
    await vi.waitFor(() => {
      expect(handler.deliveries).toHaveLength(3);
    });
    expect(handler.offsets()[2]).toEqual([4, 5]);
    handler.nth(1).done.resolve(undefined);
    handler.nth(2).done.resolve(undefined);
    await vi.waitFor(() => {
      expect(sent.resolved).toBe(true);
    });
    expect(queue.depth).toBe(0);
  });

  it('commits in offset order even when a later batch resolves first', async () => {
    const queue = new InProcessQueue(options);
    const handler = manualHandler();
    queue.start(handler.handle);
    const first = track(queue.send(topics.product, messages('a', 'b'))); // offsets 0, 1
    const second = track(queue.send(topics.product, messages('c', 'd'))); // offsets 2, 3
    await vi.waitFor(() => {
      expect(handler.deliveries).toHaveLength(2);
    });
    // The later batch is durable first: nothing may be committed yet.
    handler.nth(1).done.resolve(undefined);
    await settle();
    expect(second.resolved).toBe(false);
    expect(first.resolved).toBe(false);
    expect(queue.depth).toBe(4);
    // Now the earlier one: both commit.
    handler.nth(0).done.resolve(undefined);
    await vi.waitFor(() => {
      expect(first.resolved && second.resolved).toBe(true);
    });
    expect(queue.depth).toBe(0);
  });

  it('resolves an earlier send as soon as its own batch commits', async () => {
    const queue = new InProcessQueue(options);
    const handler = manualHandler();
    queue.start(handler.handle);
    const first = track(queue.send(topics.product, messages('a', 'b')));
    const second = track(queue.send(topics.product, messages('c', 'd')));
    await vi.waitFor(() => {
      expect(handler.deliveries).toHaveLength(2);
    });
    handler.nth(0).done.resolve(undefined);
    await vi.waitFor(() => {
      expect(first.resolved).toBe(true);
    });
    expect(second.resolved).toBe(false);
    expect(queue.depth).toBe(2);
    handler.nth(1).done.resolve(undefined);
    await vi.waitFor(() => {
      expect(second.resolved).toBe(true);
    });
    expect(queue.depth).toBe(0);
  });

  it('delivers a rejected batch again after redeliveryDelayMs, then commits it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const queue = new InProcessQueue(options);
    const handler = manualHandler();
    queue.start(handler.handle);
    const sent = track(queue.send(topics.product, messages('a', 'b')));
    await settle();
    expect(handler.deliveries).toHaveLength(1);
    handler.nth(0).done.reject(new Error('ClickHouse down'));
    await settle();
    // Not yet: the queue waits redeliveryDelayMs (10 ms) first.
    await vi.advanceTimersByTimeAsync(9);
    expect(handler.deliveries).toHaveLength(1);
    expect(sent.resolved).toBe(false);
    expect(queue.depth).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(handler.deliveries).toHaveLength(2);
    expect(handler.offsets()).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(handler.nth(1).batch.messages.map((m) => m.value)).toEqual(['a', 'b']);
    expect(sent.resolved).toBe(false);
    handler.nth(1).done.resolve(undefined);
    await settle();
    expect(sent.resolved).toBe(true);
    expect(sent.error).toBeUndefined();
    expect(queue.depth).toBe(0);
  });

  it('redelivers from the first uncommitted offset when an earlier batch fails', async () => {
    const queue = new InProcessQueue(options);
    const handler = manualHandler();
    queue.start(handler.handle);
    const first = track(queue.send(topics.product, messages('a', 'b'))); // offsets 0, 1
    const second = track(queue.send(topics.product, messages('c', 'd'))); // offsets 2, 3
    await vi.waitFor(() => {
      expect(handler.deliveries).toHaveLength(2);
    });
    // Batch [2,3] is durable but batch [0,1] failed: [2,3] cannot be committed before [0,1],
    // so delivery starts again at offset 0.
    handler.nth(1).done.resolve(undefined);
    handler.nth(0).done.reject(new Error('ClickHouse down'));
    await vi.waitFor(() => {
      expect(handler.deliveries.length).toBeGreaterThanOrEqual(3);
    });
    expect(handler.offsets()[2]).toEqual([0, 1]);
    expect(first.resolved || second.resolved).toBe(false);
    // From now on every delivery succeeds.
    for (let i = 2; ; i++) {
      await vi.waitFor(() => {
        expect(handler.deliveries.length > i || (first.resolved && second.resolved)).toBe(true);
      });
      if (first.resolved && second.resolved) break;
      handler.nth(i).done.resolve(undefined);
    }
    // Everything after the failure came again in offset order, and every message was
    // handled successfully at least once.
    const redelivered = handler.offsets().slice(2).flat();
    expect(redelivered).toEqual([0, 1, 2, 3]);
    expect(queue.depth).toBe(0);
  });

  it('refuses a send beyond capacity with ProducerBusyError, without keeping its messages', async () => {
    const queue = new InProcessQueue({ ...options, capacity: 3 });
    // Not started yet: everything sent is held.
    const a = track(queue.send(topics.product, messages('a', 'b')));
    expect(queue.depth).toBe(2);
    // 2 + 2 > 3: refused.
    await expect(queue.send(topics.product, messages('c', 'd'))).rejects.toBeInstanceOf(
      ProducerBusyError,
    );
    expect(queue.depth).toBe(2);
    // 2 + 1 = 3: accepted (capacity counts across topics).
    const b = track(queue.send(topics.support, messages('e')));
    expect(queue.depth).toBe(3);
    await expect(queue.send(topics.product, messages('f'))).rejects.toBeInstanceOf(
      ProducerBusyError,
    );
    const seen: string[] = [];
    queue.start((batch) => {
      seen.push(...batch.messages.map((m) => m.value));
      return Promise.resolve();
    });
    await vi.waitFor(() => {
      expect(a.resolved && b.resolved).toBe(true);
    });
    expect([...seen].sort()).toEqual(['a', 'b', 'e']);
    expect(queue.depth).toBe(0);
    // Room again after the commits.
    await expect(queue.send(topics.product, messages('g', 'h', 'i'))).resolves.toBeUndefined();
  });

  it('counts delivered but uncommitted messages in depth (capacity bounds memory)', async () => {
    const queue = new InProcessQueue({ ...options, capacity: 4 });
    const handler = manualHandler();
    queue.start(handler.handle);
    const sent = track(queue.send(topics.product, messages('a', 'b', 'c', 'd')));
    await vi.waitFor(() => {
      expect(handler.deliveries).toHaveLength(2);
    });
    // All four are handed out, none committed: still held, so the queue is full.
    expect(queue.depth).toBe(4);
    await expect(queue.send(topics.product, messages('e'))).rejects.toBeInstanceOf(
      ProducerBusyError,
    );
    handler.nth(0).done.resolve(undefined);
    await vi.waitFor(() => {
      expect(queue.depth).toBe(2);
    });
    handler.nth(1).done.resolve(undefined);
    await vi.waitFor(() => {
      expect(sent.resolved).toBe(true);
    });
    expect(queue.depth).toBe(0);
  });

  it('resolves send of no messages at once', async () => {
    const queue = new InProcessQueue(options);
    await expect(queue.send(topics.product, [])).resolves.toBeUndefined();
    expect(queue.depth).toBe(0);
  });

  it('stop waits for batches in flight and delivers nothing more', async () => {
    const queue = new InProcessQueue(options);
    const handler = manualHandler();
    queue.start(handler.handle);
    void queue.send(topics.product, messages('a', 'b'));
    await vi.waitFor(() => {
      expect(handler.deliveries).toHaveLength(1);
    });
    const stopped = track(queue.stop());
    await settle();
    expect(stopped.resolved).toBe(false);
    handler.nth(0).done.resolve(undefined);
    await vi.waitFor(() => {
      expect(stopped.resolved).toBe(true);
    });
    const later = track(queue.send(topics.product, messages('c')));
    await settle();
    expect(handler.deliveries).toHaveLength(1);
    expect(later.resolved).toBe(false);
    expect(queue.depth).toBe(1);
  });
});
