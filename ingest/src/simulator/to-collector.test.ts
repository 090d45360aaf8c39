import { describe, expect, it } from 'vitest';
import { generateHistory } from './history.ts';
import { LiveSimulation } from './live.ts';
import { streamToCollector } from './to-collector.ts';

/** A stand-in collector that accepts everything and keeps each POSTed batch's lines. */
const recordingCollector = () => {
  const batches: string[][] = [];
  const fetchFake: typeof fetch = (_input, init) => {
    const lines = typeof init?.body === 'string' ? init.body.trimEnd().split('\n') : [];
    batches.push(lines);
    const reply = { accepted: lines.length, rejected: [] };
    return Promise.resolve(new Response(JSON.stringify(reply), { status: 200 }));
  };
  return { batches, fetchFake };
};

describe('streamToCollector', () => {
  it('sends the whole backfill in batches, then live events, and reports what it sent', async () => {
    const now = Date.now();
    const simulation = new LiveSimulation({
      seed: 8,
      accounts: 4,
      speed: 60,
      rate: 200,
      backfillDays: 2,
      now,
    });
    const { batches, fetchFake } = recordingCollector();
    const logged: object[] = [];
    await streamToCollector(simulation, {
      target: 'http://collector.test/v1/events',
      batch: 100,
      liveDurationMs: 1_500,
      stop: new AbortController().signal,
      abort: new AbortController().signal,
      log: (line) => logged.push(line),
      fetch: fetchFake,
    });

    const sentIds = batches.flat().map((line) => (JSON.parse(line) as { id: string }).id);
    const backfillIds = generateHistory({ seed: 8, accounts: 4, days: 2, end: now }).map(
      (event) => event.id,
    );
    expect(sentIds.slice(0, backfillIds.length)).toEqual(backfillIds);
    expect(sentIds.length).toBeGreaterThan(backfillIds.length);
    expect(new Set(sentIds).size).toBe(sentIds.length);
    expect(batches.every((batch) => batch.length <= 100)).toBe(true);
    expect(logged.at(-1)).toMatchObject({
      msg: 'simulator',
      phase: 'live',
      sent: sentIds.length,
      accepted: sentIds.length,
      rejected: 0,
    });
    expect(logged.filter((line) => 'until' in line)).toHaveLength(2);
  });

  it('stops at the stop signal and still delivers what it generated', async () => {
    const simulation = new LiveSimulation({
      seed: 8,
      accounts: 4,
      speed: 60,
      rate: 200,
      backfillDays: 0,
      now: Date.now(),
    });
    const { batches, fetchFake } = recordingCollector();
    const stop = new AbortController();
    setTimeout(() => {
      stop.abort();
    }, 400);
    const logged: object[] = [];
    await streamToCollector(simulation, {
      target: 'http://collector.test/v1/events',
      batch: 1_000,
      liveDurationMs: undefined,
      stop: stop.signal,
      abort: new AbortController().signal,
      log: (line) => logged.push(line),
      fetch: fetchFake,
    });
    const sent = batches.flat().length;
    expect(sent).toBeGreaterThan(0);
    expect(logged.at(-1)).toMatchObject({ sent, accepted: sent });
  });
});
