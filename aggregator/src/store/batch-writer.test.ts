// Unit tests for the batch writer, written from DESIGN.md "Delivery" (offsets are committed
// only after the ClickHouse write that covers them succeeded; a ClickHouse outage loses nothing)
// and the writer's contract: flush by size or by time, `write` resolves once its rows are
// stored, failed inserts are retried until they succeed, inserts run one at a time in write
// order, and `close(grace)` flushes what waits.
//
// The insert function here is a FAKE for the ClickHouse insert: an in-memory recorder whose
// answers the test controls. The real insert is covered by the integration tests.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchWriter } from './batch-writer.ts';
import type { EventRow } from './event-rows.ts';

const row = (id: string): EventRow => ({ id });
const ids = (rows: readonly EventRow[]): unknown[] => rows.map((r) => r['id']);

/** Lets every pending promise callback run (one macrotask turn); not a timed sleep. */
const settle = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

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

type Answer = 'ok' | Error | PromiseWithResolvers<undefined>;

/**
 * Fake ClickHouse insert: records the rows of every call (a copy) and answers with the next
 * queued answer — success, a rejection, or a promise the test settles by hand — then 'ok'.
 */
const fakeInsert = (...answers: Answer[]) => {
  const calls: EventRow[][] = [];
  const insert = (rows: readonly EventRow[]): Promise<void> => {
    calls.push([...rows]);
    const answer = answers.shift() ?? 'ok';
    if (answer === 'ok') return Promise.resolve();
    if (answer instanceof Error) return Promise.reject(answer);
    return answer.promise;
  };
  return { calls, insert };
};

const retries = () => {
  const seen: { message: string; attempt: number }[] = [];
  const onRetry = (error: Error, attempt: number): void => {
    seen.push({ message: error.message, attempt });
  };
  return { seen, onRetry };
};

afterEach(() => {
  vi.useRealTimers();
});

