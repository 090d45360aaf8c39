import { describe, expect, it } from 'vitest';
import type { RawEvent } from './events.ts';
import { BatchRefusedError, sendBatch } from './sender.ts';

const target = 'http://collector.test/v1/events';
const events: RawEvent[] = [
  {
    id: 'e1',
    type: 'user.activated',
    time: '2026-11-20T17:00:00.000Z',
    account_id: 'a',
    user_id: 'u',
  },
  { id: 'e2', type: 'ticket.solved', time: 1_795_194_000_000, account_id: 'a', ticket_id: 't' },
];
const okReply = { accepted: 2, rejected: [] };
// Millisecond backoff keeps retries fast; the doubling itself is p-retry's.
const backoff = { minMs: 1, maxMs: 4 };

interface Call {
  url: string;
  contentType: string | null;
  body: string;
}

/** A stand-in collector answering each call with the next step: a response or a network error. */
const fakeCollector = (steps: (Response | Error)[]) => {
  const calls: Call[] = [];
  const fetchFake: typeof fetch = (input, init) => {
    calls.push({
      url: input instanceof Request ? input.url : String(input),
      contentType: new Headers(init?.headers).get('content-type'),
      body: typeof init?.body === 'string' ? init.body : '',
    });
    const step = steps.shift();
    if (step === undefined) return Promise.reject(new Error('unexpected call'));
    return step instanceof Error ? Promise.reject(step) : Promise.resolve(step);
  };
  return { calls, fetchFake };
};

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });

describe('sendBatch', () => {
  it('POSTs the events as NDJSON and returns the collector reply', async () => {
    const { calls, fetchFake } = fakeCollector([
      json({ accepted: 1, rejected: [{ index: 1, reason: 'time_in_future' }] }),
    ]);
    const reply = await sendBatch(events, { target, fetch: fetchFake });
    expect(reply).toEqual({
      accepted: 1,
      rejected: [{ index: 1, reason: 'time_in_future' }],
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe(target);
    expect(calls[0]?.contentType).toBe('application/x-ndjson');
    const lines = calls[0]?.body.trimEnd().split('\n') ?? [];
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(events);
  });

  it('retries network errors, 5xx and 429, resending the same batch', async () => {
    const { calls, fetchFake } = fakeCollector([
      new TypeError('fetch failed'),
      json({ error: 'unavailable' }, 503),
      json({ error: 'slow down' }, 429),
      json(okReply),
    ]);
    const retries: number[] = [];
    const reply = await sendBatch(events, {
      target,
      fetch: fetchFake,
      backoff,
      onRetry: (attempt) => retries.push(attempt),
    });
    expect(reply).toEqual(okReply);
    expect(calls).toHaveLength(4);
    expect(new Set(calls.map((call) => call.body)).size).toBe(1);
    expect(retries).toEqual([1, 2, 3]);
  });

  it('takes a 400 carrying an answer (every event rejected) as an answer', async () => {
    const allRejected = { accepted: 0, rejected: [{ index: 0, reason: 'unknown_type' }] };
    const { calls, fetchFake } = fakeCollector([
      json(allRejected, 400),
      json({ accepted: 2, rejected: [] }),
    ]);
    expect(await sendBatch(events, { target, fetch: fetchFake })).toEqual(allRejected);
    expect(await sendBatch(events, { target, fetch: fetchFake })).toEqual({
      accepted: 2,
      rejected: [],
    });
    expect(calls).toHaveLength(2);
  });

  it('does not retry a batch the collector refuses (4xx) or an unreadable reply', async () => {
    const tooLarge = fakeCollector([json({ error: 'too large' }, 413)]);
    await expect(sendBatch(events, { target, fetch: tooLarge.fetchFake })).rejects.toBeInstanceOf(
      BatchRefusedError,
    );
    expect(tooLarge.calls).toHaveLength(1);
    const refused = fakeCollector([json({ error: 'bad request' }, 400)]);
    await expect(sendBatch(events, { target, fetch: refused.fetchFake })).rejects.toBeInstanceOf(
      BatchRefusedError,
    );
    expect(refused.calls).toHaveLength(1);
    const garbled = fakeCollector([new Response('not json', { status: 200 })]);
    await expect(sendBatch(events, { target, fetch: garbled.fetchFake })).rejects.toBeInstanceOf(
      BatchRefusedError,
    );
  });

  it('stops retrying once its signal aborts', async () => {
    const controller = new AbortController();
    const { calls, fetchFake } = fakeCollector([json({}, 500), json({}, 500), json(okReply)]);
    const sending = sendBatch(events, {
      target,
      fetch: fetchFake,
      signal: controller.signal,
      backoff,
      onRetry: (attempt) => {
        if (attempt === 2) controller.abort(new Error('collector answered 500: stopped'));
      },
    });
    await expect(sending).rejects.toThrow(/500/);
    expect(calls).toHaveLength(2);
  });
});
