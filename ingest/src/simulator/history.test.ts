// Properties of a simulated history, checked against DESIGN.md's contract and the shapes
// KPIS.md needs. Expectations come from the generated data and the spec, not the simulator.
import { describe, expect, it } from 'vitest';
import { validateEvent } from '@kpiwall/shared';
import { generateHistory, type RawEvent } from './history.ts';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const end = Date.parse('2026-11-20T16:30:00.000Z');
const days = 30;
const options = { seed: 42, accounts: 40, days, end };
const history = generateHistory(options);

// DESIGN.md "Event contract", in its order.
const contractTypes = [
  'user.signed_up',
  'page.viewed',
  'feature.used',
  'onboarding.step_completed',
  'user.activated',
  'cta.shown',
  'cta.clicked',
  'subscription.started',
  'subscription.changed',
  'subscription.cancelled',
  'ticket.created',
  'ticket.replied',
  'ticket.escalated',
  'ticket.solved',
  'ticket.reopened',
  'survey.answered',
];
// KPIS.md "Support": first-reply SLA targets per priority.
const slaTargetMs: Record<string, number> = {
  urgent: hourMs,
  high: 4 * hourMs,
  normal: 8 * hourMs,
  low: 24 * hourMs,
};
// KPIS.md "Onboarding": the default funnel, and its 14-day window.
const funnel = [
  'signed_up',
  'profile_completed',
  'first_project_created',
  'teammate_invited',
  'activated',
];
const funnelWindowMs = 14 * dayMs;

const eventMs = (event: RawEvent): number =>
  typeof event.time === 'number' ? event.time : Date.parse(event.time);

const ofType = <T extends RawEvent['type']>(events: readonly RawEvent[], type: T) =>
  events.filter((event): event is Extract<RawEvent, { type: T }> => event.type === type);

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(middle)] ?? NaN) + (sorted[Math.ceil(middle)] ?? NaN)) / 2;
};

interface TicketTimeline {
  createdAt: number;
  priority: string;
  events: RawEvent[];
}

const ticketTimelines = (events: readonly RawEvent[]): Map<string, TicketTimeline> => {
  const tickets = new Map<string, TicketTimeline>();
  for (const event of events) {
    if (event.type === 'ticket.created') {
      tickets.set(event.ticket_id, {
        createdAt: eventMs(event),
        priority: event.priority,
        events: [],
      });
    }
    if ('ticket_id' in event && event.ticket_id !== undefined && event.type !== 'survey.answered') {
      tickets.get(event.ticket_id)?.events.push(event);
    }
  }
  return tickets;
};

const isPublicAgentReply = (event: RawEvent): boolean =>
  event.type === 'ticket.replied' && event.author === 'agent' && event.public;