describe('BatchWriter', () => {
  it('flushes as soon as maxRows rows wait, in one insert, in write order', async () => {
    const fake = fakeInsert();
    const writer = new BatchWriter({
      insert: fake.insert,
      maxRows: 3,
      flushIntervalMs: 60_000,
      onRetry: retries().onRetry,
    });
    const first = track(writer.write([row('a'), row('b')]));
    await settle();
    // 2 < 3 rows and the interval (a minute) has not passed: nothing inserted yet.
    expect(fake.calls).toHaveLength(0);
    expect(first.resolved).toBe(false);
    const second = writer.write([row('c')]);
    await second;
    expect(fake.calls.map(ids)).toEqual([['a', 'b', 'c']]);
    expect(first.resolved).toBe(true);
    await writer.close(0);
  });

  it('flushes a write larger than maxRows at once', async () => {
    const fake = fakeInsert();
    const writer = new BatchWriter({
      insert: fake.insert,
      maxRows: 2,
      flushIntervalMs: 60_000,
      onRetry: retries().onRetry,
    });
    await writer.write([row('a'), row('b'), row('c')]);
    expect(fake.calls.map(ids)).toEqual([['a', 'b', 'c']]);
    await writer.close(0);
  });

  it('flushes rows that waited flushIntervalMs, however few', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const fake = fakeInsert();
    const writer = new BatchWriter({
      insert: fake.insert,
      maxRows: 100,
      flushIntervalMs: 1_000,
      onRetry: retries().onRetry,
    });
    const first = track(writer.write([row('a')]));
    await vi.advanceTimersByTimeAsync(500);
    // A second write while the first waits joins the same insert; the clock runs from the
    // first write (the rows that waited longest).
    const second = track(writer.write([row('b')]));
    await vi.advanceTimersByTimeAsync(499);
    expect(fake.calls).toHaveLength(0);
    expect(first.resolved || second.resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(fake.calls.map(ids)).toEqual([['a', 'b']]);
    expect(first.resolved && second.resolved).toBe(true);
    await writer.close(0);
  });

  it('resolves write only after the insert succeeded', async () => {
    const pending = Promise.withResolvers<undefined>();
    const fake = fakeInsert(pending);
    const writer = new BatchWriter({
      insert: fake.insert,
      maxRows: 1,
      flushIntervalMs: 60_000,
      onRetry: retries().onRetry,
    });
    const written = track(writer.write([row('a')]));
    await vi.waitFor(() => {
      expect(fake.calls).toHaveLength(1);
    });
    await settle();
    expect(written.resolved).toBe(false);
    pending.resolve(undefined);
    await vi.waitFor(() => {
      expect(written.resolved).toBe(true);
    });
    await writer.close(0);
  });

  it('retries a failing insert, reporting each failure, and resolves once it succeeds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const fake = fakeInsert(new Error('ClickHouse down'), new Error('still down'));
    const retried = retries();
    const writer = new BatchWriter({
      insert: fake.insert,
      maxRows: 2,
      flushIntervalMs: 60_000,
      onRetry: retried.onRetry,
    });
    const written = track(writer.write([row('a'), row('b')]));
    await vi.runAllTimersAsync();
    await settle();
    // Three attempts with the same rows; two failures reported, numbered from 1.
    expect(fake.calls.map(ids)).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(retried.seen).toEqual([
      { message: 'ClickHouse down', attempt: 1 },
      { message: 'still down', attempt: 2 },
    ]);
    expect(written.error).toBeUndefined();
    expect(written.resolved).toBe(true);
    await writer.close(0);
  });

  // Whatever Error the insert fails with, the rows are not lost: the insert is retried and the
  // write resolves once it succeeds.
  it.each([
    { kind: 'Error', error: new Error('connect ECONNREFUSED 127.0.0.1:8123') },
    { kind: 'TypeError', error: new TypeError('Cannot read properties of undefined') },
    { kind: 'RangeError', error: new RangeError('Invalid array length') },
  ])('retries after an insert failing with $kind', async ({ error }) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const fake = fakeInsert(error);
    const retried = retries();
    const writer = new BatchWriter({
      insert: fake.insert,
      maxRows: 1,
      flushIntervalMs: 60_000,
      onRetry: retried.onRetry,
    });
    const written = track(writer.write([row('a')]));
    await vi.runAllTimersAsync();
    await settle();
    expect(written.error).toBeUndefined();
    expect(written.resolved).toBe(true);
    expect(fake.calls.map(ids)).toEqual([['a'], ['a']]);
    expect(retried.seen.map((seen) => seen.attempt)).toEqual([1]);
    await writer.close(0);
  });

  it('runs inserts one at a time, in write order', async () => {
    const firstInsert = Promise.withResolvers<undefined>();
    const fake = fakeInsert(firstInsert);
    const writer = new BatchWriter({
      insert: fake.insert,
      maxRows: 1,
      flushIntervalMs: 60_000,
      onRetry: retries().onRetry,
    });
    const order: string[] = [];
    const a = writer.write([row('a')]).then(() => order.push('a'));
    const b = writer.write([row('b')]).then(() => order.push('b'));
    await vi.waitFor(() => {
      expect(fake.calls).toHaveLength(1);
    });
    await settle();
    // b's insert waits for a's.
    expect(fake.calls.map(ids)).toEqual([['a']]);
    firstInsert.resolve(undefined);
    await Promise.all([a, b]);
    expect(fake.calls.map(ids)).toEqual([['a'], ['b']]);
    expect(order).toEqual(['a', 'b']);
    await writer.close(0);
  });

  it('does not let a later insert overtake one that is being retried', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const fake = fakeInsert(new Error('ClickHouse down'));
    const writer = new BatchWriter({
      insert: fake.insert,
      maxRows: 1,
      flushIntervalMs: 60_000,
      onRetry: retries().onRetry,
    });
    const a = track(writer.write([row('a')]));
    const b = track(writer.write([row('b')]));
    await vi.runAllTimersAsync();
    await settle();
    expect(fake.calls.map(ids)).toEqual([['a'], ['a'], ['b']]);
    expect(a.resolved && b.resolved).toBe(true);
    await writer.close(0);
  });

  it('close flushes what waits and resolves after the insert', async () => {
    const fake = fakeInsert();
    const writer = new BatchWriter({
      insert: fake.insert,
      maxRows: 100,
      flushIntervalMs: 60_000,
      onRetry: retries().onRetry,
    });
    const written = track(writer.write([row('a'), row('b')]));
    await settle();
    expect(fake.calls).toHaveLength(0);
    await writer.close(1_000);
    expect(fake.calls.map(ids)).toEqual([['a', 'b']]);
    await settle();
    expect(written.resolved).toBe(true);
  });

  it('close with nothing waiting inserts nothing', async () => {
    const fake = fakeInsert();
    const writer = new BatchWriter({
      insert: fake.insert,
      maxRows: 100,
      flushIntervalMs: 60_000,
      onRetry: retries().onRetry,
    });
    await writer.close(1_000);
    expect(fake.calls).toHaveLength(0);
  });

  it('close gives up after the grace period and rejects the write (nothing is committed)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const down = new Error('ClickHouse down');
    const fake = fakeInsert(...Array.from({ length: 50 }, () => down));
    const writer = new BatchWriter({
      insert: fake.insert,
      maxRows: 100,
      flushIntervalMs: 60_000,
      onRetry: retries().onRetry,
    });
    const written = track(writer.write([row('a')]));
    const closed = track(writer.close(1_000));
    await vi.advanceTimersByTimeAsync(999);
    expect(closed.resolved).toBe(false);
    expect(written.resolved).toBe(false);
    expect(written.error).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(closed.resolved).toBe(true);
    expect(written.resolved).toBe(false);
    expect(written.error).toBeInstanceOf(Error);
    expect(fake.calls.length).toBeGreaterThanOrEqual(2);
  });
});
