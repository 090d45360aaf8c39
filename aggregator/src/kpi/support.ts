import {
  surveyKinds,
  ticketPriorities,
  type KpiEvent,
  type SurveyKind,
  type TicketPriority,
} from '@kpiwall/shared';
// Not re-exported by @kpiwall/shared's index yet; switch to the package import once it is.
import type { SupportKpis } from '@kpiwall/shared';
import type { LocalCalendar } from './local-calendar.ts';
import { defaultSlaTargetsMs, repliedOnTime, unrepliedSlaState, type SlaTargets } from './sla.ts';
import {
  calendarWindowDays,
  calendarWindows,
  dayMs,
  inCalendarWindow,
  inRollingWindow,
} from './windows.ts';
import type { CalendarWindow } from './windows.ts';
import { meanSeconds, percentOf, quantileSeconds } from './measures.ts';

/*
 * Support KPIs (../KPIS.md "Support"). Decisions where the catalogue leaves room:
 * - A ticket is (account_id, ticket_id). It exists from its `ticket.created` at or before as_of
 *   (the first creation received wins, with its priority); events of a ticket without one are
 *   kept but count nowhere (not in FRT, backlog, resolution or escalations) until it arrives.
 * - First reply = the earliest reply at or before as_of, whatever came before it (bot
 *   messages, internal notes, requester messages are not replies).
 * - "Solved at as_of" = the latest solve/reopen at or before as_of (by event time, ties to the
 *   later arrival) is a solve; that solve is the final solve. A ticket reopened and not solved
 *   again is open and not resolved.
 * - SLA: due = creation + target of the priority at creation. Breaching: open, no reply and
 *   as_of > due. About to breach: open, no reply and 0 ≤ due − as_of < 15 min (at as_of = due
 *   the ticket is about to breach, not breaching: a reply then would still be on time).
 *   Attainment is over the same tickets as `frt_count_*` (first reply in the window).
 * - Escalations count from `ticket.escalated` at or before as_of on a ticket that exists.
 *   `escalations_awaiting_response` counts only escalations of tickets open at as_of: a
 *   ticket solved without a reply after its escalation is not awaiting anything any more.
 * - Surveys: every answer in the window counts, with or without `ticket_id` (it is not used).
 * - `_by_priority` records always hold the four priorities: 0 for counts, null for a
 *   percentage with no first replies in the window.
 */

type FrtWindow = CalendarWindow | 'rolling_24h';
const frtWindows: readonly FrtWindow[] = [...calendarWindows, 'rolling_24h'];

type StatusChange = { timeMs: number; arrival: number; solved: boolean };

type Created = { timeMs: number; priority: TicketPriority };

type Ticket = {
  created: Created | null;
  /** Times of public agent replies, ascending. */
  replyTimesMs: number[];
  escalationTimesMs: number[];
  statusChanges: StatusChange[];
};

type SurveyAnswer = { timeMs: number; score: number };

type SurveyKpis = Pick<SupportKpis, `${'csat_percent' | 'nps' | 'ces_mean'}_${CalendarWindow}`>;

export type SupportOptions = { slaTargets?: SlaTargets };

