import type { KpiEvent } from '@kpiwall/shared';
import { quantileExactInclusive } from './quantile.ts';
import type { LocalCalendar } from './local-calendar.ts';
import { inCalendarWindow } from './windows.ts';

type StatusChange = { timeMs: number; arrival: number; solved: boolean };

type Ticket = {
  createdMs: number | null;
  firstReplyMs: number | null;
  statusChanges: StatusChange[];
};

export type SupportKpis = {
  tickets_waiting_first_reply: number;
  oldest_waiting_seconds: number | null;
  frt_median_seconds_today: number | null;
  frt_p90_seconds_today: number | null;
  backlog_open: number;
};

/**
 * Ticket lifecycles for first-response and backlog KPIs (../KPIS.md, "Support"). A ticket is
 * identified by (account_id, ticket_id). Its first reply is the earliest `ticket.replied` by an
 * agent in public; bot messages, requester messages and internal notes are not replies.
 */
export class Support {
  readonly #calendar: LocalCalendar;
  readonly #tickets = new Map<string, Ticket>();
  #arrivals = 0;

  constructor(calendar: LocalCalendar) {
    this.#calendar = calendar;
  }

  apply(event: KpiEvent): void {
    if (!event.type.startsWith('ticket.')) return;
    if (!('ticket_id' in event) || event.ticket_id === undefined) return;
    const ticket = this.#ticket(`${event.account_id}\u0000${event.ticket_id}`);
    switch (event.type) {
      case 'ticket.created':
        // The first creation received wins; a second one for the same ticket is ignored.
        ticket.createdMs ??= event.time;
        break;
      case 'ticket.replied':
        if (event.author === 'agent' && event.public) {
          if (ticket.firstReplyMs === null || event.time < ticket.firstReplyMs) {
            ticket.firstReplyMs = event.time;
          }
        }
        break;
      case 'ticket.solved':
      case 'ticket.reopened':
        ticket.statusChanges.push({
          timeMs: event.time,
          arrival: this.#arrivals++,
          solved: event.type === 'ticket.solved',
        });
        break;
      default:
        break;
    }
  }

  kpis(asOfMs: number): SupportKpis {
    let waiting = 0;
    let oldestWaitingCreated: number | null = null;
    let backlog = 0;
    const firstResponseMs: number[] = [];
    for (const ticket of this.#tickets.values()) {
      if (ticket.createdMs === null || ticket.createdMs > asOfMs) continue;
      const replied = ticket.firstReplyMs !== null && ticket.firstReplyMs <= asOfMs;
      if (replied && ticket.firstReplyMs !== null) {
        if (inCalendarWindow(this.#calendar, ticket.firstReplyMs, asOfMs, 'today')) {
          firstResponseMs.push(ticket.firstReplyMs - ticket.createdMs);
        }
      }
      if (!isOpen(ticket, asOfMs)) continue;
      backlog++;
      if (!replied) {
        waiting++;
        if (oldestWaitingCreated === null || ticket.createdMs < oldestWaitingCreated) {
          oldestWaitingCreated = ticket.createdMs;
        }
      }
    }
    const median = quantileExactInclusive(firstResponseMs, 0.5);
    const p90 = quantileExactInclusive(firstResponseMs, 0.9);
    return {
      tickets_waiting_first_reply: waiting,
      oldest_waiting_seconds:
        oldestWaitingCreated === null ? null : (asOfMs - oldestWaitingCreated) / 1000,
      frt_median_seconds_today: median === null ? null : median / 1000,
      frt_p90_seconds_today: p90 === null ? null : p90 / 1000,
      backlog_open: backlog,
    };
  }

  #ticket(key: string): Ticket {
    let ticket = this.#tickets.get(key);
    if (!ticket) {
      ticket = { createdMs: null, firstReplyMs: null, statusChanges: [] };
      this.#tickets.set(key, ticket);
    }
    return ticket;
  }
}

/** Open unless the latest solve/reopen at or before as_of is a solve; ties go to the later arrival. */
const isOpen = (ticket: Ticket, asOfMs: number): boolean => {
  let latest: StatusChange | null = null;
  for (const change of ticket.statusChanges) {
    if (change.timeMs > asOfMs) continue;
    if (
      latest === null ||
      change.timeMs > latest.timeMs ||
      (change.timeMs === latest.timeMs && change.arrival > latest.arrival)
    ) {
      latest = change;
    }
  }
  return latest === null || !latest.solved;
};