describe('generateHistory', () => {
  it('is deterministic: the same options give identical events, another seed others', () => {
    expect(generateHistory(options)).toEqual(history);
    const other = generateHistory({ ...options, seed: 43 });
    expect(other).not.toEqual(history);
    expect(other.slice(0, 200).map((event) => event.id)).not.toEqual(
      history.slice(0, 200).map((event) => event.id),
    );
  });

  it('has a month of events at the scale the benchmark and the oracle expect', () => {
    expect(history.length).toBeGreaterThanOrEqual(30_000);
    expect(history.length).toBeLessThanOrEqual(80_000);
  });

  it('emits every event type of the contract', () => {
    const seen = new Set(history.map((event) => event.type));
    for (const type of contractTypes) expect(seen, type).toContain(type);
  });

  it('emits only events the contract validator accepts, as they would arrive in JSON', () => {
    const reasons = new Map<string, number>();
    for (const event of history) {
      const result = validateEvent(JSON.parse(JSON.stringify(event)), end, end);
      if (!result.ok) reasons.set(result.reason, (reasons.get(result.reason) ?? 0) + 1);
    }
    expect(Object.fromEntries(reasons)).toEqual({});
  });

  it('is sorted by event time, within the requested days and never after end', () => {
    const times = history.map(eventMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(end - days * dayMs);
    expect(times.at(-1)).toBeLessThanOrEqual(end);
  });

  it('writes times mostly as UTC RFC 3339 with milliseconds, some with an offset, a few as epoch ms', () => {
    const utc = history.filter((e) => typeof e.time === 'string' && /\.\d{3}Z$/.test(e.time));
    const offset = history.filter(
      (e) => typeof e.time === 'string' && /\.\d{3}[+-]\d{2}:\d{2}$/.test(e.time),
    );
    const epoch = history.filter((e) => Number.isSafeInteger(e.time));
    expect(utc.length + offset.length + epoch.length).toBe(history.length);
    expect(utc.length).toBeGreaterThan(history.length / 2);
    expect(offset.length).toBeGreaterThan(epoch.length);
    expect(epoch.length).toBeGreaterThan(0);
    expect(offset.some((e) => String(e.time).endsWith('+01:00'))).toBe(true);
  });

  it('uses unique event ids, unique ticket ids, and users that belong to one account', () => {
    expect(new Set(history.map((event) => event.id)).size).toBe(history.length);
    const created = ofType(history, 'ticket.created').map((event) => event.ticket_id);
    expect(new Set(created).size).toBe(created.length);
    const accountOfUser = new Map<string, string>();
    for (const event of history) {
      if (!('user_id' in event) || event.user_id === undefined) continue;
      const known = accountOfUser.get(event.user_id) ?? event.account_id;
      expect(known, event.user_id).toBe(event.account_id);
      accountOfUser.set(event.user_id, event.account_id);
    }
  });

  it('follows the account region daily rhythm: busier in local working hours than at night', () => {
    const offsetOfAccount = new Map<string, number>();
    for (const event of history) {
      const match =
        typeof event.time === 'string' ? /([+-])(\d{2}):(\d{2})$/.exec(event.time) : null;
      if (match === null) continue;
      const [, sign, hours, minutes] = match;
      offsetOfAccount.set(
        event.account_id,
        (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)),
      );
    }
    let workingHours = 0;
    let night = 0;
    for (const event of ofType(history, 'page.viewed')) {
      const offsetMinutes = offsetOfAccount.get(event.account_id) ?? 0;
      const localHour = new Date(eventMs(event) + offsetMinutes * 60_000).getUTCHours();
      if (localHour >= 9 && localHour < 17) workingHours += 1;
      if (localHour < 5) night += 1;
    }
    // Per hour of the day: 8 working hours against 5 night hours.
    expect(workingHours / 8).toBeGreaterThan((night / 5) * 4);
  });

  it('has sessions of page views, some single-page bounces, with feature use in the same session', () => {
    const sessions = new Map<string, { pages: number; users: Set<string> }>();
    for (const event of ofType(history, 'page.viewed')) {
      const session = sessions.get(event.session_id) ?? { pages: 0, users: new Set<string>() };
      session.pages += 1;
      session.users.add(event.user_id);
      sessions.set(event.session_id, session);
    }
    const pageCounts = [...sessions.values()].map((session) => session.pages);
    const bounces = pageCounts.filter((pages) => pages === 1).length;
    expect(bounces).toBeGreaterThan(pageCounts.length * 0.1);
    expect(bounces).toBeLessThan(pageCounts.length * 0.6);
    expect(Math.max(...pageCounts)).toBeGreaterThan(5);
    expect([...sessions.values()].every((session) => session.users.size === 1)).toBe(true);

    const featureUses = ofType(history, 'feature.used');
    const inSession = featureUses.filter((event) => event.session_id !== undefined);
    expect(inSession.length).toBeGreaterThan(featureUses.length / 2);
    expect(inSession.length).toBeLessThan(featureUses.length);
    for (const event of inSession) {
      expect(sessions.get(event.session_id ?? '')?.users.has(event.user_id)).toBe(true);
    }
  });

  it('shows CTAs and some get clicked, at a believable rate', () => {
    const shown = ofType(history, 'cta.shown').length;
    const clicked = ofType(history, 'cta.clicked').length;
    expect(clicked).toBeGreaterThan(0);
    expect(clicked).toBeLessThan(shown * 0.5);
  });

  it('loses users at every onboarding step, counted the way KPIS.md defines the funnel', () => {
    const firstTimes = new Map<string, Map<string, number>>();
    for (const event of history) {
      const step =
        event.type === 'user.signed_up'
          ? 'signed_up'
          : event.type === 'user.activated'
            ? 'activated'
            : event.type === 'onboarding.step_completed'
              ? event.step
              : undefined;
      if (step === undefined || !('user_id' in event) || event.user_id === undefined) continue;
      const steps = firstTimes.get(event.user_id) ?? new Map<string, number>();
      if (!steps.has(step)) steps.set(step, eventMs(event));
      firstTimes.set(event.user_id, steps);
    }
    const reached = funnel.map(() => 0);
    let skippedAStep = 0;
    for (const steps of firstTimes.values()) {
      const signedUpAt = steps.get('signed_up');
      if (signedUpAt === undefined) continue;
      let previous = signedUpAt;
      for (const [index, step] of funnel.entries()) {
        const at = steps.get(step);
        if (at === undefined || at < previous || at > signedUpAt + funnelWindowMs) break;
        reached[index] = (reached[index] ?? 0) + 1;
        previous = at;
      }
      const missing = funnel.filter((step) => !steps.has(step));
      if (steps.has('activated') && missing.length > 0) skippedAStep += 1;
    }
    for (let step = 1; step < funnel.length; step += 1) {
      expect(reached[step], funnel[step]).toBeLessThan(reached[step - 1] ?? 0);
    }
    expect(reached.at(-1)).toBeGreaterThan(0);
    expect(skippedAStep).toBeGreaterThan(0);
  });

  it('replies to urgent tickets fastest: median first public reply rises as priority falls', () => {
    const firstReplyDelays = new Map<string, number[]>();
    for (const ticket of ticketTimelines(history).values()) {
      const reply = ticket.events.find(isPublicAgentReply);
      if (reply === undefined) continue;
      const delays = firstReplyDelays.get(ticket.priority) ?? [];
      delays.push(eventMs(reply) - ticket.createdAt);
      firstReplyDelays.set(ticket.priority, delays);
    }
    const medians = ['urgent', 'high', 'normal', 'low'].map((priority) =>
      median(firstReplyDelays.get(priority) ?? []),
    );
    expect(medians[0]).toBeLessThan(medians[3] ?? NaN);
    expect(medians).toEqual([...medians].sort((a, b) => a - b));
  });

  it('leaves tickets waiting for a first reply at the end, some past their SLA target', () => {
    const waiting = [...ticketTimelines(history).values()].filter(
      (ticket) => !ticket.events.some(isPublicAgentReply),
    );
    expect(waiting.length).toBeGreaterThan(0);
    const breaching = waiting.filter(
      (ticket) => end - ticket.createdAt > (slaTargetMs[ticket.priority] ?? 0),
    );
    expect(breaching.length).toBeGreaterThan(0);
  });

  it('keeps each ticket story in order: bot and internal notes before the first public reply', () => {
    let botFirst = 0;
    let noteFirst = 0;
    const statuses = new Set<string>();
    for (const ticket of ticketTimelines(history).values()) {
      const times = ticket.events.map(eventMs);
      expect(times[0]).toBe(ticket.createdAt);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      const firstReply = ticket.events.findIndex(isPublicAgentReply);
      const beforeReply = firstReply === -1 ? ticket.events : ticket.events.slice(0, firstReply);
      if (firstReply > 0) {
        if (beforeReply.some((e) => e.type === 'ticket.replied' && e.author === 'bot'))
          botFirst += 1;
        if (
          beforeReply.some((e) => e.type === 'ticket.replied' && e.author === 'agent' && !e.public)
        ) {
          noteFirst += 1;
        }
      }
      for (const event of ticket.events)
        statuses.add(event.type === 'ticket.replied' ? `replied:${event.author}` : event.type);
    }
    expect(botFirst).toBeGreaterThan(0);
    expect(noteFirst).toBeGreaterThan(0);
    for (const status of [
      'replied:requester',
      'ticket.escalated',
      'ticket.solved',
      'ticket.reopened',
    ]) {
      expect(statuses).toContain(status);
    }
  });

  it('has tickets of every priority and channel, some routed to a team', () => {
    const created = ofType(history, 'ticket.created');
    expect(new Set(created.map((ticket) => ticket.priority))).toEqual(
      new Set(['low', 'normal', 'high', 'urgent']),
    );
    expect(new Set(created.map((ticket) => ticket.channel))).toEqual(
      new Set(['email', 'chat', 'phone', 'web']),
    );
    const routed = created.filter((ticket) => ticket.team !== undefined).length;
    expect(routed).toBeGreaterThan(0);
    expect(routed).toBeLessThan(created.length);
  });

  it('answers CSAT, NPS and CES surveys, some about a ticket', () => {
    const answers = ofType(history, 'survey.answered');
    for (const kind of ['csat', 'nps', 'ces']) {
      expect(answers.some((answer) => answer.kind === kind)).toBe(true);
    }
    const ticketIds = new Set(ofType(history, 'ticket.created').map((ticket) => ticket.ticket_id));
    const aboutTickets = answers.filter((answer) => answer.ticket_id !== undefined);
    expect(aboutTickets.length).toBeGreaterThan(0);
    expect(aboutTickets.every((answer) => ticketIds.has(answer.ticket_id ?? ''))).toBe(true);
    const nps = answers.filter((answer) => answer.kind === 'nps').map((answer) => answer.score);
    expect(nps.some((score) => score >= 9)).toBe(true);
    expect(nps.some((score) => score <= 6)).toBe(true);
  });
});