/** Ticket lifecycles and survey answers, read "as of" any instant. */
export class Support {
  readonly #calendar: LocalCalendar;
  readonly #slaTargets: SlaTargets;
  readonly #tickets = new Map<string, Ticket>();
  readonly #surveys: Record<SurveyKind, SurveyAnswer[]> = {
    csat: [],
    nps: [],
    ces: [],
  };
  #arrivals = 0;
  /** Survey answers on earlier local days can no longer be in any window (see forgetBefore). */
  #firstSurveyDay = Number.NEGATIVE_INFINITY;

  constructor(calendar: LocalCalendar, options: SupportOptions = {}) {
    this.#calendar = calendar;
    this.#slaTargets = options.slaTargets ?? defaultSlaTargetsMs;
  }

  apply(event: KpiEvent): void {
    const arrival = this.#arrivals++;
    switch (event.type) {
      case 'ticket.created': {
        const ticket = this.#ticket(event.account_id, event.ticket_id);
        ticket.created ??= { timeMs: event.time, priority: event.priority };
        break;
      }
      case 'ticket.replied':
        if (event.author === 'agent' && event.public) {
          insertSorted(this.#ticket(event.account_id, event.ticket_id).replyTimesMs, event.time);
        }
        break;
      case 'ticket.escalated':
        this.#ticket(event.account_id, event.ticket_id).escalationTimesMs.push(event.time);
        break;
      case 'ticket.solved':
      case 'ticket.reopened':
        this.#ticket(event.account_id, event.ticket_id).statusChanges.push({
          timeMs: event.time,
          arrival,
          solved: event.type === 'ticket.solved',
        });
        break;
      case 'survey.answered':
        if (this.#calendar.dayOf(event.time) >= this.#firstSurveyDay) {
          this.#surveys[event.kind].push({ timeMs: event.time, score: event.score });
        }
        break;
      default:
        break;
    }
  }

  kpis(asOfMs: number): SupportKpis {
    const tally = new TicketTally(this.#calendar, this.#slaTargets, asOfMs);
    for (const ticket of this.#tickets.values()) tally.add(ticket);
    return { ...tally.kpis(), ...this.#surveyKpis(asOfMs) };
  }

  /**
   * Lets go of survey answers no window ending at or after `asOfMs` can reach. Tickets are all
   * kept: an open ticket counts however old it is, and a solved one can be reopened.
   */
  forgetBefore(asOfMs: number): void {
    const firstDay = this.#calendar.dayOf(asOfMs) - (calendarWindowDays['30d'] - 1);
    if (firstDay <= this.#firstSurveyDay) return;
    this.#firstSurveyDay = firstDay;
    for (const kind of surveyKinds) {
      this.#surveys[kind] = this.#surveys[kind].filter(
        (answer) => this.#calendar.dayOf(answer.timeMs) >= firstDay,
      );
    }
  }

  #surveyKpis(asOfMs: number): SurveyKpis {
    const inWindow = (answers: readonly SurveyAnswer[], window: CalendarWindow) =>
      answers.filter((answer) => inCalendarWindow(this.#calendar, answer.timeMs, asOfMs, window));
    const csat = (window: CalendarWindow) => csatPercent(inWindow(this.#surveys.csat, window));
    const nps = (window: CalendarWindow) => npsScore(inWindow(this.#surveys.nps, window));
    const ces = (window: CalendarWindow) => meanScore(inWindow(this.#surveys.ces, window));
    return {
      csat_percent_today: csat('today'),
      csat_percent_7d: csat('7d'),
      csat_percent_30d: csat('30d'),
      nps_today: nps('today'),
      nps_7d: nps('7d'),
      nps_30d: nps('30d'),
      ces_mean_today: ces('today'),
      ces_mean_7d: ces('7d'),
      ces_mean_30d: ces('30d'),
    };
  }

  #ticket(accountId: string, ticketId: string): Ticket {
    const key = `${accountId}\u0000${ticketId}`;
    let ticket = this.#tickets.get(key);
    if (!ticket) {
      ticket = { created: null, replyTimesMs: [], escalationTimesMs: [], statusChanges: [] };
      this.#tickets.set(key, ticket);
    }
    return ticket;
  }
}

/** The ticket KPIs as of one instant, accumulated ticket by ticket. */
class TicketTally {
  readonly #calendar: LocalCalendar;
  readonly #slaTargets: SlaTargets;
  readonly #asOfMs: number;
  readonly #frt = new WindowedDurations<FrtWindow>(frtWindows);
  readonly #resolution = new WindowedDurations<CalendarWindow>(calendarWindows);
  readonly #escalation = new WindowedDurations<CalendarWindow>(calendarWindows);
  readonly #attainment = windowRecord(calendarWindows, () => priorityRecord(() => new Ratio()));
  readonly #waiting = priorityRecord(() => 0);
  readonly #backlog = priorityRecord(() => 0);
  readonly #breaching = priorityRecord(() => 0);
  readonly #aboutToBreach = priorityRecord(() => 0);
  #oldestWaitingCreatedMs: number | null = null;
  #escalationsAwaiting = 0;

  constructor(calendar: LocalCalendar, slaTargets: SlaTargets, asOfMs: number) {
    this.#calendar = calendar;
    this.#slaTargets = slaTargets;
    this.#asOfMs = asOfMs;
  }

  add(ticket: Ticket): void {
    const created = ticket.created;
    if (created === null || created.timeMs > this.#asOfMs) return;
    const firstReplyMs = firstAtOrBefore(ticket.replyTimesMs, this.#asOfMs);
    const latestStatus = latestStatusChange(ticket.statusChanges, this.#asOfMs);
    const open = latestStatus === null || !latestStatus.solved;
    if (firstReplyMs !== null) this.#addFirstReply(created, firstReplyMs);
    if (latestStatus?.solved) this.#addResolution(created, latestStatus.timeMs);
    this.#addEscalations(ticket, open);
    if (open) this.#addOpen(created, firstReplyMs);
  }

  #addFirstReply(created: Created, firstReplyMs: number): void {
    const onTime = repliedOnTime(created.timeMs, firstReplyMs, created.priority, this.#slaTargets);
    for (const window of this.#calendarWindowsOf(firstReplyMs)) {
      this.#frt.add(window, firstReplyMs - created.timeMs);
      this.#attainment[window][created.priority].add(onTime);
    }
    if (inRollingWindow(firstReplyMs, this.#asOfMs, dayMs)) {
      this.#frt.add('rolling_24h', firstReplyMs - created.timeMs);
    }
  }

  #addResolution(created: Created, finalSolveMs: number): void {
    for (const window of this.#calendarWindowsOf(finalSolveMs)) {
      this.#resolution.add(window, finalSolveMs - created.timeMs);
    }
  }

  #addEscalations(ticket: Ticket, open: boolean): void {
    for (const escalatedMs of ticket.escalationTimesMs) {
      if (escalatedMs > this.#asOfMs) continue;
      const responseMs = firstAfter(ticket.replyTimesMs, escalatedMs, this.#asOfMs);
      if (responseMs === null) {
        if (open) this.#escalationsAwaiting++;
        continue;
      }
      for (const window of this.#calendarWindowsOf(responseMs)) {
        this.#escalation.add(window, responseMs - escalatedMs);
      }
    }
  }

  #addOpen(created: Created, firstReplyMs: number | null): void {
    const { priority } = created;
    this.#backlog[priority]++;
    if (firstReplyMs !== null) return;
    this.#waiting[priority]++;
    if (this.#oldestWaitingCreatedMs === null || created.timeMs < this.#oldestWaitingCreatedMs) {
      this.#oldestWaitingCreatedMs = created.timeMs;
    }
    const sla = unrepliedSlaState(created.timeMs, priority, this.#slaTargets, this.#asOfMs);
    if (sla === 'breaching') this.#breaching[priority]++;
    if (sla === 'about_to_breach') this.#aboutToBreach[priority]++;
  }

  #calendarWindowsOf(timeMs: number): CalendarWindow[] {
    return calendarWindows.filter((window) =>
      inCalendarWindow(this.#calendar, timeMs, this.#asOfMs, window),
    );
  }

  kpis(): Omit<SupportKpis, keyof SurveyKpis> {
    const frt = this.#frt;
    const resolution = this.#resolution;
    const escalation = this.#escalation;
    const attainment = this.#attainment;
    return {
      frt_median_seconds_today: frt.quantileSeconds('today', 0.5),
      frt_median_seconds_7d: frt.quantileSeconds('7d', 0.5),
      frt_median_seconds_30d: frt.quantileSeconds('30d', 0.5),
      frt_median_seconds_rolling_24h: frt.quantileSeconds('rolling_24h', 0.5),
      frt_p90_seconds_today: frt.quantileSeconds('today', 0.9),
      frt_p90_seconds_7d: frt.quantileSeconds('7d', 0.9),
      frt_p90_seconds_30d: frt.quantileSeconds('30d', 0.9),
      frt_p90_seconds_rolling_24h: frt.quantileSeconds('rolling_24h', 0.9),
      frt_mean_seconds_today: frt.meanSeconds('today'),
      frt_mean_seconds_7d: frt.meanSeconds('7d'),
      frt_mean_seconds_30d: frt.meanSeconds('30d'),
      frt_mean_seconds_rolling_24h: frt.meanSeconds('rolling_24h'),
      frt_count_today: frt.count('today'),
      frt_count_7d: frt.count('7d'),
      frt_count_30d: frt.count('30d'),
      frt_count_rolling_24h: frt.count('rolling_24h'),

      tickets_waiting_first_reply: sum(this.#waiting),
      tickets_waiting_first_reply_by_priority: this.#waiting,
      oldest_waiting_seconds:
        this.#oldestWaitingCreatedMs === null
          ? null
          : (this.#asOfMs - this.#oldestWaitingCreatedMs) / 1000,

      resolution_median_seconds_today: resolution.quantileSeconds('today', 0.5),
      resolution_median_seconds_7d: resolution.quantileSeconds('7d', 0.5),
      resolution_median_seconds_30d: resolution.quantileSeconds('30d', 0.5),
      resolution_p90_seconds_today: resolution.quantileSeconds('today', 0.9),
      resolution_p90_seconds_7d: resolution.quantileSeconds('7d', 0.9),
      resolution_p90_seconds_30d: resolution.quantileSeconds('30d', 0.9),
      resolution_mean_seconds_today: resolution.meanSeconds('today'),
      resolution_mean_seconds_7d: resolution.meanSeconds('7d'),
      resolution_mean_seconds_30d: resolution.meanSeconds('30d'),
      resolved_count_today: resolution.count('today'),
      resolved_count_7d: resolution.count('7d'),
      resolved_count_30d: resolution.count('30d'),

      backlog_open: sum(this.#backlog),
      backlog_open_by_priority: this.#backlog,

      sla_breaching: sum(this.#breaching),
      sla_breaching_by_priority: this.#breaching,
      sla_about_to_breach: sum(this.#aboutToBreach),
      sla_about_to_breach_by_priority: this.#aboutToBreach,
      sla_attainment_percent_today: Ratio.combined(attainment.today).percent(),
      sla_attainment_percent_7d: Ratio.combined(attainment['7d']).percent(),
      sla_attainment_percent_30d: Ratio.combined(attainment['30d']).percent(),
      sla_attainment_percent_by_priority_today: percents(attainment.today),
      sla_attainment_percent_by_priority_7d: percents(attainment['7d']),
      sla_attainment_percent_by_priority_30d: percents(attainment['30d']),

      escalation_response_median_seconds_today: escalation.quantileSeconds('today', 0.5),
      escalation_response_median_seconds_7d: escalation.quantileSeconds('7d', 0.5),
      escalation_response_median_seconds_30d: escalation.quantileSeconds('30d', 0.5),
      escalation_response_mean_seconds_today: escalation.meanSeconds('today'),
      escalation_response_mean_seconds_7d: escalation.meanSeconds('7d'),
      escalation_response_mean_seconds_30d: escalation.meanSeconds('30d'),
      escalations_awaiting_response: this.#escalationsAwaiting,
    };
  }
}

/**
 * Durations in integer milliseconds per window; statistics in seconds, dividing by 1000 last
 * so they equal ClickHouse's over the same milliseconds to the bit.
 */
class WindowedDurations<W extends string> {
  readonly #values: Record<string, number[]> = {};

  constructor(windows: readonly W[]) {
    for (const window of windows) this.#values[window] = [];
  }

  add(window: W, durationMs: number): void {
    this.#values[window]?.push(durationMs);
  }

  count(window: W): number {
    return this.#of(window).length;
  }

  quantileSeconds(window: W, level: number): number | null {
    return quantileSeconds(this.#of(window), level);
  }

  meanSeconds(window: W): number | null {
    return meanSeconds(this.#of(window));
  }

  #of(window: W): number[] {
    return this.#values[window] ?? [];
  }
}

/** Hits out of a total; its percentage is null when there is nothing to divide by. */
class Ratio {
  hits = 0;
  total = 0;

  static combined(ratios: Record<string, Ratio>): Ratio {
    const combined = new Ratio();
    for (const ratio of Object.values(ratios)) {
      combined.hits += ratio.hits;
      combined.total += ratio.total;
    }
    return combined;
  }

  add(hit: boolean): void {
    this.total++;
    if (hit) this.hits++;
  }

  percent(): number | null {
    return percentOf(this.hits, this.total);
  }
}

const priorityRecord = <T>(make: () => T): Record<TicketPriority, T> => ({
  low: make(),
  normal: make(),
  high: make(),
  urgent: make(),
});

const windowRecord = <W extends string, T>(windows: readonly W[], make: () => T): Record<W, T> =>
  Object.fromEntries(windows.map((window) => [window, make()])) as Record<W, T>;

const sum = (byPriority: Record<TicketPriority, number>): number =>
  ticketPriorities.reduce((total, priority) => total + byPriority[priority], 0);

const percents = (
  ratios: Record<TicketPriority, Ratio>,
): Record<TicketPriority, number | null> => ({
  low: ratios.low.percent(),
  normal: ratios.normal.percent(),
  high: ratios.high.percent(),
  urgent: ratios.urgent.percent(),
});

const insertSorted = (times: number[], timeMs: number): void => {
  let index = times.length;
  while (index > 0 && (times[index - 1] ?? 0) > timeMs) index--;
  times.splice(index, 0, timeMs);
};

/** The earliest of ascending times if it is at or before as_of. */
const firstAtOrBefore = (ascending: readonly number[], asOfMs: number): number | null => {
  const first = ascending[0];
  return first !== undefined && first <= asOfMs ? first : null;
};

/** The earliest of ascending times strictly after `afterMs` and at or before as_of. */
const firstAfter = (
  ascending: readonly number[],
  afterMs: number,
  asOfMs: number,
): number | null => {
  const next = ascending.find((timeMs) => timeMs > afterMs);
  return next !== undefined && next <= asOfMs ? next : null;
};

/** The latest solve/reopen at or before as_of by event time; ties go to the later arrival. */
const latestStatusChange = (
  changes: readonly StatusChange[],
  asOfMs: number,
): StatusChange | null => {
  let latest: StatusChange | null = null;
  for (const change of changes) {
    if (change.timeMs > asOfMs) continue;
    if (
      latest === null ||
      change.timeMs > latest.timeMs ||
      (change.timeMs === latest.timeMs && change.arrival > latest.arrival)
    ) {
      latest = change;
    }
  }
  return latest;
};

const csatPercent = (answers: readonly SurveyAnswer[]): number | null => {
  const satisfied = answers.filter((answer) => answer.score >= 4).length;
  return percentOf(satisfied, answers.length);
};

/** % promoters (9–10) − % detractors (0–6), each percentage computed on its own. */
const npsScore = (answers: readonly SurveyAnswer[]): number | null => {
  if (answers.length === 0) return null;
  const promoters = answers.filter((answer) => answer.score >= 9).length;
  const detractors = answers.filter((answer) => answer.score <= 6).length;
  return (promoters / answers.length) * 100 - (detractors / answers.length) * 100;
};

const meanScore = (answers: readonly SurveyAnswer[]): number | null => {
  if (answers.length === 0) return null;
  let total = 0;
  for (const answer of answers) total += answer.score;
  return total / answers.length;
};
