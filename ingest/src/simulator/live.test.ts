import { describe, expect, it } from 'vitest';
import { validateEvent } from '@kpiwall/shared';
import type { RawEvent } from './events.ts';
import { generateHistory } from './history.ts';
import { LiveSimulation } from './live.ts';

const now = Date.parse('2026-11-20T16:30:00.000Z');
const stepMs = 100;

const eventMs = (event: RawEvent): number =>
  typeof event.time === 'number' ? event.time : Date.parse(event.time);

/** Drives a simulation through `seconds` of wall-clock time in ticks, like the CLI does. */
const runLive = (simulation: LiveSimulation, from: number, seconds: number) => {
  const ticks: { now: number; events: RawEvent[] }[] = [];
  for (let tick = from + stepMs; tick <= from + seconds * 1000; tick += stepMs) {
    ticks.push({ now: tick, events: simulation.advance(tick) });
  }
  return ticks;
};

describe('LiveSimulation', () => {
  it('backfills exactly the history generateHistory gives for the same world', () => {
    const simulation = new LiveSimulation({
      seed: 5,
      accounts: 12,
      speed: 60,
      rate: 50,
      backfillDays: 3,
      now,
    });
    const chunks = [...simulation.backfill()];
    expect(chunks.length).toBe(3);
    expect(chunks.at(-1)?.until).toBe(now);
    expect(chunks.flatMap((chunk) => chunk.events)).toEqual(
      generateHistory({ seed: 5, accounts: 12, days: 3, end: now }),
    );
  });

  it('refuses to go live before its backfill is consumed', () => {
    const simulation = new LiveSimulation({
      seed: 5,
      accounts: 3,
      speed: 60,
      rate: 50,
      backfillDays: 1,
      now,
    });
    expect(() => simulation.advance(now + 1_000)).toThrow(/backfill/);
  });

  it('emits about `rate` events per second, each due by the instant it is emitted at', () => {
    const rate = 50;
    const seconds = 300;
    const simulation = new LiveSimulation({
      seed: 9,
      accounts: 40,
      speed: 60,
      rate,
      backfillDays: 1,
      now,
    });
    for (const chunk of simulation.backfill()) expect(chunk.events.length).toBeGreaterThan(0);
    const ticks = runLive(simulation, now, seconds);
    let previous = now;
    for (const { now: tickNow, events } of ticks) {
      for (const event of events) {
        expect(eventMs(event)).toBeGreaterThan(previous);
        expect(eventMs(event)).toBeLessThanOrEqual(tickNow);
        const validation = validateEvent(JSON.parse(JSON.stringify(event)), tickNow, tickNow);
        expect(validation.ok ? 'ok' : validation.reason).toBe('ok');
      }
      previous = tickNow;
    }
    // After a few seconds of warm-up (stories spread their events over time), within 10 %.
    const settled = ticks.filter((tick) => tick.now > now + 10_000);
    const settledEvents = settled.reduce((sum, tick) => sum + tick.events.length, 0);
    const settledSeconds = (settled.length * stepMs) / 1000;
    expect(settledEvents / settledSeconds).toBeGreaterThan(rate * 0.9);
    expect(settledEvents / settledSeconds).toBeLessThan(rate * 1.1);
    // And steady: every 5-second window the CLI reports stays near the target.
    const ticksPerWindow = 5_000 / stepMs;
    for (let window = 0; window + ticksPerWindow <= settled.length; window += ticksPerWindow) {
      const windowEvents = settled
        .slice(window, window + ticksPerWindow)
        .reduce((sum, tick) => sum + tick.events.length, 0);
      expect(windowEvents / 5).toBeGreaterThan(rate * 0.7);
      expect(windowEvents / 5).toBeLessThan(rate * 1.3);
    }
  });

  it('compresses behaviour by `speed`: tickets get their first reply sooner at a higher speed', () => {
    const replyWithin = (speed: number): number => {
      const simulation = new LiveSimulation({
        seed: 3,
        accounts: 40,
        speed,
        rate: 40,
        backfillDays: 0,
        now,
      });
      const events = runLive(simulation, now, 1_800).flatMap((tick) => tick.events);
      const created = new Set(
        events.filter((event) => event.type === 'ticket.created').map((event) => event.ticket_id),
      );
      const replied = new Set(
        events
          .filter(
            (event) => event.type === 'ticket.replied' && event.author === 'agent' && event.public,
          )
          .map((event) => (event.type === 'ticket.replied' ? event.ticket_id : '')),
      );
      return [...created].filter((ticketId) => replied.has(ticketId)).length / created.size;
    };
    expect(replyWithin(60)).toBeGreaterThan(replyWithin(1) + 0.3);
  });

  it('gives a live run ids that differ from another run of the same seed started later', () => {
    const idsFrom = (start: number) => {
      const simulation = new LiveSimulation({
        seed: 1,
        accounts: 5,
        speed: 60,
        rate: 20,
        backfillDays: 0,
        now: start,
      });
      return runLive(simulation, start, 10).flatMap((tick) => tick.events.map((event) => event.id));
    };
    const first = new Set(idsFrom(now));
    expect(idsFrom(now + 60_000).some((id) => first.has(id))).toBe(false);
  });
});