describe('subscriptions over a longer history', () => {
  const quarter = generateHistory({ seed: 7, accounts: 80, days: 90, end });

  it('keeps every account MRR consistent from event to event', () => {
    const mrr = new Map<string, number>();
    for (const event of quarter) {
      const before = mrr.get(event.account_id);
      if (event.type === 'subscription.started') mrr.set(event.account_id, event.mrr_cents);
      if (event.type === 'subscription.changed') {
        expect(event.mrr_cents_before).toBe(before);
        mrr.set(event.account_id, event.mrr_cents_after);
      }
      if (event.type === 'subscription.cancelled') {
        expect(event.mrr_cents_lost).toBe(before);
        mrr.delete(event.account_id);
      }
    }
  });

  it('has trials converting, upgrades, downgrades and paying customers cancelling', () => {
    const changes = ofType(quarter, 'subscription.changed');
    expect(changes.some((c) => c.from_plan === 'trial' && c.mrr_cents_after > 0)).toBe(true);
    expect(
      changes.some((c) => c.mrr_cents_before > 0 && c.mrr_cents_after > c.mrr_cents_before),
    ).toBe(true);
    expect(
      changes.some((c) => c.mrr_cents_after > 0 && c.mrr_cents_after < c.mrr_cents_before),
    ).toBe(true);
    expect(changes.some((c) => c.from_plan === 'free' && c.mrr_cents_after > 0)).toBe(true);
    expect(ofType(quarter, 'subscription.cancelled').some((c) => c.mrr_cents_lost > 0)).toBe(true);
    const started = ofType(quarter, 'subscription.started');
    expect(started.some((s) => s.mrr_cents === 0)).toBe(true);
    expect(started.some((s) => s.mrr_cents > 0)).toBe(true);
  });
});
